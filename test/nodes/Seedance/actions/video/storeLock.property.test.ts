/**
 * Generated attacks on the store lock within one n8n process, in n8n-core's real engine: a few
 * executions of one workflow starting at generated moments, each holding the lock for a generated
 * time, over a lock a dead process may have left, with deletes (or their answers) and polls of the
 * store that fail now and then. Whatever happens: every execution's work runs, one at a time.
 */
import { sleep } from 'n8n-workflow';

import { deduplicationStore } from '../../../../harness/deduplicator';
import { LOCK_ROW_AT, lockEvents as events, runProbe } from '../../../../harness/lockProbe';
import { checkProperty, fc } from '../../../../property';

beforeEach(() => {
	deduplicationStore.clear();
	deduplicationStore.roundTripMs = 3;
});
afterEach(() => jest.restoreAllMocks());
afterAll(() => (deduplicationStore.roundTripMs = 0));

/** Whether each work ended before the next began (`a:start`, `a:end`, `b:start`...). */
const oneAtATime = (log: string[]) =>
	log.every((event, at) => at % 2 === 1 || log[at + 1] === event.replace(':start', ':end'));

const caseArb = fc.record({
	deadLock: fc.boolean(),
	// Each execution: when it starts (ms after the first) and how long it holds the lock.
	runs: fc.array(fc.record({ startMs: fc.nat(1200), holdMs: fc.nat(600) }), {
		minLength: 2,
		maxLength: 4,
	}),
	// Which store calls fail (by their number in the case), deletes and polls apart.
	failingDeletes: fc.uniqueArray(fc.nat(8), { maxLength: 2 }),
	// A failing delete either did nothing or went through and only its answer was lost.
	deleteAnswerLost: fc.boolean(),
	failingPolls: fc.uniqueArray(fc.nat(30), { maxLength: 3 }),
});

let round = 0;

it('executions of one process take turns under the lock, whatever breaks, and all of them run', async () => {
	await checkProperty(
		'store lock: one holder at a time, every execution runs, no lock left',
		fc.asyncProperty(
			caseArb,
			async ({ deadLock, runs, failingDeletes, deleteAnswerLost, failingPolls }) => {
				const workflow = `property-${++round}`;
				events.length = 0;
				jest.restoreAllMocks();
				if (deadLock) deduplicationStore.latest.set(`${workflow}|`, LOCK_ROW_AT(Date.now()));
				const clear = deduplicationStore.clearAllProcessedItems.bind(deduplicationStore);
				const poll = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
				let deletes = 0;
				let polls = 0;
				jest
					.spyOn(deduplicationStore, 'clearAllProcessedItems')
					.mockImplementation(async (...args) => {
						if (!failingDeletes.includes(deletes++)) return await clear(...args);
						if (deleteAnswerLost) await clear(...args);
						throw new Error('connection reset');
					});
				jest
					.spyOn(deduplicationStore, 'checkProcessedAndRecord')
					.mockImplementation(async (...args) => {
						if (failingPolls.includes(polls++))
							throw new Error('Connection terminated unexpectedly');
						return await poll(...args);
					});
				const started = Date.now();
				const finished = await Promise.all(
					runs.map(async ({ startMs, holdMs }, index) => {
						await sleep(startMs);
						const run = await runProbe(workflow, `r${index}`, {
							holdMs,
							staleMs: 1500,
							foreignMs: 60_000,
						});
						return run.errorOf('Probe')?.message;
					}),
				);
				const outcome = {
					errors: finished.filter((message) => message !== undefined),
					runsThatWorked: events.length / 2,
					oneAtATime: oneAtATime(events),
					lockLeft: deduplicationStore.latest.has(`${workflow}|`),
				};
				expect({ ...outcome, events, tookMs: Date.now() - started }).toEqual({
					errors: [],
					runsThatWorked: runs.length,
					oneAtATime: true,
					// A release that failed three times leaves its row for the stale clock.
					lockLeft: outcome.lockLeft && failingDeletes.length > 0,
					events,
					tookMs: expect.any(Number),
				});
			},
		),
		10,
		{ timeLimitMs: 150_000 },
	);
}, 180_000);
