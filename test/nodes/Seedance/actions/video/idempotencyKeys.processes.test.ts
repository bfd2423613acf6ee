/**
 * Two n8n processes (queue-mode workers) on one database: a second copy of the node's modules
 * (jest.isolateModules: its own per-process queue) shares the deduplication store, which reads
 * then writes the node's whole row with a pause between, as a database without a transaction does.
 */
import type { INode } from 'n8n-workflow';

import { deduplicationStore } from '../../../../harness/deduplicator';
import { itemsNode, runWorkflow } from '../../../../harness/n8n';
import { keyedNodeOf, registerSecondProcess } from '../../../../harness/secondProcess';
import { checkProperty, fc } from '../../../../property';
import { useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

const secondProcess = registerSecondProcess('seedanceOnWorker2');

beforeEach(() => deduplicationStore.clear());
// A database round trip between a call's read and its write, as PostgreSQL on another host has.
beforeAll(() => (deduplicationStore.roundTripMs = 3));
afterAll(() => (deduplicationStore.roundTripMs = 0));

const onWorker = (worker: 1 | 2, id: string) =>
	keyedNodeOf(id, worker === 2 ? secondProcess : undefined);

const run = async (node: INode, keys: string[]) =>
	await runWorkflow([itemsNode(keys.map((key) => ({ json: { key } }))), node], {
		credentials: credentials(),
	});

// n8n's store rewrites the node's whole row on each call: without the lock across processes two
// workers erased each other's entries (1 key on each, then a re-run of both made one again).
it('two workers running different keys at once: a later re-run picks every key up (0 new creates)', async () => {
	await checkProperty(
		'disjoint keys on two workers, then a re-run',
		fc.asyncProperty(
			fc.integer({ min: 1, max: 3 }),
			fc.integer({ min: 1, max: 3 }),
			async (left, right) => {
				emulator.reset();
				deduplicationStore.clear();
				const id = `shared-${Math.random()}`;
				const one = Array.from({ length: left }, (_, index) => `one-${index}`);
				const two = Array.from({ length: right }, (_, index) => `two-${index}`);
				await Promise.all([run(onWorker(1, id), one), run(onWorker(2, id), two)]);
				const made = emulator.count('create');
				await run(onWorker(1, id), [...one, ...two]);
				if (emulator.count('create') !== made)
					throw new Error(
						`the re-run made ${emulator.count('create') - made} videos again (of ${made})`,
					);
			},
		),
		10,
		{ timeLimitMs: 90_000 },
	);
}, 120_000);

it('two workers running the same keys at once make one video per key, and a re-run makes none', async () => {
	await checkProperty(
		'the same keys on two workers at once',
		fc.asyncProperty(fc.integer({ min: 1, max: 4 }), async (count) => {
			emulator.reset();
			deduplicationStore.clear();
			const id = `same-${Math.random()}`;
			const keys = Array.from({ length: count }, (_, index) => `row-${index}`);
			await Promise.all([run(onWorker(1, id), keys), run(onWorker(2, id), keys)]);
			if (emulator.count('create') !== count)
				throw new Error(`${emulator.count('create')} videos made for ${count} keys`);
			await run(onWorker(2, id), keys);
			if (emulator.count('create') !== count) throw new Error('the re-run made a video again');
		}),
		10,
		{ timeLimitMs: 90_000 },
	);
}, 120_000);

it('two workers one after the other: the second picks the first one’s keys up', async () => {
	await run(onWorker(1, 'sequential'), ['a', 'b']);
	const again = await run(onWorker(2, 'sequential'), ['a', 'b']);
	expect(again.output('Seedance').map((item) => item.json.pickedUpByKey)).toEqual([true, true]);
	expect(emulator.count('create')).toBe(2);
});
