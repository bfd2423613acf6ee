/**
 * The pay-once door in n8n-core's real engine: a create is named by its input item, so no way of
 * trying again (Retry On Fail in a workflow or as an AI Agent's tool, a prompt that changes between
 * tries) pays twice, and a create whose answer was lost is never sent again.
 */
import type { INode } from 'n8n-workflow';

import { callTool } from '../../../../harness/agentTool';
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 200 });

const retryOnFail: Partial<INode> = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };
const prompts = (...texts: string[]) => texts.map((prompt) => ({ json: { prompt } }));

function generate(prompt: string, settings: Partial<INode> = {}) {
	return seedanceNode(
		{ resource: 'video', operation: 'generate', prompt, options: { ...FAST } },
		settings,
	);
}

const tasksFor = (marker: string) =>
	[...emulator.tasks.values()].filter((task) => String(task.body.prompt).includes(marker)).length;

describe('Pay once: Retry On Fail in a workflow', () => {
	it('a prompt holding the time ($now) is not a new video on the next try: 2 items, 2 creates', async () => {
		const node = generate('={{ $json.prompt }} at {{ $now.toMillis() }}', retryOnFail);
		const result = await runWorkflow([itemsNode(prompts('one [fail]', 'two')), node], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')?.message).toContain('failed');
		expect(emulator.count('create')).toBe(2);
		expect(tasksFor('one')).toBe(1);
		expect(tasksFor('two')).toBe(1);
	});
});

describe('Pay once: Retry On Fail as an AI Agent tool (each try has a new run index)', () => {
	const generateTool = { operation: 'generate', prompt: "={{ $fromAI('prompt') }}" };

	it.each([
		[
			'whose answer was lost',
			{ kind: 'resetAfterCreate' as const },
			/may already have created the video/,
		],
		['answered with HTTP 500', { kind: 'status' as const, code: 500 }, /^Error:/],
	])('a create %s is not sent again by the next try', async (_what, fault, answered) => {
		emulator.inject('create', fault);
		const [answer] = await callTool(
			credentials(),
			generateTool,
			[{ prompt: 'A lighthouse' }],
			retryOnFail,
		);
		expect(emulator.count('create')).toBe(1);
		expect(String(answer)).toMatch(answered);
	});

	it('different calls are different videos; the same call again in one execution is the same one', async () => {
		const answers = (await callTool(credentials(), generateTool, [
			{ prompt: 'A lighthouse' },
			{ prompt: 'A harbour' },
			{ prompt: 'A lighthouse' },
		])) as Array<Array<{ taskId: string }>>;
		expect(emulator.count('create')).toBe(2);
		expect(answers[2][0].taskId).toBe(answers[0][0].taskId);
		expect(answers[1][0].taskId).not.toBe(answers[0][0].taskId);
	});
});
