/**
 * A stop at a random moment of a Generate (random item counts, failing tasks, concurrency, creates
 * still unanswered at the stop, a Generate that waits or not): every task the emulator made for
 * the execution is named in the node's error and in its saved context, or counted among the
 * creates the stop cut off; and no create is sent after the stop.
 */
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { checkProperty, fc } from '../../../../property';
import { FAST, useEmulator } from '../../../../helpers';
import { TASKS_IN_HAND_KEY } from '../../../../../nodes/shared/domain/bill';

const { emulator, credentials } = useEmulator();

const scenarioArb = fc.record({
	items: fc.array(
		fc.record({ fail: fc.boolean(), latencyMs: fc.integer({ min: 50, max: 3000 }) }),
		{ minLength: 1, maxLength: 6 },
	),
	concurrency: fc.integer({ min: 1, max: 3 }),
	waitForCompletion: fc.boolean(),
	// The stop: once this many creates reached the service and this many status reads followed.
	stopAtCreates: fc.integer({ min: 0, max: 6 }),
	stopAtReads: fc.integer({ min: 0, max: 4 }),
	// Creates after the first this many are made but unanswered until the stop (null: none held).
	holdCreatesAfter: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
});

let cases = 0;

describe('Stop keeps the bill (property)', () => {
	it('a stop at any moment names every task the emulator made, or counts it as cut off', async () => {
		await checkProperty(
			'stop names every task made',
			fc.asyncProperty(scenarioArb, async (scenario) => {
				emulator.reset();
				emulator.holdCreatesAfter = scenario.holdCreatesAfter;
				// A create cut off by an earlier case's stop may still land: each case knows its own.
				const mark = `case-${++cases}`;
				const ours = () =>
					[...emulator.tasks.values()].filter((task) => String(task.body.prompt).includes(mark));
				let createsAtStop = -1;
				const result = await runWorkflow(
					[
						itemsNode(
							scenario.items.map((item) => ({
								json: {
									prompt: `A dancer ${mark}${item.fail ? ' [fail]' : ''} [latency=${item.latencyMs}]`,
								},
							})),
						),
						seedanceNode({
							resource: 'video',
							operation: 'generate',
							prompt: '={{ $json.prompt }}',
							resolution: '480p',
							duration: '4',
							waitForCompletion: scenario.waitForCompletion,
							options: { ...FAST, concurrency: scenario.concurrency, maxWaitTime: 30 },
						}),
					],
					{
						credentials: credentials(),
						cancelWhen: () => {
							const items = scenario.items.length;
							// Every lane waits for a held answer: nothing moves until the stop.
							const blocked =
								emulator.heldCreates > 0 &&
								emulator.heldCreates >=
									Math.min(scenario.concurrency, items - (scenario.holdCreatesAfter ?? 0));
							const reached =
								ours().length >= Math.min(scenario.stopAtCreates, items) &&
								(!scenario.waitForCompletion || emulator.count('status') >= scenario.stopAtReads);
							return blocked || reached;
						},
						afterCancel: () => {
							createsAtStop = ours().length;
							emulator.releaseCreateAnswers();
						},
					},
				);
				const made = ours().map((task) => task.taskId);
				const error = result.errorOf('Seedance');
				if (!Array.isArray(error?.context?.seedanceTasks)) {
					// The run ended before the stop reached it: nothing is left in hand.
					expect(result.contextOf('Seedance')[TASKS_IN_HAND_KEY]).toBeUndefined();
					return;
				}
				if (!error) return;
				const context = error.context as {
					seedanceTasks?: Array<{ taskId: string }>;
					unansweredCreates?: number;
				};
				const named = (context.seedanceTasks ?? []).map((task) => task.taskId);
				const saved = Object.keys(
					(result.contextOf('Seedance')[TASKS_IN_HAND_KEY] as object | undefined) ?? {},
				);
				const unnamed = made.filter((taskId) => !named.includes(taskId));
				expect(unnamed.length).toBeLessThanOrEqual(context.unansweredCreates ?? 0);
				expect(named.every((taskId) => made.includes(taskId))).toBe(true);
				expect(saved.sort()).toEqual([...named].sort());
				for (const taskId of named) expect(error.description).toContain(taskId);
				// No create is sent after the stop: beyond those counted then, at most one in flight per lane.
				expect(ours().length).toBeLessThanOrEqual(createsAtStop + scenario.concurrency);
			}),
			12,
		);
	}, 600_000);
});
