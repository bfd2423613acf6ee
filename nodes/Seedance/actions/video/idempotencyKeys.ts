import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InvalidParameter, describeValue } from '../../../shared/domain/invalidParameter';
import { pause } from '../../../shared/domain/timing';
import {
	MAX_KEY_LENGTH,
	charCandidates,
	claimEntry,
	keyDigest,
	lostEntry,
	markerCandidates,
	readMarkers,
	readTaskId,
	storable,
	taskEntries,
	type KeyMarkers,
} from '../../domain/keyRecords';
import { withStoreLock } from './storeLock';

export const idempotencyKeyField: INodeProperties = {
	displayName: 'Idempotency Key',
	name: 'idempotencyKey',
	type: 'string',
	default: '',
	placeholder: "e.g. {{ $today.toFormat('yyyy-MM-dd') }} {{ $json.prompt }}",
	description:
		'One video per key, across executions: a later execution that reaches a key already paid for picks up its task instead of paying again. Use one per row, e.g. the row ID, or the date and the prompt.',
	hint: 'Kept in n8n’s database for this node. A new key makes a new video.',
};

/** Entries kept per Generate node; the oldest go first (about 80 per key). */
export const STORE_ENTRIES = 60_000;

export type KeyState =
	| { kind: 'claimed' } // this run now holds the key: it creates the video
	| { kind: 'paid'; taskId: string }
	| { kind: 'lost' } // an earlier create's answer was lost: it may exist
	| { kind: 'busy' } // another run holds it and has not told its task yet
	| { kind: 'unreadable' }; // paid, but its task ID cannot be read back

/** Reads a key strictly (NaN, true or objects say nothing of the row); NFC and NFD are one. */
export function checkIdempotencyKey(value: unknown): string {
	const usable = typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
	if (!usable && value !== undefined && value !== null)
		throw new InvalidParameter(
			idempotencyKeyField.displayName,
			`${idempotencyKeyField.displayName} must be a text or a number. Got ${describeValue(value)}`,
			'Give every item a key of its own, e.g. {{ $json.id }} or the date and the prompt.',
		);
	const text = usable ? String(value).normalize('NFC').trim() : '';
	if (!text)
		throw new InvalidParameter(
			idempotencyKeyField.displayName,
			`${idempotencyKeyField.displayName} is empty`,
			'Give every item a key, e.g. {{ $json.id }}, or remove the option.',
		);
	if ([...text].length > MAX_KEY_LENGTH)
		throw new InvalidParameter(
			idempotencyKeyField.displayName,
			`${idempotencyKeyField.displayName} is longer than ${MAX_KEY_LENGTH} characters`,
			'Use a shorter key, such as the row ID or the date and a part of the prompt.',
		);
	return text;
}

/** One queue per node and process, one lock across processes: the store rewrites a node's whole row. */
const queues = new Map<string, Promise<unknown>>();

const scopeOf = (context: IExecuteFunctions) =>
	`${context.getWorkflow().id ?? ''}:${context.getNode().id}`;

async function exclusive<T>(
	context: IExecuteFunctions,
	work: () => Promise<T>,
	stoppable = false,
): Promise<T> {
	const scope = scopeOf(context);
	const before = queues.get(scope) ?? Promise.resolve();
	const locked = async () => await withStoreLock(context, work, { stoppable });
	const run = before.then(locked, locked);
	const settled = run.catch(() => undefined);
	queues.set(scope, settled);
	void settled.then(() => queues.get(scope) === settled && queues.delete(scope));
	return await run;
}

const ENTRIES = { mode: 'entries' } as const;

/** Which of `entries` the store holds; asking records the new ones, so they are taken back. */
async function held(context: IExecuteFunctions, entries: string[]): Promise<Set<string>> {
	if (entries.length === 0) return new Set();
	const answer = await context.helpers.checkProcessedAndRecord(entries, 'node', ENTRIES);
	// Left in the store, the bits asked would read as a task that is not there: retry the take-back.
	for (let tries = 1; answer.new.length > 0; tries++) {
		const taken = await context.helpers.removeProcessed(answer.new, 'node', ENTRIES).then(
			() => true,
			(error: unknown) => {
				if (tries >= TAKE_BACK_TRIES) throw error;
				return false;
			},
		);
		if (taken) break;
		await pause(200 * tries, undefined);
	}
	return new Set(answer.processed.map(String));
}

/** Tries of taking back a read's own entries before the node gives up (a locked database). */
const TAKE_BACK_TRIES = 4;

async function record(context: IExecuteFunctions, entries: string[]): Promise<void> {
	await context.helpers.checkProcessedAndRecord(entries, 'node', {
		...ENTRIES,
		maxEntries: STORE_ENTRIES,
	});
}

/** What the store holds for each key: its markers, and its task ID when one reads back whole. */
async function readKeys(
	context: IExecuteFunctions,
	digests: Map<string, string>,
): Promise<Map<string, { markers: KeyMarkers; taskId?: string }>> {
	const seen = await held(context, [...digests.values()].flatMap(markerCandidates));
	const markers = [...digests].map(
		([key, digest]) => [key, digest, readMarkers(digest, seen)] as const,
	);
	const bits = await held(
		context,
		markers.flatMap(([, digest, found]) => charCandidates(digest, found.length)),
	);
	return new Map(
		markers.map(([key, digest, found]) => [
			key,
			{ markers: found, taskId: found.length > 0 ? readTaskId(digest, found, bits) : undefined },
		]),
	);
}

/** The door every keyed create passes first: reads each key and claims the free ones, in one step. */
export async function claimKeys(
	context: IExecuteFunctions,
	keys: string[],
): Promise<Map<string, KeyState>> {
	return await exclusive(
		context,
		async () => {
			const digests = new Map(keys.map((key) => [key, keyDigest(key)]));
			const read = await readKeys(context, digests);
			const states = new Map<string, KeyState>();
			for (const [key, { markers: found, taskId }] of read) {
				if (taskId) states.set(key, { kind: 'paid', taskId });
				else if (found.length > 0) states.set(key, { kind: 'unreadable' });
				else if (found.lost) states.set(key, { kind: 'lost' });
				else if (found.claimed) states.set(key, { kind: 'busy' });
				else states.set(key, { kind: 'claimed' });
			}
			const free = [...states].filter(([, state]) => state.kind === 'claimed');
			if (free.length)
				await record(
					context,
					free.map(([key]) => claimEntry(digests.get(key) as string)),
				);
			return states;
		},
		true,
	);
}

/** Remembers what a claimed key's create became: its task, or that it may exist (answer lost). */
export async function settleKey(
	context: IExecuteFunctions,
	key: string,
	taskId: string | undefined,
): Promise<void> {
	const digest = keyDigest(key);
	const entries = taskId && storable(taskId) ? taskEntries(digest, taskId) : [lostEntry(digest)];
	// Settles ending while the store is busy share one call (each call rewrites the node's whole row).
	const scope = scopeOf(context);
	const waiting = settling.get(scope);
	if (waiting) {
		waiting.entries.push(...entries);
		return await waiting.written;
	}
	const batch = { entries, written: Promise.resolve() };
	settling.set(scope, batch);
	batch.written = exclusive(context, async () => {
		if (settling.get(scope) === batch) settling.delete(scope);
		await record(context, batch.entries);
	});
	await batch.written;
}

/** Settles of a node waiting for its queue, written together when their turn comes. */
const settling = new Map<string, { entries: string[]; written: Promise<void> }>();

/** Frees a claimed key whose create was never sent or certainly refused. */
export async function releaseKeys(context: IExecuteFunctions, keys: string[]): Promise<void> {
	if (keys.length === 0) return;
	await exclusive(context, async () => {
		await context.helpers.removeProcessed(
			keys.map((key) => claimEntry(keyDigest(key))),
			'node',
			ENTRIES,
		);
	});
}

/** Forgets a key's task that failed at the service (not charged) if still remembered; else false. */
export async function forgetFailedTask(
	context: IExecuteFunctions,
	key: string,
	taskId: string,
): Promise<boolean> {
	const digest = keyDigest(key);
	return await exclusive(context, async () => {
		const read = await readKeys(context, new Map([[key, digest]]));
		if (read.get(key)?.taskId !== taskId) return false;
		await context.helpers.removeProcessed(taskEntries(digest, taskId), 'node', ENTRIES);
		return true;
	});
}
