import type { IExecuteFunctions } from 'n8n-workflow';

import { BoundedMap, BoundedSet } from '../../../shared/domain/boundedMemory';
import { cancelSignalOf, pause } from '../../../shared/domain/timing';

/**
 * n8n's deduplication store reads and rewrites a node's whole row on every call, so two queue-mode
 * workers writing at once erase each other's entries. Creating a row is its one atomic step (the
 * row's key is unique), so the workflow's own row is a lock: it exists while one process writes.
 */
const LOCK = { mode: 'latestIncrementalKey' } as const;

/** Far below any number a Remove Duplicates node keeps: a row near it is one of ours. */
const FLOOR = -(2 ** 52);

export interface LockTiming {
	/** A lock seen held this long with no gap was left by a process that died: it is broken. */
	staleMs: number;
	/** A row that is not a lock (a Remove Duplicates node of the workflow) for this long: no lock. */
	foreignMs: number;
}

export const LOCK_TIMING: LockTiming = { staleMs: 30_000, foreignMs: 5_000 };

/** Workflows whose row was a Remove Duplicates counter: one look each turn, no waiting. */
const foreignRows = new BoundedSet<string>(10_000);

/** When this process last broke a workflow's dead lock: its other waiters' stale clocks start there. */
const brokenAt = new BoundedMap<string, number>(10_000);

/** The turn of this process that holds each workflow's lock (its release's own token). */
const holders = new BoundedMap<string, { since: number }>(10_000);

/** Whether a turn of this process holds the workflow's lock and is not hung (younger than staleMs). */
function youngTurn(workflow: string, timing: LockTiming): boolean {
	const turn = holders.get(workflow);
	return turn !== undefined && Date.now() - turn.since < timing.staleMs;
}

type Attempt = 'acquired' | 'held' | 'foreign' | 'incompatible' | 'lostRace' | Error;

async function tryAcquire(context: IExecuteFunctions): Promise<Attempt> {
	const stamp = FLOOR + Date.now();
	try {
		const answer = await context.helpers.checkProcessedAndRecord([FLOOR, stamp], 'workflow', LOCK);
		const fresh = new Set(answer.new.map(Number));
		// Only a new row takes FLOOR as new; an existing lock takes the later stamp (ours on its clock).
		if (fresh.has(FLOOR)) return 'acquired';
		return fresh.has(stamp) ? 'held' : 'foreign';
	} catch (error) {
		const message = (error as Error).message ?? '';
		// A row saved in another mode is a Remove Duplicates node's (never a lock: proof at once).
		if (/incompatible/i.test(message)) return 'incompatible';
		// Two rows made at one instant (PostgreSQL / SQLite unique key): the other process won.
		if (/duplicate key|unique constraint|SQLITE_CONSTRAINT/i.test(message)) return 'lostRace';
		return error instanceof Error ? error : new Error(String(error));
	}
}

/**
 * Runs `work` while this workflow's lock row is held, so no other n8n process writes the store.
 * Only a `stoppable` wait ends at Stop: what a create became is written down even then.
 */
export async function withStoreLock<T>(
	context: IExecuteFunctions,
	work: () => Promise<T>,
	{ stoppable = false, timing = LOCK_TIMING }: { stoppable?: boolean; timing?: LockTiming } = {},
): Promise<T> {
	const workflow = String(context.getWorkflow().id ?? '');
	// A workflow seen with a Remove Duplicates counter: one look (it may be gone, a lock taken).
	let foreignMs = foreignRows.has(workflow) ? 0 : timing.foreignMs;
	// The stale clock restarts only on proof of a new holder: a lost race to make the row, a young
	// turn of this process.
	let heldSince = Date.now();
	let foreignSince: number | undefined;
	let failingSince: number | undefined;
	let breakFailures = 0;
	for (let polls = 0; ; polls++) {
		const signal = stoppable ? cancelSignalOf(context) : undefined;
		const backoff = Math.min(25 * 2 ** Math.min(polls, 3), 200);
		// A turn of this process is alive for staleMs: wait for it without asking the store (a row
		// another process broke would let this execution in beside it); a longer one is hung.
		if (youngTurn(workflow, timing)) {
			heldSince = Date.now();
			await pause(backoff, signal);
			continue;
		}
		const attempt = await tryAcquire(context);
		if (attempt === 'acquired') {
			// The row was missing: no Remove Duplicates counter now.
			foreignRows.delete(workflow);
			// Asked before a turn of this process began, whose row was deleted since: the row made
			// stands for that turn (its release deletes it); this execution waits for it.
			if (!youngTurn(workflow, timing)) break;
			heldSince = Date.now();
			await pause(backoff, signal);
			continue;
		}
		const now = Date.now();
		// Proof, on every call, that the row is not a lock: no mark needed.
		if (attempt === 'incompatible') return await work();
		// Proof of a lock: from now on a "foreign" answer must last foreignMs, in this wait too.
		if (attempt === 'held' || attempt === 'lostRace') foreignRows.delete(workflow);
		if (attempt === 'lostRace') heldSince = now;
		// Another waiter of this process broke the lock and may hold a new one: not dead yet.
		heldSince = Math.max(heldSince, brokenAt.get(workflow) ?? 0);
		// "Foreign" only as an unbroken streak: one stamp above ours is a waiter on a clock ahead.
		foreignSince = attempt === 'foreign' ? (foreignSince ?? now) : undefined;
		if (attempt instanceof Error) {
			failingSince ??= now;
			if (now - failingSince >= timing.staleMs) throw attempt;
		} else failingSince = undefined;
		// Read at each decision: another execution of this process may have taken the lock since.
		if (!foreignRows.has(workflow)) foreignMs = timing.foreignMs;
		if (foreignSince !== undefined && now - foreignSince >= foreignMs) {
			foreignRows.add(workflow);
			return await work();
		}
		if (attempt === 'held' && now - heldSince >= timing.staleMs) {
			brokenAt.set(workflow, now);
			// A failed delete is tried again at the next stale time; a third failure in a row (one
			// stale time apart) is an error, as a release's is.
			const failed = await context.helpers.clearAllProcessedItems('workflow', LOCK).then(
				() => undefined,
				(error: unknown) => (error instanceof Error ? error : new Error(String(error))),
			);
			if (failed === undefined) breakFailures = 0;
			else if (++breakFailures >= 3) throw failed;
			heldSince = Date.now();
			continue;
		}
		await pause(backoff, signal);
	}
	const token = { since: Date.now() };
	holders.set(workflow, token);
	try {
		return await work();
	} finally {
		await release(context, workflow, token);
	}
}

/** Deletes the lock row; a failed delete is tried again (a row left makes every worker wait 30 s). */
async function release(
	context: IExecuteFunctions,
	workflow: string,
	token: { since: number },
): Promise<void> {
	for (let tries = 1; ; tries++) {
		const done = await context.helpers.clearAllProcessedItems('workflow', LOCK).then(
			() => true,
			() => tries >= 3,
		);
		if (done) break;
		await pause(100 * tries, undefined);
		// Another execution of this process holds a new row: the failed delete had gone through.
		if (holders.get(workflow) !== token) return;
	}
	if (holders.get(workflow) === token) holders.delete(workflow);
}
