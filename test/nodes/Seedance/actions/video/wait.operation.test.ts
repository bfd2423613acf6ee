import { generatedTaskId, runWorkflow, seedanceNode, itemsNode } from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';
import { SAMPLE_MP4 } from '../../../../emulator/server';

const { emulator, credentials } = useEmulator();

const createdTask = (prompt?: string) => generatedTaskId(credentials(), prompt);

function wait(taskId: string, options: Record<string, unknown> = {}, extra = {}) {
	return seedanceNode(
		{ resource: 'video', operation: 'wait', taskId, options: { ...FAST, ...options } },
		extra,
	);
}

describe('Wait', () => {
	it('Generate -> Wait -> download: the binary is the MP4 the service made', async () => {
		const taskId = await createdTask();
		const result = await runWorkflow([itemsNode([{ json: {} }]), wait(taskId)], {
			credentials: credentials(),
		});
		const [item] = result.output('Seedance');
		expect(item.json).toMatchObject({ taskId, state: 'succeeded' });
		const bytes = Buffer.from(item.binary!.data.data, 'base64');
		expect(bytes.equals(SAMPLE_MP4)).toBe(true);
		expect(item.binary!.data.fileSize).toBeDefined();
	});

	it('fails with the task id when the task fails', async () => {
		const taskId = await createdTask('A dancer [fail]');
		const error = (
			await runWorkflow([itemsNode([{ json: {} }]), wait(taskId)], { credentials: credentials() })
		).errorOf('Seedance');
		expect(error?.message).toBe(
			`Seedance task ${taskId} failed: Content moderation rejected the prompt`,
		);
		expect(error?.description).toContain('Credits are charged for successful videos only');
	});

	it('fails with the task id when the task expires', async () => {
		const taskId = await createdTask('A dancer [expire]');
		const error = (
			await runWorkflow([itemsNode([{ json: {} }]), wait(taskId)], { credentials: credentials() })
		).errorOf('Seedance');
		expect(error?.message).toBe(`Seedance task ${taskId} expired: Task timed out at the provider`);
	});

	it('gives up at the deadline with the task id and the last state, after a last read', async () => {
		const taskId = await createdTask('A dancer [never]');
		const started = Date.now();
		const result = await runWorkflow(
			[itemsNode([{ json: {} }]), wait(taskId, { maxWaitTime: 1.5 })],
			{ credentials: credentials() },
		);
		const error = result.errorOf('Seedance');
		expect(error?.message).toBe(`Seedance task ${taskId} did not finish within 2 seconds`);
		expect(error?.description).toContain(`use the Wait operation with task ID ${taskId}`);
		expect(Date.now() - started).toBeLessThan(5000);
		const lastRead = emulator.requests.filter((request) => request.route === 'status').at(-1)!;
		expect(lastRead.at - started).toBeGreaterThanOrEqual(1400);
	});

	it('keeps polling through unknown status words until the task ends', async () => {
		const taskId = await createdTask('A dancer [unknown-status]');
		const [item] = (
			await runWorkflow([itemsNode([{ json: {} }]), wait(taskId, { downloadVideo: false })], {
				credentials: credentials(),
			})
		).output('Seedance');
		expect(item.json).toMatchObject({ taskId, state: 'succeeded' });
		expect(emulator.count('status')).toBeGreaterThan(1);
	});

	it('turns a failure into an error item with Continue On Fail, keeping the other items', async () => {
		const ids = [await createdTask(), await createdTask('A dancer [fail]'), await createdTask()];
		const node = wait(
			'={{ $json.id }}',
			{ downloadVideo: false },
			{ onError: 'continueRegularOutput' },
		);
		const output = (
			await runWorkflow([itemsNode(ids.map((id) => ({ json: { id } }))), node], {
				credentials: credentials(),
			})
		).output('Seedance');
		expect(output.map((item) => item.json.state ?? 'error')).toEqual([
			'succeeded',
			'error',
			'succeeded',
		]);
		expect(output[1].json).toMatchObject({
			taskId: ids[1],
			error: `Seedance task ${ids[1]} failed: Content moderation rejected the prompt`,
		});
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('without Continue On Fail, the error lists the tasks that did finish', async () => {
		const ids = [await createdTask(), await createdTask('A dancer [fail]')];
		const error = (
			await runWorkflow(
				[
					itemsNode(ids.map((id) => ({ json: { id } }))),
					wait('={{ $json.id }}', { downloadVideo: false }),
				],
				{ credentials: credentials() },
			)
		).errorOf('Seedance');
		expect(error?.message).toContain(ids[1]);
		expect(error?.description).toContain(`Tasks that finished in this run: ${ids[0]} (item 1)`);
	});

	it('reports an expired download link with what to do', async () => {
		const taskId = await createdTask('A dancer [expire-url]');
		const error = (
			await runWorkflow([itemsNode([{ json: {} }]), wait(taskId)], { credentials: credentials() })
		).errorOf('Seedance');
		expect(error?.message).toBe(
			`The video link for task ${taskId} has expired or is not accessible (HTTP 403)`,
		);
		expect(error?.description).toContain(`Run Get Status for task ${taskId}`);
	});

	it('stops promptly when the execution is stopped during a wait', async () => {
		emulator.options.latencyMs = 60_000;
		const taskId = await createdTask();
		const started = Date.now();
		const result = await runWorkflow(
			[itemsNode([{ json: {} }]), wait(taskId, { pollInterval: 0.5, maxWaitTime: 60 })],
			{ credentials: credentials(), cancelAfterMs: 800 },
		);
		expect(Date.now() - started).toBeLessThan(4000);
		expect(result.output('Seedance')).toHaveLength(0);
		const readsAtStop = emulator.count('status');
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(emulator.count('status')).toBe(readsAtStop);
	});
});
