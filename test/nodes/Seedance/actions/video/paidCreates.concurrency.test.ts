/**
 * An AI Agent runs the tool calls a model asks for in one turn at once (LangChain's agents use
 * Promise.all). The pay-once record and the budget must hold for calls that overlap, not only for
 * calls that follow each other.
 */
import type { INodeParameters } from 'n8n-workflow';

import { callTool } from '../../../../harness/agentTool';
import { useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 200 });

const generateTool = (options: INodeParameters = {}): INodeParameters => ({
	operation: 'generate',
	prompt: "={{ $fromAI('prompt') }}",
	options,
});

describe('Parallel tool calls of one agent turn', () => {
	it('Max Credits 56 takes two 28-credit videos when the calls follow each other', async () => {
		const answers = await callTool(credentials(), generateTool({ maxCredits: 56 }), [
			{ prompt: 'A lighthouse' },
			{ prompt: 'A harbour' },
			{ prompt: 'A ferry' },
		]);
		expect(emulator.count('create')).toBe(2);
		expect(String(answers[2])).toContain('Over budget');
	});

	it('Max Credits 56 takes two 28-credit videos when the calls come at once', async () => {
		const answers = await callTool(
			credentials(),
			generateTool({ maxCredits: 56 }),
			[{ prompt: 'A lighthouse' }, { prompt: 'A harbour' }, { prompt: 'A ferry' }],
			{},
			true,
		);
		expect(emulator.count('create')).toBeLessThanOrEqual(2);
		expect(answers.filter((answer) => String(answer).includes('Over budget'))).toHaveLength(1);
	});

	it('the same call twice at once is one video, as it is when the calls follow each other', async () => {
		const answers = (await callTool(
			credentials(),
			generateTool(),
			[{ prompt: 'A lighthouse' }, { prompt: 'A lighthouse' }],
			{},
			true,
		)) as Array<Array<{ taskId: string }>>;
		expect(emulator.count('create')).toBe(1);
		expect(answers[1][0].taskId).toBe(answers[0][0].taskId);
	});
});

describe('Credits recorded before the create is sent', () => {
	it('are given back when the service certainly refused the create (HTTP 400)', async () => {
		emulator.inject('create', { kind: 'status', code: 400 });
		const answers = await callTool(credentials(), generateTool({ maxCredits: 28 }), [
			{ prompt: 'A lighthouse' },
			{ prompt: 'A harbour' },
		]);
		expect(String(answers[0])).toMatch(/^Error:/);
		expect(answers[1]).toEqual([expect.objectContaining({ taskId: expect.any(String) })]);
		expect(emulator.count('create')).toBe(2);
	});
});
