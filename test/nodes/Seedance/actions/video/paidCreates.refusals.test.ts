/**
 * The words of each refusal of the pay-once door, in n8n-core's real engine against the emulator:
 * an Idempotency Key whose create may exist (answer lost, task unreadable, another run creating
 * it), a key too long to show whole, and a store that cannot answer. Each says why and what to do.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { deduplicationStore } from '../../../../harness/deduplicator';
import { keyedGenerate, keyedRows as rows } from '../../../../harness/keyedGenerate';
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import * as timing from '../../../../../nodes/shared/domain/timing';
import { useEmulator } from '../../../../helpers';
import {
	claimEntry,
	keyDigest,
	taskEntries,
} from '../../../../../nodes/Seedance/domain/keyRecords';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

beforeEach(() => deduplicationStore.clear());
afterEach(() => jest.restoreAllMocks());

const keyed = (options: IDataObject = {}) => keyedGenerate({ requestTimeout: 1, ...options });

async function run(node: INode, items: Array<{ json: Record<string, unknown> }>) {
	return await runWorkflow([itemsNode(items), node], { credentials: credentials() });
}

/** Puts entries in the node's store row as an earlier execution would have. */
const remember = (node: INode, entries: string[]) => deduplicationStore.remember(node.id, entries);

const WHAT_TO_DO =
	'The node does not create it again: you could pay twice. Check the task list in your API in One dashboard; if the task is there, put its ID in "Existing Task ID". To make a new video instead, change the Idempotency Key. Nothing was sent.';

describe('A key whose video may already exist', () => {
	it('its create answer was lost: says so, names the key and the item, and what to do', async () => {
		// Not 1 s: a request's own timer would count as a pause of a second.
		const node = keyed({ requestTimeout: 3 });
		emulator.inject('create', { kind: 'resetAfterCreate' });
		await run(node, rows('mon b'));
		const pauses = jest.spyOn(timing, 'pause');
		const again = await run(node, rows('mon a', 'mon b'));
		// A key known lost is refused at once: nothing to wait for.
		expect(pauses.mock.calls.filter(([ms]) => ms === 1000)).toHaveLength(0);
		const error = again.errorOf('Seedance');
		expect(error?.message).toBe(
			'The video of Idempotency Key "mon b" (item 2) may already exist: the answer to its create request was lost',
		);
		expect(error?.description?.startsWith(WHAT_TO_DO)).toBe(true);
		expect(emulator.count('create')).toBe(2);
	});

	it('another run holds it and never finished: refused once Request Timeout has passed', async () => {
		const node = keyed();
		remember(node, [claimEntry(keyDigest('mon a'))]);
		const pauses = jest.spyOn(timing, 'pause');
		const error = (await run(node, rows('mon a'))).errorOf('Seedance');
		// Asked again once a second has passed, then refused: neither at once nor in a tight loop.
		expect(pauses.mock.calls.filter(([ms]) => ms === 1000)).toHaveLength(1);
		expect(error?.message).toBe(
			'The video of Idempotency Key "mon a" (item 1) may already exist: another execution is creating it and has not finished (or was stopped while creating it)',
		);
		expect(error?.description).toBe(WHAT_TO_DO);
		expect(emulator.requests).toHaveLength(0);
	});

	it('its task ID cannot be read back from the store: refused, not made again', async () => {
		const node = keyed();
		const digest = keyDigest('mon a');
		// BBBB with the low bit of its first character lost reads ABBB, whose checksum does not match.
		const broken = taskEntries(digest, 'BBBB').filter(
			(entry) => entry !== `seedance:${digest}:0.0`,
		);
		remember(node, [claimEntry(digest), ...broken]);
		const error = (await run(node, rows('mon a'))).errorOf('Seedance');
		expect(error?.message).toBe(
			'The video of Idempotency Key "mon a" (item 1) may already exist: its task ID could not be read back from n8n’s store',
		);
		expect(emulator.requests).toHaveLength(0);
	});

	it('a key of up to 60 characters is shown whole, a longer one cut to 57 and three dots', async () => {
		const sixty = 'k'.repeat(60);
		const longer = `${'x'.repeat(57)}yyyy`;
		const node = keyed();
		remember(node, [claimEntry(keyDigest(sixty)), claimEntry(keyDigest(longer))]);
		const whole = (await run(node, rows(sixty))).errorOf('Seedance');
		expect(whole?.message).toContain(`Idempotency Key "${sixty}" (item 1)`);
		const cut = (await run(node, rows(longer))).errorOf('Seedance');
		expect(cut?.message).toContain(`Idempotency Key "${'x'.repeat(57)}..." (item 1)`);
	});
});

it('a store that cannot answer: its own words, nothing sent, and what to do', async () => {
	const node = keyed();
	const real = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
	// The keys' entries fail; the store lock's row (a number) still works.
	jest.spyOn(deduplicationStore, 'checkProcessedAndRecord').mockImplementation(async (...args) => {
		if (args[3].mode === 'entries') throw new Error('database is locked');
		return await real(...args);
	});
	const error = (await run(node, rows('mon a'))).errorOf('Seedance');
	expect(error?.message).toBe('n8n could not read the Idempotency Keys');
	expect(error?.description).toBe(
		"n8n's deduplication store answered: database is locked. Nothing was sent. Try again; if it keeps failing, remove the Idempotency Key option (a re-run then pays again).",
	);
	expect(emulator.requests).toHaveLength(0);
});

it('a store that cannot forget a key whose task failed: its own words at once, no new create', async () => {
	const node = keyed({ idempotencyKey: '={{ $json.id }}' });
	const waiting = seedanceNode(
		{ ...node.parameters, waitForCompletion: true, downloadVideo: false },
		{ id: node.id, onError: 'continueErrorOutput' },
	);
	await run(waiting, [{ json: { id: 'row-1', prompt: 'x [fail]' } }]);
	const forget = taskEntries(keyDigest('row-1'), [...emulator.tasks.keys()][0]);
	const real = deduplicationStore.removeProcessed.bind(deduplicationStore);
	// Only forgetting the failed task fails (a read's own clean-up goes through).
	jest.spyOn(deduplicationStore, 'removeProcessed').mockImplementation(async (...args) => {
		if (JSON.stringify(args[0]) === JSON.stringify(forget)) throw new Error('disk full');
		return await real(...args);
	});
	const reads = emulator.count('status');
	const error = (await run(node, [{ json: { id: 'row-1', prompt: 'x fixed' } }])).errorOf(
		'Seedance',
	);
	expect(error?.message).toBe('n8n could not read the Idempotency Keys');
	expect(error?.description).toContain("n8n's deduplication store answered: disk full.");
	expect(emulator.count('create')).toBe(1);
	expect(emulator.count('status') - reads).toBe(1);
});
