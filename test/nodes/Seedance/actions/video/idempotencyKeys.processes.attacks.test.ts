/**
 * What attacks A1/A2 (storeLock.attacks.test.ts) would cost users: a worker that took one stray
 * "foreign" answer, after a long wait for a live lock, for a Remove Duplicates row wrote the keys'
 * row without the lock from then on, and two workers running keys at once paid twice. Production
 * timings (LOCK_TIMING unchanged).
 */
import type { INode } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { deduplicationStore } from '../../../../harness/deduplicator';
import { itemsNode, runWorkflow } from '../../../../harness/n8n';
import { keyedNodeOf, registerSecondProcess } from '../../../../harness/secondProcess';
import { useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

const secondProcess = registerSecondProcess('seedanceOnWorker3');

beforeAll(() => (deduplicationStore.roundTripMs = 3));
afterAll(() => (deduplicationStore.roundTripMs = 0));

const WORKFLOW = 'attack-workflow';
const LOCK_ROW = `${WORKFLOW}|`;
const LOCK_ROW_AT = (time: number) => -(2 ** 52) + time;

const onWorker = (worker: 1 | 2, id: string) =>
	keyedNodeOf(id, worker === 2 ? secondProcess : undefined);

const run = async (node: INode, keys: string[]) =>
	await runWorkflow([itemsNode(keys.map((key) => ({ json: { key } }))), node], {
		credentials: credentials(),
		workflowId: WORKFLOW,
	});

it("after a 5 s wait for a live lock and one stamp from a worker whose clock is ahead, two workers writing at once keep each other's tasks (a re-run pays nothing)", async () => {
	deduplicationStore.clear();
	// Worker 3 holds the workflow's lock (busy, or waiting out a dead one: anything over 5 s).
	deduplicationStore.latest.set(LOCK_ROW, LOCK_ROW_AT(Date.now()));
	const waiting = run(onWorker(2, 'warm-up'), ['warm-up']);
	await sleep(5_300);
	// A fourth worker polls, its clock 250 ms ahead: worker 2's next poll reads "foreign".
	deduplicationStore.latest.set(LOCK_ROW, LOCK_ROW_AT(Date.now() + 250));
	await sleep(400);
	deduplicationStore.latest.delete(LOCK_ROW); // worker 3 ends its turn
	await waiting;

	// Later: both workers run the node at once, each its own rows (two triggers, a split batch);
	// then a re-run of every row must pick every task up.
	const again: number[] = [];
	for (let round = 0; round < 8; round++) {
		emulator.reset();
		const id = `disjoint-${round}`;
		const one = ['one-0', 'one-1'];
		const two = ['two-0', 'two-1'];
		await Promise.all([
			run(onWorker(1, id), one),
			sleep(3 * round).then(async () => await run(onWorker(2, id), two)),
		]);
		const made = emulator.count('create');
		await run(onWorker(1, id), [...one, ...two]);
		again.push(emulator.count('create') - made);
	}
	expect(again).toEqual(again.map(() => 0));
}, 60_000);
