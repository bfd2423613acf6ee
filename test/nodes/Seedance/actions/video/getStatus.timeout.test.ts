/**
 * Get Status bound by its Request Timeout: reads the service does not answer in time fail, and
 * each given-up read is closed, not left running.
 */
import { generatedTaskId, itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { useEmulator, waitFor } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 200 });

const createdTask = (prompt?: string) => generatedTaskId(credentials(), prompt);

describe('Get Status: Request Timeout', () => {
	const withOptions = (taskId: string, options: Record<string, unknown>) =>
		seedanceNode({ resource: 'video', operation: 'getStatus', taskId, options });

	it('is bound by Request Timeout: reads the service does not answer in time fail the item, saying so', async () => {
		const taskId = await createdTask();
		// Every read is answered after 20 s: only the 1 s Request Timeout can end them.
		emulator.faultSource = (route) =>
			route === 'status' ? { kind: 'slow', ms: 20_000 } : undefined;
		const result = await runWorkflow(
			[itemsNode([{ json: {} }]), withOptions(taskId, { requestTimeout: 1 })],
			{ credentials: credentials() },
		);
		const error = result.errorOf('Seedance');
		expect(error?.message).toContain('did not answer in time');
		// Each try ended by the timeout, not by the 20 s answer: a few tries in all.
		expect(emulator.count('status')).toBeGreaterThan(1);
	});

	it.each([
		['still dripping in', 500],
		['stalled after its first bytes', 120_000],
	])(
		'closes a read that ran out of time: an answer %s is not left running',
		async (_how, everyMs) => {
			const taskId = await createdTask();
			const body = Buffer.from(JSON.stringify(emulator.statusBody(emulator.tasks.get(taskId)!)));
			// Each answer would take minutes to arrive whole.
			emulator.faultSource = (route) =>
				route === 'status' ? { kind: 'drip', chunkBytes: 2, everyMs, body } : undefined;
			const result = await runWorkflow(
				[itemsNode([{ json: {} }]), withOptions(taskId, { requestTimeout: 1 })],
				{ credentials: credentials() },
			);
			expect(result.errorOf('Seedance')?.message).toContain('did not answer in time');
			expect(emulator.count('status')).toBeGreaterThan(1);
			await waitFor(() => emulator.dripsUnderWay === 0, 5000, 'the given-up answers to close');
		},
	);
});
