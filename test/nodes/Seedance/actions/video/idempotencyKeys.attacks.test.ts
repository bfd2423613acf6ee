/**
 * Attacks on the Idempotency Key and the execution's budget that the promise tests did not try,
 * in n8n-core's real engine against the emulator: Stop and a failing store while a run holds
 * claims, keys from expressions that are not a row's text, the same text in two Unicode forms,
 * and a whole-node refusal under Continue On Fail that is not one of the node's own errors.
 */
import type { INode } from 'n8n-workflow';

import { deduplicationStore } from '../../../../harness/deduplicator';
import { LOCK_ROW_AT } from '../../../../harness/lockProbe';
import { keyedGenerate as keyed, keyedRows as rows } from '../../../../harness/keyedGenerate';
import { itemsNode, runWorkflow } from '../../../../harness/n8n';
import * as timing from '../../../../../nodes/shared/domain/timing';
import { useEmulator, waitFor } from '../../../../helpers';
import {
	claimEntry,
	keyDigest,
	lostEntry,
	markerCandidates,
} from '../../../../../nodes/Seedance/domain/keyRecords';
import { STORE_ENTRIES } from '../../../../../nodes/Seedance/actions/video/idempotencyKeys';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

beforeEach(() => deduplicationStore.clear());
afterEach(() => jest.restoreAllMocks());

async function run(
	node: INode,
	items: Array<{ json: Record<string, unknown> }>,
	cancelAfterMs?: number,
) {
	return await runWorkflow([itemsNode(items), node], {
		credentials: credentials(),
		cancelAfterMs,
	});
}

const holdsClaim = (node: INode, key: string) =>
	deduplicationStore.holds(node.id, claimEntry(keyDigest(key)));

/** Leaves a claim in the store as a run that died while creating would (it never settles). */
const deadClaim = (node: INode, key: string) =>
	deduplicationStore.remember(node.id, [claimEntry(keyDigest(key))]);

describe('Claims a run holds when it ends early', () => {
	it('Stop while waiting for a key another run holds frees the keys it claimed and never sent', async () => {
		const node = keyed({ requestTimeout: 30 });
		deadClaim(node, 'a');
		await run(node, rows('a', 'b'), 300);
		expect(emulator.count('create')).toBe(0);
		// b was never sent: a later execution makes it at once (no wait, no "may already exist").
		await waitFor(() => !holdsClaim(node, 'b'), 5000, "b's claim to be freed");
		// a is the other run's: its claim stays.
		expect(holdsClaim(node, 'a')).toBe(true);
		const later = await run(keyed({ requestTimeout: 1 }, { id: node.id }), rows('b'));
		expect(later.errorOf('Seedance')).toBeUndefined();
		expect(emulator.count('create')).toBe(1);
	});

	it('a store that fails while a run waits for another key frees the keys it claimed', async () => {
		const node = keyed({ requestTimeout: 2 });
		deadClaim(node, 'a');
		const real = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
		let calls = 0;
		jest
			.spyOn(deduplicationStore, 'checkProcessedAndRecord')
			.mockImplementation(async (...args) => {
				// The first read and the claim go through; the next read (the re-ask) fails.
				if (++calls === 3) throw new Error('database is locked');
				return await real(...args);
			});
		const failedRun = await run(node, rows('a', 'b'));
		expect(failedRun.errorOf('Seedance')?.message).toBe('n8n could not read the Idempotency Keys');
		jest.restoreAllMocks();
		expect(holdsClaim(node, 'b')).toBe(false);
		const later = await run(keyed({ requestTimeout: 1 }, { id: node.id }), rows('b'));
		expect(later.errorOf('Seedance')).toBeUndefined();
		expect(emulator.count('create')).toBe(1);
	});

	it('Stop during a create sends no later create of the batch and frees the keys it never sent', async () => {
		const node = keyed({ concurrency: 1, downloadVideo: false });
		node.parameters.waitForCompletion = true;
		// The first create is answered (503, so it may have been made) 1.5 s after it was sent.
		emulator.inject('create', { kind: 'slow', ms: 1500 });
		await run(node, rows('a', 'b', 'c'), 300);
		// The node goes on in the background until its create in flight is answered; its last
		// step is freeing the keys it never sent (or, if it went on, creating them).
		await waitFor(
			() => emulator.count('create') > 1 || (!holdsClaim(node, 'b') && !holdsClaim(node, 'c')),
			10_000,
			'the stopped node to end',
		);
		expect(emulator.count('create')).toBe(1);
		const later = await run(keyed({ requestTimeout: 1 }, { id: node.id }), rows('b', 'c'));
		expect(later.errorOf('Seedance')).toBeUndefined();
		expect(emulator.count('create')).toBe(3);
	});

	it('Stop while a create is out marks its key as maybe made at once: a re-run refuses it without waiting', async () => {
		const node = keyed({ concurrency: 1 });
		emulator.inject('create', { kind: 'slow', ms: 1500 });
		await run(node, rows('a', 'b'), 300);
		await waitFor(
			() => !holdsClaim(node, 'b') && deduplicationStore.holds(node.id, lostEntry(keyDigest('a'))),
			10_000,
			"a's key to be marked and b's claim freed",
		);
		const later = await run(keyed({ requestTimeout: 5 }, { id: node.id }), rows('a'));
		expect(later.errorOf('Seedance')?.message).toMatch(
			/the answer to its create request was lost$/,
		);
		expect(emulator.count('create')).toBe(1);
	});
});

it('Stop while waiting for the store, held by another worker, is a stop, not a store failure', async () => {
	// A live lock row of another process: the node waits for it (up to 30 s) before reading keys.
	deduplicationStore.latest.set('test-workflow|', LOCK_ROW_AT(Date.now()));
	const result = await run(keyed(), rows('a'), 300);
	expect(result.errorOf('Seedance')?.message).toBe(
		'The execution was stopped while waiting for Seedance',
	);
	expect(emulator.requests).toHaveLength(0);
});

it('Stop while waiting for the store ends the wait: the stopped node asks the store no more', async () => {
	deduplicationStore.latest.set('test-workflow|', LOCK_ROW_AT(Date.now()));
	const poll = jest.spyOn(deduplicationStore, 'checkProcessedAndRecord');
	let atStop = 0;
	// The engine hands back a stopped run once its node has ended: a wait that ignored the Stop
	// would ask every 200 ms for 30 s, then break the other worker's lock and read the keys.
	await runWorkflow([itemsNode(rows('a')), keyed()], {
		credentials: credentials(),
		cancelWhen: () => (atStop = poll.mock.calls.length) >= 3,
	});
	// One ask begun as the Stop came is allowed.
	expect(poll.mock.calls.length - atStop).toBeLessThanOrEqual(1);
	expect(emulator.requests).toHaveLength(0);
});

it("Stop while a create is out writes its key down even behind another worker's turn at the store", async () => {
	const node = keyed({ concurrency: 1 });
	emulator.inject('create', { kind: 'slow', ms: 1500 });
	const poll = jest.spyOn(deduplicationStore, 'checkProcessedAndRecord');
	let pollsAtStop: number | undefined;
	const running = runWorkflow([itemsNode(rows('a')), node], {
		credentials: credentials(),
		cancelWhen: () => {
			if (emulator.count('create') < 1) return false;
			// Another worker takes its turn at the store as the Stop comes.
			deduplicationStore.latest.set('test-workflow|', LOCK_ROW_AT(Date.now()));
			pollsAtStop = poll.mock.calls.length;
			return true;
		},
	});
	// The write-down waits for that turn (a Stop does not cut it short), then is made.
	await waitFor(
		() => pollsAtStop !== undefined && poll.mock.calls.length >= pollsAtStop + 2,
		10_000,
		'the write-down to wait for the store',
	);
	expect(deduplicationStore.holds(node.id, lostEntry(keyDigest('a')))).toBe(false);
	deduplicationStore.latest.delete('test-workflow|');
	await running;
	await waitFor(
		() => deduplicationStore.holds(node.id, lostEntry(keyDigest('a'))),
		10_000,
		"a's key to be marked as maybe made",
	);
	expect(emulator.count('create')).toBe(1);
});

describe('Keys from expressions', () => {
	it.each([
		['NaN (a number column that is missing)', '={{ $json.missing * 1 }}', 'number NaN'],
		['Infinity', '={{ 1 / 0 }}', 'number Infinity'],
		['true', '={{ true }}', 'boolean true'],
		['an object', '={{ { id: 1 } }}', 'a value of type object'],
		['a list', '={{ [1, 2] }}', 'a list'],
	])('%s is refused, naming what it got, with 0 requests', async (_, idempotencyKey, got) => {
		const result = await run(keyed({ idempotencyKey }), rows('x'));
		expect(result.errorOf('Seedance')?.message).toMatch(
			new RegExp(`^Idempotency Key must be a text or a number\\. Got ${got}\\. Give every`),
		);
		expect(emulator.requests).toHaveLength(0);
	});

	it('rows whose key is NaN on different days never pick up each other’s video', async () => {
		const node = keyed({ idempotencyKey: '={{ $json.id * 1 }}' });
		await run(node, [{ json: { prompt: 'monday' } }]);
		await run(node, [{ json: { prompt: 'tuesday' } }]);
		// Either each day makes its own video, or the key is refused: never Monday's for Tuesday.
		const tuesday = [...emulator.tasks.values()].filter((task) => task.body.prompt === 'tuesday');
		const created = emulator.count('create');
		expect(created === 0 || tuesday.length === 1).toBe(true);
	});

	it('the same text in NFC and NFD is one key: the second execution picks the video up', async () => {
		const node = keyed();
		const nfc = 'Café crème'.normalize('NFC');
		const nfd = 'Café crème'.normalize('NFD');
		expect(nfc).not.toBe(nfd);
		await run(node, rows(nfc));
		const second = await run(node, rows(nfd));
		expect(second.output('Seedance')[0].json.pickedUpByKey).toBe(true);
		expect(emulator.count('create')).toBe(1);
	});

	it('keys differing in NFC/NFD only are the same key in one batch: refused', async () => {
		const node = keyed({}, { onError: 'continueErrorOutput' });
		const result = await run(node, rows('é'.normalize('NFC'), 'é'.normalize('NFD')));
		expect(result.outputs('Seedance')[1][0].json.error).toContain('have the same Idempotency Key');
		expect(emulator.count('create')).toBe(1);
	});

	it('keys differing in case only are two keys (two rows): two videos', async () => {
		const node = keyed();
		await run(node, rows('Row A', 'row a'));
		expect(emulator.count('create')).toBe(2);
	});
});

describe('Continue On Fail: a whole-node refusal is never the input passed on', () => {
	it.each([['continueRegularOutput'], ['continueErrorOutput']])(
		'%s: an expression error in Max Credits gives one error item per input item, 0 requests',
		async (onError) => {
			const node = keyed(
				{ maxCredits: '={{ $json.limits.daily.max }}' },
				{
					onError: onError as INode['onError'],
				},
			);
			const result = await run(node, rows('a', 'b'));
			const outputs = result.outputs('Seedance');
			const errors = onError === 'continueErrorOutput' ? outputs[1] : outputs[0];
			expect(errors).toHaveLength(2);
			expect(errors.every((item) => typeof item.json.error === 'string')).toBe(true);
			if (onError === 'continueErrorOutput') expect(outputs[0]).toHaveLength(0);
			expect(emulator.requests).toHaveLength(0);
		},
	);
});

it('a key another run holds is refused in a batch whose other rows are made; that run keeps its claim', async () => {
	const node = keyed({ requestTimeout: 1 }, { onError: 'continueErrorOutput' });
	deadClaim(node, 'a');
	const result = await run(node, rows('a', 'b'));
	expect(result.outputs('Seedance')[1][0].json.error).toMatch(/another execution is creating it/);
	expect(result.outputs('Seedance')[0]).toHaveLength(1);
	expect(holdsClaim(node, 'a')).toBe(true);
	expect(emulator.count('create')).toBe(1);
});

describe('A store that fails between a read and its clean-up', () => {
	it('a failure of the clean-up once does not leave a key never used refused for ever', async () => {
		const node = keyed();
		const real = deduplicationStore.removeProcessed.bind(deduplicationStore);
		let calls = 0;
		jest.spyOn(deduplicationStore, 'removeProcessed').mockImplementation(async (...args) => {
			if (++calls === 1) throw new Error('database is locked');
			return await real(...args);
		});
		await run(node, rows('a'));
		jest.restoreAllMocks();
		// The read's own entries (every bit it asked about) must not stay as a task that is not there.
		const again = await run(node, rows('a'));
		expect(again.errorOf('Seedance')).toBeUndefined();
		expect(emulator.count('create')).toBe(1);
	});
});

// Left: n8n's store has no read-only question, so a read records what it asks and takes it back;
// when the take-back keeps failing, those bits read as a task that is not there ("may already exist").
it.failing(
	'a clean-up that keeps failing does not leave a key never used refused for ever',
	async () => {
		const node = keyed();
		jest.spyOn(deduplicationStore, 'removeProcessed').mockRejectedValue(new Error('disk full'));
		await run(node, rows('a'));
		jest.restoreAllMocks();
		const again = await run(node, rows('a'));
		expect(again.errorOf('Seedance')).toBeUndefined();
	},
);

describe('A read of the keys takes back what it asked (n8n has no read-only call)', () => {
	function failingTakeBacks(times: number) {
		const real = deduplicationStore.removeProcessed.bind(deduplicationStore);
		let failures = 0;
		jest.spyOn(deduplicationStore, 'removeProcessed').mockImplementation(async (...args) => {
			if (failures++ < times) throw new Error('database is locked');
			return await real(...args);
		});
	}

	it('a take-back failing three times is tried again 200, 400 and 600 ms later, and the run goes on', async () => {
		failingTakeBacks(3);
		const pause = jest.spyOn(timing, 'pause');
		const result = await run(keyed(), rows('a'));
		expect(result.errorOf('Seedance')).toBeUndefined();
		// Not the lock's pauses (under 200 ms here) nor a request's own timer (Request Timeout).
		const waits = pause.mock.calls.map(([ms]) => ms).filter((ms) => ms >= 200 && ms < 1000);
		expect(waits).toEqual([200, 400, 600]);
		expect(emulator.count('create')).toBe(1);
	});

	it('a take-back failing four times stops the node with the store’s words, nothing sent', async () => {
		failingTakeBacks(4);
		const error = (await run(keyed(), rows('a'))).errorOf('Seedance');
		expect(error?.message).toBe('n8n could not read the Idempotency Keys');
		expect(error?.description).toContain('database is locked');
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('Cost of the keys in the store', () => {
	it('a first run of one key: 8 store calls (two lock turns of 2, a read of 2, a claim, a settle)', async () => {
		deduplicationStore.operations = 0;
		await run(keyed(), rows('a'));
		expect(deduplicationStore.operations).toBe(8);
	});

	it('settles that end while the store is busy share one write', async () => {
		const writes = jest.spyOn(deduplicationStore, 'checkProcessedAndRecord');
		deduplicationStore.roundTripMs = 100;
		const ten = Array.from({ length: 10 }, (_, index) => `row ${index}`);
		await run(keyed(), rows(...ten)).finally(() => (deduplicationStore.roundTripMs = 0));
		// The claims' write and the settles' writes (each keeps the store's limit).
		const kept = writes.mock.calls.filter(([, , , options]) => options.maxEntries !== undefined);
		expect(emulator.count('create')).toBe(10);
		expect(kept.length).toBeLessThanOrEqual(6);
	});

	it('store calls per batch: a first run, a re-run that picks every row up, and no key', async () => {
		const thirty = Array.from({ length: 30 }, (_, index) => `row ${index}`);
		const node = keyed();
		deduplicationStore.operations = 0;
		await run(node, rows(...thirty));
		const first = deduplicationStore.operations;
		deduplicationStore.operations = 0;
		const rerun = await run(node, rows(...thirty));
		const again = deduplicationStore.operations;
		deduplicationStore.operations = 0;
		const plain = keyed();
		delete (plain.parameters.options as Record<string, unknown>).idempotencyKey;
		await run(plain, rows(...thirty));
		const entries = deduplicationStore.rows.get(deduplicationStore.nodeRow(node.id))?.length ?? 0;
		const plainCalls = deduplicationStore.operations;
		// With a database round trip (3 ms), creates that end while the store is busy share a call.
		deduplicationStore.roundTripMs = 3;
		deduplicationStore.operations = 0;
		await run(keyed(), rows(...thirty)).finally(() => (deduplicationStore.roundTripMs = 0));
		const withRoundTrip = deduplicationStore.operations;
		// eslint-disable-next-line no-console
		console.log(
			`store calls for 30 keyed rows: first run ${first} (${withRoundTrip} with a 3 ms database round trip), re-run ${again}, without keys ${plainCalls}; ${entries} entries kept (${(entries / 30).toFixed(1)} per key)`,
		);
		// Never more calls with a slow database (how many fewer depends on the machine's load: logged).
		expect(withRoundTrip).toBeLessThanOrEqual(first);
		expect(rerun.output('Seedance').every((item) => item.json.pickedUpByKey === true)).toBe(true);
		// 4 to read the keys, 2 for the lock across processes (its row made, then deleted).
		expect(again).toBeLessThanOrEqual(6);
		expect(plainCalls).toBe(0);
	});
});

describe('The store’s limit (STORE_ENTRIES), oldest entries dropped first', () => {
	it('a full store keeps the newest keys: a re-run of the last batch picks every row up', async () => {
		const node = keyed();
		const filler = Array.from({ length: STORE_ENTRIES - 50 }, (_, index) => `old ${index}`);
		deduplicationStore.remember(node.id, filler);
		await run(node, rows('a', 'b', 'c', 'd', 'e'));
		expect(deduplicationStore.rows.get(deduplicationStore.nodeRow(node.id))?.length).toBe(
			STORE_ENTRIES,
		);
		const again = await run(node, rows('a', 'b', 'c', 'd', 'e'));
		expect(again.output('Seedance').every((item) => item.json.pickedUpByKey === true)).toBe(true);
		expect(emulator.count('create')).toBe(5);
	});

	// Left: a key the limit cut after its length bits is forgotten (documented: a new video), but the
	// bits left of its old task mix with the new task's, so the next run cannot read it back and
	// refuses "may already exist" instead of picking it up (no second payment).
	it.failing('a key cut by the limit and made again is picked up by the next run', async () => {
		const node = keyed();
		await run(node, rows('a'));
		const digest = keyDigest('a');
		deduplicationStore.drop(node.id, [
			claimEntry(digest),
			...markerCandidates(digest).filter((entry) => entry.includes(':n')),
		]);
		await run(node, rows('a'));
		expect(emulator.count('create')).toBe(2);
		const third = await run(node, rows('a'));
		expect(third.errorOf('Seedance')).toBeUndefined();
		expect(third.output('Seedance')[0].json.pickedUpByKey).toBe(true);
	});
});
