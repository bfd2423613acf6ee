import { generatedTaskId, runWorkflow, seedanceNode, itemsNode } from '../../../../harness/n8n';
import { useEmulator } from '../../../../helpers';
import { SHAPE_NAMES } from '../../../../emulator/shapes';

const { emulator, credentials } = useEmulator({ latencyMs: 200 });

const createdTask = (prompt?: string) => generatedTaskId(credentials(), prompt);

function getStatus(taskId: string) {
	// Simplify off: the raw answer is part of what is checked.
	return seedanceNode({ resource: 'video', operation: 'getStatus', taskId, simplify: false });
}

describe('Get Status', () => {
	it.each(SHAPE_NAMES)('normalises a finished task in the "%s" response shape', async (shape) => {
		emulator.options.shape = shape;
		const taskId = await createdTask();
		await new Promise((resolve) => setTimeout(resolve, 300));
		const result = await runWorkflow([itemsNode([{ json: {} }]), getStatus(taskId)], {
			credentials: credentials(),
		});
		const [item] = result.output('Seedance');
		expect(item.json).toMatchObject({ taskId, state: 'succeeded', error: null });
		expect(String(item.json.videoUrl)).toContain(`/files/${taskId}.mp4`);
		expect(item.json.raw).toEqual(emulator.statusBody(emulator.tasks.get(taskId)!));
	});

	it.each(SHAPE_NAMES)(
		'normalises a failed task with its error in the "%s" shape',
		async (shape) => {
			emulator.options.shape = shape;
			const taskId = await createdTask('A dancer [fail]');
			await new Promise((resolve) => setTimeout(resolve, 300));
			const result = await runWorkflow([itemsNode([{ json: {} }]), getStatus(taskId)], {
				credentials: credentials(),
			});
			expect(result.output('Seedance')[0].json).toMatchObject({
				taskId,
				state: 'failed',
				error: 'Content moderation rejected the prompt',
				videoUrl: null,
			});
		},
	);

	it('reports a running task with its progress', async () => {
		emulator.options.latencyMs = 10_000;
		const taskId = await createdTask();
		await new Promise((resolve) => setTimeout(resolve, 1200));
		const [item] = (
			await runWorkflow([itemsNode([{ json: {} }]), getStatus(taskId)], {
				credentials: credentials(),
			})
		).output('Seedance');
		expect(item.json).toMatchObject({ state: 'running', rawStatus: 'IN_PROGRESS' });
		expect(item.json.progress).toBeGreaterThanOrEqual(10);
	});

	it('reads many task ids from many items, each paired', async () => {
		const ids = [await createdTask(), await createdTask()];
		const node = seedanceNode({
			resource: 'video',
			operation: 'getStatus',
			taskId: '={{ $json.id }}',
		});
		const output = (
			await runWorkflow([itemsNode(ids.map((id) => ({ json: { id } }))), node], {
				credentials: credentials(),
			})
		).output('Seedance');
		expect(output.map((item) => [item.json.taskId, item.pairedItem])).toEqual([
			[ids[0], { item: 0 }],
			[ids[1], { item: 1 }],
		]);
	});

	it('fails clearly for an unknown task', async () => {
		const result = await runWorkflow([itemsNode([{ json: {} }]), getStatus('nope')], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')?.message).toBe('Task nope was not found (HTTP 404)');
		expect(result.errorOf('Seedance')?.description).toContain('Check the task ID');
	});

	it('refuses an empty task id without a request', async () => {
		const result = await runWorkflow([itemsNode([{ json: {} }]), getStatus('  ')], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')?.message).toContain('Task ID is empty');
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('Get Status: Options', () => {
	const withOptions = (taskId: string, options: Record<string, unknown>) =>
		seedanceNode({ resource: 'video', operation: 'getStatus', taskId, options });

	it.each([
		[{ requestTimeout: 0 }, 'Request Timeout'],
		[{ requestTimeout: 'soon' }, 'Request Timeout'],
		[{ concurrency: 0 }, 'Concurrency'],
		[{ concurrency: 2.5 }, 'Concurrency'],
	])('refuses %j before any request, naming the option', async (options, label) => {
		const taskId = await createdTask();
		const before = emulator.count('status');
		const result = await runWorkflow([itemsNode([{ json: {} }]), withOptions(taskId, options)], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')?.message).toContain(label);
		expect(emulator.count('status')).toBe(before);
	});
});
