/**
 * Attacks on the store lock (storeLock.ts), in n8n-core's real engine. Another n8n process holding
 * or polling the lock row is stood for by writing its row in the shared store, as storeLock.test.ts
 * does; timings are scaled down through the probe's `staleMs` / `foreignMs` (production: 30 s / 5 s).
 *
 * Each test is a way the lock could let two writers in, or harm a row that is not its own. The
 * known limits of n8n's store (no compare-and-delete, a counter row written back whole) are listed
 * in docs/idempotency.md.
 */
import { sleep } from 'n8n-workflow';

import { waitFor } from '../../../../helpers';
import { deduplicationStore } from '../../../../harness/deduplicator';
import {
	LOCK_ROW_AT,
	lockEvents as events,
	lockProbeHooks,
	runProbe,
} from '../../../../harness/lockProbe';

/** Set while a simulated holder in another process is inside its critical section. */
let otherInside = false;
/** Work that began while another process was inside (two writers at once: the failure). */
const overlaps: string[] = [];
lockProbeHooks.onStart = (label) => {
	if (otherInside) overlaps.push(label);
};

beforeEach(() => {
	events.length = 0;
	overlaps.length = 0;
	otherInside = false;
	deduplicationStore.clear();
	deduplicationStore.roundTripMs = 3;
});
afterEach(() => jest.restoreAllMocks());
afterAll(() => (deduplicationStore.roundTripMs = 0));

type Delete = typeof deduplicationStore.clearAllProcessedItems;
/** One answer of the store to a delete, given the real delete. */
type DeleteAnswer = (real: Delete, ...args: Parameters<Delete>) => ReturnType<Delete>;

/** The store's deletes answered in turn by `answers`, then as usual; the spy counts them. */
function deletesAnswering(...answers: DeleteAnswer[]) {
	const real = deduplicationStore.clearAllProcessedItems.bind(deduplicationStore);
	const spy = jest.spyOn(deduplicationStore, 'clearAllProcessedItems');
	for (const answer of answers)
		spy.mockImplementationOnce(async (...args) => await answer(real, ...args));
	return spy.mockImplementation(real);
}

/** A delete that never reached the row. */
const refused: DeleteAnswer = async () => {
	throw new Error('connection reset');
};

// `since` is the start of the whole wait, never of a streak of "foreign" answers: a waiter that has
// waited foreignMs (5 s) for a live lock and then reads ONE stamp at or above its own (another
// waiter polled a moment earlier on a clock a few ms ahead, or in the same millisecond) gives the
// lock up for good and writes beside the holder.
it('A1: one "foreign" answer after a long wait on a live lock does not let the waiter in beside the holder', async () => {
	deduplicationStore.latest.set('skew|', LOCK_ROW_AT(Date.now()));
	otherInside = true; // another worker holds the lock (its writes are in flight)
	const waiting = runProbe('skew', 'waiter', { foreignMs: 500, staleMs: 60_000 });
	await sleep(700); // a wait longer than foreignMs, all of it "held"
	// A third worker, its clock 250 ms ahead, polls the lock: the row's value is now above the stamps
	// of our next poll (200 ms later at most). (Same with a few ms of skew when the polls fall close.)
	deduplicationStore.latest.set('skew|', LOCK_ROW_AT(Date.now() + 250));
	await sleep(400);
	const inBeside = [...events];
	otherInside = false;
	deduplicationStore.latest.delete('skew|');
	await waiting;
	expect(overlaps).toEqual([]);
	expect(inBeside).toEqual([]);
});

// The same, with no clock skew and nobody but this process: two executions of one process (two
// keyed Seedance nodes of one workflow, or two workers with the same clock) wait out a lock left by a
// dead process. Their polls race in the database; one reads the other's newer stamp.
it('A2: two waiters outwaiting a dead lock: afterwards the process still honours a live lock', async () => {
	// A database round trip BEFORE the read too (the harness reads at the call's first instant):
	// a poll that starts first can read a row the later one has already written.
	const original = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
	jest.spyOn(deduplicationStore, 'checkProcessedAndRecord').mockImplementation(async (...args) => {
		await sleep(Math.floor(Math.random() * 10));
		return await original(...args);
	});
	deduplicationStore.latest.set('dead|', LOCK_ROW_AT(Date.now()));
	const timing = { foreignMs: 300, staleMs: 3000 };
	await Promise.all([
		runProbe('dead', 'one', timing),
		runProbe('dead', 'two', timing),
		runProbe('dead', 'three', timing),
	]);
	// Now another worker holds the lock: this process must wait for it, not write beside it.
	deduplicationStore.latest.set('dead|', LOCK_ROW_AT(Date.now()));
	otherInside = true;
	await runProbe('dead', 'later', { foreignMs: 60_000, staleMs: 60_000 }, 500);
	expect(overlaps).toEqual([]);
}, 20_000);

// The "foreign" verdict is for the process's lifetime: once a Remove Duplicates row made this worker
// give the lock up, the user moving that node to Scope: Node (or Clean Database) does not bring the
// lock back on this worker, while the other workers lock again: it writes beside them.
it('A3: the no-lock fallback ends when the Remove Duplicates row is gone', async () => {
	deduplicationStore.rows.set('sticky|', ['their entry']);
	await runProbe('sticky', 'beside', { foreignMs: 200 });
	deduplicationStore.rows.delete('sticky|'); // the user fixed their Remove Duplicates node
	// Another worker (that never saw the row) takes the lock and writes.
	deduplicationStore.latest.set('sticky|', LOCK_ROW_AT(Date.now()));
	otherInside = true;
	await runProbe('sticky', 'after', { foreignMs: 60_000, staleMs: 60_000 }, 500);
	expect(overlaps).toEqual([]);
});

// A release that fails (one database error) leaves the row: every later turn of every worker, this
// one included, waits the whole stale time (30 s) although this process knows the lock is its own.
it('A8: one failed release does not stall the next turn for the stale time', async () => {
	deletesAnswering(refused);
	await runProbe('release-fail', 'first');
	const started = Date.now();
	await runProbe('release-fail', 'next', { staleMs: 3000 });
	expect(Date.now() - started).toBeLessThan(1000);
});

// An error answer restarts the stale clock (`since = now`) and a good answer restarts the failing
// clock: a dead lock and a database that fails one call in a few is never broken, never given up:
// an unstoppable write-down (settleKey) waits forever.
it('A9: a dead lock is still broken when some polls fail', async () => {
	deduplicationStore.latest.set('flaky|', LOCK_ROW_AT(Date.now() - 1000));
	const original = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
	let calls = 0;
	jest.spyOn(deduplicationStore, 'checkProcessedAndRecord').mockImplementation(async (...args) => {
		if (++calls % 3 === 0) throw new Error('Connection terminated unexpectedly');
		return await original(...args);
	});
	const run = runProbe('flaky', 'late', { staleMs: 600, foreignMs: 60_000 }, 4000);
	await run;
	expect(events).toEqual(['late:start', 'late:end']);
}, 10_000);

// A release that keeps failing (the database gone) must not hold the node forever: three tries,
// then the work's result stands and the row is left for the stale clock of the next turn.
it('A10: a release that keeps failing is tried three times, then the work result stands', async () => {
	const clear = jest
		.spyOn(deduplicationStore, 'clearAllProcessedItems')
		.mockImplementation(async () => {
			throw new Error('connection reset');
		});
	const run = await runProbe('release-gone', 'only');
	expect(run.errorOf('Probe')).toBeUndefined();
	expect(events).toEqual(['only:start', 'only:end']);
	expect(clear).toHaveBeenCalledTimes(3);
	expect(deduplicationStore.latest.has('release-gone|')).toBe(true);
});

// Two processes making the lock row at one instant: the database refuses the second (a unique key).
// That is another holder, not a failing store: it is waited for, never an error after the stale time.
it('A11: losing the race to make the lock row, again and again, is waiting, not a failure', async () => {
	const original = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
	const until = Date.now() + 700;
	jest.spyOn(deduplicationStore, 'checkProcessedAndRecord').mockImplementation(async (...args) => {
		if (Date.now() < until)
			throw new Error('duplicate key value violates unique constraint "PK_processed_data"');
		return await original(...args);
	});
	const run = await runProbe('race', 'loser', { staleMs: 300, foreignMs: 60_000 }, 4000);
	expect(run.errorOf('Probe')).toBeUndefined();
	expect(events).toEqual(['loser:start', 'loser:end']);
});

// A workflow once seen with a Remove Duplicates counter takes one look per turn. Once its row is a
// live lock again, a single stamp from a worker whose clock is ahead must not let it in beside the
// holder (A1 for a workflow that was foreign), in this wait or the next.
it('A12: a workflow that had a Remove Duplicates row honours a live lock again, from its first held answer', async () => {
	deduplicationStore.latest.set('mixed|', 42);
	await runProbe('mixed', 'first', { foreignMs: 200, staleMs: 60_000 });
	expect(events).toEqual(['first:start', 'first:end']);
	// Known for this process from then on: its next turn takes one look, not foreignMs again.
	const started = Date.now();
	await runProbe('mixed', 'again', { foreignMs: 10_000, staleMs: 60_000 });
	expect(Date.now() - started).toBeLessThan(5000);
	// Answers counted once they are read (a call counted when sent could still read the next row).
	const original = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
	let answered = 0;
	jest.spyOn(deduplicationStore, 'checkProcessedAndRecord').mockImplementation(async (...args) => {
		const answer = await original(...args);
		answered++;
		return answer;
	});
	for (const label of ['second', 'third']) {
		events.length = 0;
		// A live lock, its stamp a second old: this waiter's first stamps are above it ("held").
		deduplicationStore.latest.set('mixed|', LOCK_ROW_AT(Date.now() - 1000));
		otherInside = true;
		answered = 0;
		const waiting = runProbe('mixed', label, { foreignMs: 10_000, staleMs: 60_000 });
		await waitFor(() => answered >= 1, 10_000, 'a held answer');
		// A worker whose clock is 5 s ahead polls: every stamp of this waiter reads "foreign" now.
		deduplicationStore.latest.set('mixed|', LOCK_ROW_AT(Date.now() + 5000));
		await waitFor(() => answered >= 3, 10_000, 'two foreign answers');
		const inBeside = [...events];
		otherInside = false;
		deduplicationStore.latest.delete('mixed|');
		await waiting;
		expect({ label, inBeside, overlaps }).toEqual({ label, inBeside: [], overlaps: [] });
	}
});

/** Whether each work under the lock ended before the next began (`a:start`, `a:end`, `b:start`...). */
const oneAtATime = (log: string[]) =>
	log.every((event, at) => at % 2 === 1 || log[at + 1] === event.replace(':start', ':end'));

// Three executions of one process wait on a lock a dead process left. The first to break it takes a
// new row; the others' stale clocks have run out too, and must not break that live row in turn.
it('A13: waiters outwaiting one dead lock take turns after it is broken', async () => {
	deduplicationStore.latest.set('after-break|', LOCK_ROW_AT(Date.now()));
	const timing = { staleMs: 3000, foreignMs: 60_000, holdMs: 500 };
	// Started a second apart: the second's stale clock runs out while the first holds its new row.
	const runs = [runProbe('after-break', 'one', timing)];
	await sleep(1000);
	runs.push(runProbe('after-break', 'two', timing));
	await sleep(1000);
	runs.push(runProbe('after-break', 'three', timing));
	await Promise.all(runs);
	expect(events).toHaveLength(6);
	expect({ events, oneAtATime: oneAtATime(events) }).toEqual({ events, oneAtATime: true });
}, 20_000);

// A lost race to make the row is proof of a live lock, like a held answer: a workflow that once had a
// Remove Duplicates counter then waits foreignMs on "foreign" answers, not one look beside the holder.
it('A14: after a lost race, a workflow that had a Remove Duplicates counter waits for the live lock', async () => {
	deduplicationStore.latest.set('raced|', 42);
	await runProbe('raced', 'first', { foreignMs: 200, staleMs: 60_000 });
	events.length = 0;
	deduplicationStore.latest.delete('raced|');
	const original = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
	let answered = 0;
	jest
		.spyOn(deduplicationStore, 'checkProcessedAndRecord')
		.mockImplementationOnce(async () => {
			// Another worker made the row at this instant, its clock 5 s ahead: every stamp reads "foreign".
			deduplicationStore.latest.set('raced|', LOCK_ROW_AT(Date.now() + 5000));
			otherInside = true;
			answered++;
			throw new Error('duplicate key value violates unique constraint "PK_processed_data"');
		})
		.mockImplementation(async (...args) => {
			const answer = await original(...args);
			answered++;
			return answer;
		});
	const waiting = runProbe('raced', 'second', { foreignMs: 10_000, staleMs: 60_000 });
	await waitFor(() => answered >= 3, 10_000, 'a lost race and two foreign answers');
	const inBeside = [...events];
	otherInside = false;
	deduplicationStore.latest.delete('raced|');
	await waiting;
	expect({ inBeside, overlaps }).toEqual({ inBeside: [], overlaps: [] });
});

// Breaking a dead lock is a delete: one database error there must not fail the write-down waiting
// behind it (the delete is tried again after the next stale time).
it('A15: a failed delete of a dead lock is tried again, not an error', async () => {
	deduplicationStore.latest.set('break-fail|', LOCK_ROW_AT(Date.now()));
	const clear = deletesAnswering(refused);
	const run = await runProbe('break-fail', 'late', { staleMs: 300, foreignMs: 60_000 }, 5000);
	expect(run.errorOf('Probe')).toBeUndefined();
	expect(events).toEqual(['late:start', 'late:end']);
	expect(clear.mock.calls.length).toBeGreaterThanOrEqual(3); // failed break, break, release
}, 10_000);

// Two failed deletes in a row (the second one stale time after the first) are not yet an error:
// the third try breaks the lock and the write-down runs (a generated case found this).
it('A23: a dead lock whose delete fails twice in a row is broken on the third try', async () => {
	deduplicationStore.latest.set('break-fail-twice|', LOCK_ROW_AT(Date.now()));
	const clear = deletesAnswering(refused, refused);
	const run = await runProbe('break-fail-twice', 'late', { staleMs: 300, foreignMs: 60_000 }, 5000);
	expect(run.errorOf('Probe')).toBeUndefined();
	expect(events).toEqual(['late:start', 'late:end']);
	expect(clear).toHaveBeenCalledTimes(4); // two failed breaks, the break, the release
}, 10_000);

// Failures count in a row only: a lock broken after two failures, then taken by a worker that
// died too, gets three tries of its own.
it('A24: a dead lock broken on the third try, then another, gets three tries again', async () => {
	deduplicationStore.latest.set('break-fail-again|', LOCK_ROW_AT(Date.now()));
	const clear = deletesAnswering(
		refused,
		refused,
		async (real, ...args) => {
			await real(...args);
			// Another worker takes the lock at once, and dies holding it.
			deduplicationStore.latest.set('break-fail-again|', LOCK_ROW_AT(Date.now()));
		},
		refused,
	);
	const run = await runProbe('break-fail-again', 'late', { staleMs: 300, foreignMs: 60_000 }, 5000);
	expect(run.errorOf('Probe')).toBeUndefined();
	expect(events).toEqual(['late:start', 'late:end']);
	expect(clear).toHaveBeenCalledTimes(6); // 2 failed, broken, 1 failed, broken, the release
}, 10_000);

// A workflow marked for a Remove Duplicates counter that is gone: this process takes the lock itself
// (the row was missing), and another execution of it, whose poll waited in the database pool, reads
// the holder's newer stamp as "foreign": the mark must not let it in with one look.
it('A16: once this process takes the lock, its other executions stop taking one look', async () => {
	deduplicationStore.latest.set('marked|', 42);
	await runProbe('marked', 'first', { foreignMs: 200, staleMs: 60_000 });
	deduplicationStore.latest.delete('marked|');
	events.length = 0;
	const original = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
	let calls = 0;
	jest.spyOn(deduplicationStore, 'checkProcessedAndRecord').mockImplementation(async (...args) => {
		if (++calls === 1) await sleep(40); // the first call (two's) waits for a pool connection
		return await original(...args);
	});
	const timing = { foreignMs: 10_000, staleMs: 60_000 };
	const two = runProbe('marked', 'two', { ...timing, holdMs: 50 });
	await waitFor(() => calls >= 1, 5000, 'the first poll');
	const one = runProbe('marked', 'one', { ...timing, holdMs: 400 });
	await Promise.all([one, two]);
	expect({ events, oneAtATime: oneAtATime(events) }).toEqual({ events, oneAtATime: true });
}, 20_000);

// A dead lock whose delete always fails (a DELETE refused on a lock timeout) while polls answer:
// an unstoppable write-down fails with the store's error at the third failed break, never waits forever.
it('A17: a break that keeps failing ends in the store error', async () => {
	deduplicationStore.latest.set('no-delete|', LOCK_ROW_AT(Date.now()));
	const clear = jest
		.spyOn(deduplicationStore, 'clearAllProcessedItems')
		.mockImplementation(async () => {
			throw new Error('canceling statement due to lock timeout');
		});
	const timing = { staleMs: 300, foreignMs: 60_000, stoppable: false };
	const run = await runProbe('no-delete', 'settle', timing);
	expect(run.errorOf('Probe')?.message).toContain('lock timeout');
	expect(events).toEqual([]);
	expect(clear).toHaveBeenCalledTimes(3); // three breaks, each failed; no lock held, no release
}, 20_000);

// A release whose delete went through but whose answer was lost is tried again: by then another
// execution of this process may hold a new row, which the retry must not delete.
it('A18: a release tried again spares the row of the next holder of this process', async () => {
	deletesAnswering(async (real, ...args) => {
		await real(...args);
		throw new Error('Connection terminated unexpectedly');
	});
	const runs = [runProbe('release-lost', 'a', { holdMs: 30 })];
	await waitFor(() => events.includes('a:start'), 5000, 'a to hold the lock');
	runs.push(runProbe('release-lost', 'b', { holdMs: 600 }));
	await waitFor(() => events.includes('b:start'), 5000, 'b to hold the lock');
	runs.push(runProbe('release-lost', 'c', { holdMs: 100 }));
	await Promise.all(runs);
	expect({ events, oneAtATime: oneAtATime(events) }).toEqual({ events, oneAtATime: true });
}, 20_000);

// Another process took this process's row for a dead one and deleted it (a turn slower than its
// stale time): a waiter of this process must still not go in beside its own live turn.
it('A19: a waiter never goes in beside a turn of its own process whose row another process deleted', async () => {
	const original = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
	jest.spyOn(deduplicationStore, 'checkProcessedAndRecord').mockImplementation(async (...args) => {
		const answer = await original(...args);
		// The waiter read the lock held; at once another process breaks it.
		if (args[2].node?.id === 'probe-waiter') deduplicationStore.latest.delete('broken-row|');
		return answer;
	});
	const timing = { staleMs: 5000, foreignMs: 60_000 };
	const runs = [runProbe('broken-row', 'holder', { ...timing, holdMs: 800 })];
	await waitFor(() => events.includes('holder:start'), 5000, 'holder to hold the lock');
	runs.push(runProbe('broken-row', 'waiter', { ...timing, holdMs: 20 }));
	await Promise.all(runs);
	expect(events).toEqual(['holder:start', 'holder:end', 'waiter:start', 'waiter:end']);
}, 20_000);

// A turn of this process that never ends (a store call that never answers) must not hold its other
// executions for ever, the write-downs that ignore Stop included: past twice the stale time it is hung.
it('A20: an unstoppable waiter behind a hung turn of its own process goes on after twice the stale time', async () => {
	const timing = { staleMs: 300, foreignMs: 60_000 };
	const runs = [runProbe('hung', 'hung', { ...timing, holdMs: 4000 })];
	await waitFor(() => events.includes('hung:start'), 5000, 'the hung turn to start');
	runs.push(runProbe('hung', 'settle', { ...timing, holdMs: 20, stoppable: false }));
	await waitFor(() => events.includes('settle:end'), 3000, 'the waiter to go on');
	expect(events).toEqual(['hung:start', 'settle:start', 'settle:end']);
	await Promise.all(runs);
}, 20_000);

/**
 * A release whose first delete went through but whose answer was lost deletes again. Polls of other
 * executions that waited in the database pool since before that turn (`pooled`) are answered while
 * the second delete is on its way (`between`: a row they take is deleted), or after it.
 */
function retriedRelease(pooled: Array<{ label: string; answered: 'between' | 'after' }>) {
	const deletes = deduplicationStore.clearAllProcessedItems.bind(deduplicationStore);
	const polls = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
	const state = { secondSent: false, secondDeleted: false, answered: new Set<string>() };
	const asked = new Map<string, number>();
	jest
		.spyOn(deduplicationStore, 'clearAllProcessedItems')
		.mockImplementationOnce(async (...args) => {
			await deletes(...args);
			throw new Error('Connection terminated unexpectedly');
		})
		.mockImplementationOnce(async (...args) => {
			state.secondSent = true;
			const between = pooled.filter(({ answered }) => answered === 'between');
			await waitFor(
				() => between.every(({ label }) => state.answered.has(label)),
				5000,
				'the polls pooled since before to be answered',
			);
			await deletes(...args);
			state.secondDeleted = true;
		})
		.mockImplementation(deletes);
	jest.spyOn(deduplicationStore, 'checkProcessedAndRecord').mockImplementation(async (...args) => {
		const label = String(args[2].node?.id).replace('probe-', '');
		const times = (asked.get(label) ?? 0) + 1;
		asked.set(label, times);
		const held = times === 1 ? pooled.find((poll) => poll.label === label) : undefined;
		if (held)
			await waitFor(
				() => (held.answered === 'between' ? state.secondSent : state.secondDeleted),
				10_000,
				`the second delete (${held.answered})`,
			);
		const answer = await polls(...args);
		if (held) state.answered.add(label);
		return answer;
	});
	return { asked };
}

// A poll of another execution pooled since before this turn takes a new row between the two
// deletes, and the second delete removes it: a third execution must still not go in beside.
it('A21: a release tried again that deletes the next holder’s new row lets no third execution in', async () => {
	const { asked } = retriedRelease([{ label: 'slow', answered: 'between' }]);
	const runs = [runProbe('retried', 'slow', { holdMs: 600 })];
	await waitFor(() => asked.get('slow') === 1, 5000, 'the pooled poll');
	runs.push(runProbe('retried', 'first', { holdMs: 300 }));
	await waitFor(() => events.includes('first:start'), 5000, 'first to hold the lock');
	runs.push(runProbe('retried', 'third', { holdMs: 50 }));
	await Promise.all(runs);
	expect({ events, oneAtATime: oneAtATime(events) }).toEqual({ events, oneAtATime: true });
	expect(events).toHaveLength(6);
}, 30_000);

// Two polls pooled since before this turn: one answered between the deletes (its row then deleted),
// one after both. The first answer came while this process's turn was still releasing: it waits.
it('A22: a pooled poll answered while a turn of this process is still releasing does not go in', async () => {
	const { asked } = retriedRelease([
		{ label: 'slow', answered: 'between' },
		{ label: 'fourth', answered: 'after' },
	]);
	const runs = [
		runProbe('pooled', 'slow', { holdMs: 600 }),
		runProbe('pooled', 'fourth', { holdMs: 50 }),
	];
	await waitFor(() => asked.get('slow') === 1 && asked.get('fourth') === 1, 5000, 'pooled polls');
	runs.push(runProbe('pooled', 'first', { holdMs: 300 }));
	await Promise.all(runs);
	expect({ events, oneAtATime: oneAtATime(events) }).toEqual({ events, oneAtATime: true });
	expect(events).toHaveLength(6);
}, 30_000);
