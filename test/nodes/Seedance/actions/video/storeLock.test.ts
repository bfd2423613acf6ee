/**
 * The lock across n8n processes around the Idempotency Keys' store, in n8n-core's real engine: a
 * probe node runs its work under the lock, several executions at once stand for several workers.
 */
import { sleep } from 'n8n-workflow';

import { LOCK_TIMING } from '../../../../../nodes/Seedance/actions/video/storeLock';
import * as timing from '../../../../../nodes/shared/domain/timing';
import { deduplicationStore } from '../../../../harness/deduplicator';
import { itemsNode, runWorkflow } from '../../../../harness/n8n';
import { LOCK_ROW_AT, lockEvents as events, probe, runProbe } from '../../../../harness/lockProbe';
import { waitFor } from '../../../../helpers';

beforeEach(() => {
	events.length = 0;
	deduplicationStore.clear();
	deduplicationStore.roundTripMs = 3;
});
afterAll(() => (deduplicationStore.roundTripMs = 0));

it('executions writing at once take turns: one holds the lock at a time, and none is left', async () => {
	const labels = ['a', 'b', 'c', 'd'];
	const runs = await Promise.all(labels.map(async (label) => await runProbe('turns', label)));
	expect(runs.map((run) => run.errorOf('Probe'))).toEqual(labels.map(() => undefined));
	expect(events).toHaveLength(8);
	for (let index = 0; index < events.length; index += 2) {
		const label = events[index].split(':')[0];
		expect(events.slice(index, index + 2)).toEqual([`${label}:start`, `${label}:end`]);
	}
	expect(deduplicationStore.latest.has('turns|')).toBe(false);
});

it('a lock left by a process that died is broken once it has been held for the stale time', async () => {
	deduplicationStore.latest.set('stale|', LOCK_ROW_AT(Date.now() - 1000));
	const started = Date.now();
	const run = await runProbe('stale', 'late', { staleMs: 300 });
	expect(run.errorOf('Probe')).toBeUndefined();
	expect(events).toEqual(['late:start', 'late:end']);
	expect(Date.now() - started).toBeGreaterThanOrEqual(300);
	expect(deduplicationStore.latest.has('stale|')).toBe(false);
});

it('a lock another execution holds is waited for, not broken, within the stale time', async () => {
	deduplicationStore.latest.set('held|', LOCK_ROW_AT(Date.now()));
	const waiting = runProbe('held', 'second', { staleMs: 60_000 });
	await sleep(300);
	expect(events).toEqual([]);
	deduplicationStore.latest.delete('held|');
	expect((await waiting).errorOf('Probe')).toBeUndefined();
	expect(events).toEqual(['second:start', 'second:end']);
});

it("a Remove Duplicates node's row of the workflow (entries) is left alone: the work runs without a lock", async () => {
	deduplicationStore.rows.set('foreign|', ['their entry']);
	const run = await runProbe('foreign', 'beside', { foreignMs: 200 });
	expect(run.errorOf('Probe')).toBeUndefined();
	expect(events).toEqual(['beside:start', 'beside:end']);
	expect(deduplicationStore.rows.get('foreign|')).toEqual(['their entry']);
	expect(deduplicationStore.latest.has('foreign|')).toBe(false);
	// Known for this process from then on: the next run does not wait for it again.
	const started = Date.now();
	await runProbe('foreign', 'again', { foreignMs: 10_000 });
	expect(Date.now() - started).toBeLessThan(10_000);
});

it("a Remove Duplicates node's counter of the workflow keeps its value and is never deleted", async () => {
	deduplicationStore.latest.set('counter|', 42);
	const run = await runProbe('counter', 'beside', { foreignMs: 200, staleMs: 300 });
	expect(run.errorOf('Probe')).toBeUndefined();
	expect(events).toEqual(['beside:start', 'beside:end']);
	expect(deduplicationStore.latest.get('counter|')).toBe(42);
});

it('a store that keeps failing fails the node once the stale time is over; the work never runs', async () => {
	const failing = jest
		.spyOn(deduplicationStore, 'checkProcessedAndRecord')
		.mockRejectedValue(new Error('the database is locked'));
	try {
		const run = await runProbe('failing', 'never', { staleMs: 300 });
		expect(run.errorOf('Probe')?.message).toMatch(/the database is locked/);
		expect(failing.mock.calls.length).toBeGreaterThan(1);
		expect(events).toEqual([]);
	} finally {
		failing.mockRestore();
	}
});

it('a Stop while waiting for the lock ends the wait: the work never runs, the other’s lock stays', async () => {
	deduplicationStore.latest.set('stopped|', LOCK_ROW_AT(Date.now()));
	await runProbe('stopped', 'never', { staleMs: 60_000 }, 300);
	expect(events).toEqual([]);
	expect(deduplicationStore.latest.has('stopped|')).toBe(true);
});

it('a write-down (what a create became) is not ended by Stop: it waits for the lock and is written', async () => {
	deduplicationStore.latest.set('writes|', LOCK_ROW_AT(Date.now()));
	let stopped = false;
	const asked = deduplicationStore.operations;
	const running = runWorkflow([itemsNode([{ json: {} }]), probe('settle', { stoppable: false })], {
		workflowId: 'writes',
		// Stop once the probe has asked for the lock (the node is running).
		cancelWhen: () => deduplicationStore.operations > asked,
		afterCancel: () => (stopped = true),
	});
	await waitFor(() => stopped, 5000, 'the stop');
	await sleep(300);
	expect(events).toEqual([]);
	deduplicationStore.latest.delete('writes|');
	await running.catch(() => undefined);
	await waitFor(() => events.length === 2, 5000, 'the write after the stop');
	expect(events).toEqual(['settle:start', 'settle:end']);
});

it('a waiter asks again after 25, 50, 100 ms, then every 200 ms', async () => {
	const pauses = jest.spyOn(timing, 'pause');
	try {
		deduplicationStore.latest.set('backoff|', LOCK_ROW_AT(Date.now()));
		const waiting = runProbe('backoff', 'waiter', { staleMs: 60_000 });
		await waitFor(() => pauses.mock.calls.length >= 6, 10_000, 'six pauses');
		deduplicationStore.latest.delete('backoff|');
		await waiting;
		expect(pauses.mock.calls.slice(0, 6).map(([ms]) => ms)).toEqual([25, 50, 100, 200, 200, 200]);
	} finally {
		pauses.mockRestore();
	}
});

it('a lock is taken for dead after 30 s held, a row for not a lock after 5 s of other numbers', () => {
	expect(LOCK_TIMING).toEqual({ staleMs: 30_000, foreignMs: 5_000 });
});
