/**
 * Generated attacks on the pay-once door: random service faults on every request, random n8n
 * settings (Retry On Fail with 2-5 tries, Continue On Fail, the error output, a prompt that
 * changes between tries, the node as an AI Agent's tool). Whatever happens, no input item is
 * ever charged for more than one task, and no create is re-sent after it may have been processed.
 */
import type { INode } from 'n8n-workflow';

import { callTool } from '../../../../harness/agentTool';
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { checkProperty, fc } from '../../../../property';
import { sentAgainAfterPaid, useEmulator } from '../../../../helpers';
import type { Fault } from '../../../../emulator/server';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

const faultArb: fc.Arbitrary<Fault | null> = fc.oneof(
	{ weight: 4, arbitrary: fc.constant(null) },
	fc.constantFrom<Fault>(
		{ kind: 'status', code: 500 },
		{ kind: 'status', code: 502 },
		{ kind: 'status', code: 429, retryAfter: '0' },
		{ kind: 'status', code: 400 },
		{ kind: 'status', code: 401 },
		{ kind: 'reset' },
		{ kind: 'resetAfterCreate' },
		{ kind: 'malformed' },
	),
);

const scenarioArb = fc.record({
	items: fc.integer({ min: 1, max: 4 }),
	asTool: fc.boolean(),
	maxTries: fc.integer({ min: 2, max: 5 }),
	onError: fc.constantFrom('stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'),
	timeInPrompt: fc.boolean(),
	waitForCompletion: fc.boolean(),
	failTask: fc.boolean(),
	createFaults: fc.array(faultArb, { maxLength: 12 }),
	statusFaults: fc.array(faultArb, { maxLength: 4 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** Feeds each route its generated faults in order, then none. */
function injectFaults(scenario: Scenario): void {
	const queues = {
		create: [...scenario.createFaults],
		status: scenario.statusFaults.filter((fault) => fault?.kind !== 'resetAfterCreate'),
	};
	emulator.faultSource = (route) => {
		if (route === 'download') return undefined;
		return queues[route].shift() ?? undefined;
	};
}

async function play(scenario: Scenario): Promise<void> {
	const settings: Partial<INode> = {
		retryOnFail: true,
		maxTries: scenario.maxTries,
		waitBetweenTries: 0,
		onError: scenario.onError as INode['onError'],
	};
	const prompt = (index: number) =>
		`item-${index}${scenario.failTask && index === 0 ? ' [fail]' : ''}`;
	const time = scenario.timeInPrompt ? ' {{ $now.toMillis() }}' : '';
	if (scenario.asTool) {
		const args = Array.from({ length: scenario.items }, (_, index) => ({ prompt: prompt(index) }));
		await callTool(
			credentials(),
			{ operation: 'generate', prompt: `={{ $fromAI('prompt') }}${time}` },
			args,
			settings,
		).catch(() => undefined);
		return;
	}
	const node = seedanceNode(
		{
			resource: 'video',
			operation: 'generate',
			prompt: `={{ $json.prompt }}${time}`,
			waitForCompletion: scenario.waitForCompletion,
			options: { pollInterval: 0.1, maxWaitTime: 5, requestTimeout: 2, downloadVideo: false },
		},
		settings,
	);
	const items = Array.from({ length: scenario.items }, (_, index) => ({
		json: { prompt: prompt(index) },
	}));
	await runWorkflow([itemsNode(items), node], { credentials: credentials() });
}

it('random faults and retries never charge an item twice, nor re-send a create that may have been made', async () => {
	await checkProperty(
		'pay once under random faults and retries',
		fc.asyncProperty(scenarioArb, async (scenario) => {
			emulator.reset();
			injectFaults(scenario);
			await play(scenario);
			for (let index = 0; index < scenario.items; index++) {
				const marker = new RegExp(`^item-${index}\\b`);
				const charged = [...emulator.tasks.values()].filter((task) =>
					marker.test(String(task.body.prompt)),
				);
				if (charged.length > 1)
					throw new Error(`item ${index} was charged ${charged.length} times`);
				const again = sentAgainAfterPaid(emulator, marker);
				if (again) throw new Error(`item ${index}: ${again}`);
			}
		}),
		30,
		{ timeLimitMs: 90_000 },
	);
}, 120_000);

/** Batches whose items often repeat one another exactly (a CSV with the same row twice). */
const copiesArb = fc.record({
	prompts: fc.array(fc.constantFrom('a dancer', 'a cat', 'rain'), { minLength: 2, maxLength: 5 }),
	maxTries: fc.integer({ min: 1, max: 3 }),
	onError: fc.constantFrom('stopWorkflow', 'continueRegularOutput'),
	createFaults: fc.array(faultArb, { maxLength: 6 }),
});

it('identical items are each their own paid create: one task per item, never one shared', async () => {
	await checkProperty(
		'identical items, their own creates',
		fc.asyncProperty(copiesArb, async ({ prompts, maxTries, onError, createFaults }) => {
			emulator.reset();
			const queue = [...createFaults];
			emulator.faultSource = (route) =>
				route === 'create' ? (queue.shift() ?? undefined) : undefined;
			const node = seedanceNode(
				{
					resource: 'video',
					operation: 'generate',
					prompt: '={{ $json.prompt }}',
					waitForCompletion: false,
					options: { requestTimeout: 2 },
				},
				{
					retryOnFail: maxTries > 1,
					maxTries,
					waitBetweenTries: 0,
					onError: onError as INode['onError'],
				},
			);
			const items = prompts.map((prompt) => ({ json: { prompt } }));
			const result = await runWorkflow([itemsNode(items), node], { credentials: credentials() });
			const taskIds = result
				.output('Seedance')
				.map((item) => item.json.taskId)
				.filter((taskId): taskId is string => typeof taskId === 'string');
			if (new Set(taskIds).size !== taskIds.length)
				throw new Error(`items ${JSON.stringify(prompts)} share a task: ${taskIds.join(', ')}`);
			// Without a fault every item is made, each once; so it is when a try of a node that
			// stops on errors ended with output.
			const everyItemMade =
				createFaults.every((fault) => fault === null) ||
				(onError === 'stopWorkflow' && result.output('Seedance').length > 0);
			if (everyItemMade && taskIds.length !== prompts.length)
				throw new Error(`${taskIds.length} tasks for ${prompts.length} items`);
			if (emulator.tasks.size > prompts.length)
				throw new Error(`${emulator.tasks.size} tasks made for ${prompts.length} items`);
		}),
		30,
		{ timeLimitMs: 90_000 },
	);
}, 120_000);
