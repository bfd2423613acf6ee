import type { INode } from 'n8n-workflow';

import { callTool as callAgentTool } from '../../../../harness/agentTool';
import { useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 400 });

const callTool = (parameters: INode['parameters'], args: Array<Record<string, unknown>>) =>
	callAgentTool(credentials(), parameters, args);

describe('As an AI Agent tool (n8n-core tool wrapper)', () => {
	it('Generate answers with the new task at once: compact, no raw, no binary, no wait', async () => {
		const [answer] = await callTool(
			{
				operation: 'generate',
				prompt: "={{ $fromAI('prompt', 'What the video shows', 'string') }}",
			},
			[{ prompt: 'A lighthouse at dawn' }],
		);
		expect(answer).toEqual([
			expect.objectContaining({
				taskId: expect.any(String),
				state: expect.stringMatching(/queued|running/),
				estimatedCredits: 28,
			}),
		]);
		const [task] = answer as Array<Record<string, unknown>>;
		expect(task).not.toHaveProperty('raw');
		expect(emulator.count('create')).toBe(1);
		expect(emulator.count('status')).toBe(0);
		expect(emulator.tasks.get(String(task.taskId))?.body.prompt).toBe('A lighthouse at dawn');
	});

	it('Wait and Get Status answer in the compact form, without downloading the video', async () => {
		const [created] = (await callTool(
			{ operation: 'generate', prompt: "={{ $fromAI('prompt') }}" },
			[{ prompt: 'A paper boat' }],
		)) as Array<Array<Record<string, unknown>>>;
		const taskId = String(created[0].taskId);
		const [waited] = (await callTool(
			{
				operation: 'wait',
				taskId: "={{ $fromAI('taskId', 'ID of the video task', 'string') }}",
				options: { pollInterval: 0.1 },
			},
			[{ taskId }],
		)) as Array<Array<Record<string, unknown>>>;
		expect(waited).toEqual([
			expect.objectContaining({ taskId, state: 'succeeded', videoUrl: expect.any(String) }),
		]);
		expect(waited[0]).not.toHaveProperty('raw');
		const [status] = (await callTool(
			{ operation: 'getStatus', taskId: "={{ $fromAI('taskId') }}" },
			[{ taskId }],
		)) as Array<Array<Record<string, unknown>>>;
		expect(status).toEqual([expect.objectContaining({ taskId, state: 'succeeded' })]);
		expect(status[0]).not.toHaveProperty('raw');
		expect(emulator.count('download')).toBe(0);
	});

	it('tells the agent plainly what went wrong, and what to do', async () => {
		const [answer] = await callTool(
			{ operation: 'getStatus', taskId: "={{ $fromAI('taskId') }}" },
			[{ taskId: 'no-such-task_seedance' }],
		);
		expect(String(answer)).toMatch(/^Error: Task no-such-task_seedance was not found/);
		expect(String(answer)).toContain('Details: Check the task ID.');
	});
});
