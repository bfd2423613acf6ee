/**
 * An AI Agent runs the tool calls a model asks for in one turn at once (LangChain's agents use
 * Promise.all). The pay-once record and the budget must hold for calls that overlap, not only for
 * calls that follow each other.
 */
import { callTool } from '../../../../harness/agentTool';
import { useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 200 });

const generateTool = (options: Record<string, unknown> = {}) => ({
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
		expect(String(answers[2])).toContain('more than the limit of 56');
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
		expect(answers.filter((answer) => String(answer).includes('more than the limit'))).toHaveLength(
			1,
		);
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
