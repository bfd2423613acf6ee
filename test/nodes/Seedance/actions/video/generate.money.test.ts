/**
 * Generate under n8n's node settings, in n8n-core's real engine: Retry On Fail, On Error (regular
 * and error output) and loops never pay twice for one item, and Max Credits holds per execution.
 */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import {
	itemsNode,
	nodeTypes,
	runWorkflow,
	runWorkflowGraph,
	seedanceNode,
} from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 200 });

/** Like n8n's Loop Over Items: sends its input to output 0 `times` times, then to output 1. */
class Repeat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Repeat',
		name: 'repeat',
		group: ['transform'],
		version: 1,
		description: 'Runs the next node again',
		defaults: { name: 'Repeat' },
		inputs: ['main'],
		outputs: ['main', 'main'],
		properties: [
			{ displayName: 'Times', name: 'times', type: 'number', default: 2 },
			// Each pass sends the first pass's items again: only the run they come from differs.
			{ displayName: 'Same Items', name: 'sameItems', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const context = this.getContext('node');
		context.passes = Number(context.passes ?? 0) + 1;
		context.first ??= this.getInputData().map((item) => item.json);
		const input = this.getNodeParameter('sameItems', 0)
			? (context.first as INodeExecutionData['json'][])
			: this.getInputData().map((item) => item.json);
		const items = input.map((json, index) => ({ json, pairedItem: { item: index } }));
		return Number(context.passes) <= Number(this.getNodeParameter('times', 0))
			? [items, []]
			: [[], items];
	}
}
nodeTypes.register('test.repeat', new Repeat());

const prompts = (...texts: string[]) => texts.map((prompt) => ({ json: { prompt } }));

function generate(options: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
	return seedanceNode(
		{
			resource: 'video',
			operation: 'generate',
			prompt: '={{ $json.prompt }}',
			options: { ...FAST, ...options },
		},
		settings,
	);
}

/** Items -> Repeat -> Seedance -> back to Repeat: the Seedance node runs twice in one execution. */
async function runTwiceInALoop(node: ReturnType<typeof generate>, sameItems = false) {
	const repeat = {
		id: 'repeat',
		name: 'Repeat',
		type: 'test.repeat',
		typeVersion: 1,
		position: [100, 0] as [number, number],
		parameters: { times: 2, sameItems },
	};
	const connections = {
		Items: { main: [[{ node: 'Repeat', type: 'main' as const, index: 0 }]] },
		Repeat: { main: [[{ node: 'Seedance', type: 'main' as const, index: 0 }], []] },
		Seedance: { main: [[{ node: 'Repeat', type: 'main' as const, index: 0 }]] },
	};
	return await runWorkflowGraph([itemsNode(prompts('one')), repeat, node], connections, {
		credentials: credentials(),
	});
}

/** One item through Generate with another model ID. */
async function generateWithModel(
	model: string,
	{ waitForCompletion, ...options }: Record<string, unknown>,
) {
	const node = seedanceNode({
		resource: 'video',
		operation: 'generate',
		model: 'custom',
		customModel: model,
		prompt: 'one',
		waitForCompletion: waitForCompletion ?? true,
		options: { ...FAST, ...options },
	});
	return await runWorkflow([itemsNode([{ json: {} }]), node], { credentials: credentials() });
}

const retryOnFail = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };

describe('Generate: Retry On Fail never pays twice', () => {
	it('3 items, the first fails, 3 tries with Continue On Fail: exactly 3 creates', async () => {
		const node = generate({ maxCredits: 84 }, { ...retryOnFail, onError: 'continueRegularOutput' });
		const result = await runWorkflow([itemsNode(prompts('one [fail]', 'two', 'three')), node], {
			credentials: credentials(),
		});
		const [failedItem, ...done] = result.output('Seedance');
		// n8n tried again (the first item is an error) and the tries picked the tasks up.
		expect(emulator.count('status')).toBeGreaterThan(3);
		expect(emulator.count('create')).toBe(3);
		expect(failedItem.json).toMatchObject({ error: expect.stringContaining('failed') });
		expect(failedItem.json.taskId).toEqual(expect.any(String));
		expect(done.map((item) => item.json.state)).toEqual(['succeeded', 'succeeded']);
		expect(done.every((item) => item.binary?.data)).toBe(true);
	});

	it('without Continue On Fail the node throws, is tried again, and still creates each task once', async () => {
		const node = generate({}, retryOnFail);
		const result = await runWorkflow([itemsNode(prompts('one [fail]', 'two')), node], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')?.message).toContain('failed');
		expect(emulator.count('create')).toBe(2);
	});

	it('a create whose answer was lost is not sent again by a retry', async () => {
		emulator.inject('create', { kind: 'resetAfterCreate' });
		const node = generate({}, retryOnFail);
		const result = await runWorkflow([itemsNode(prompts('one')), node], {
			credentials: credentials(),
		});
		expect(emulator.count('create')).toBe(1);
		expect(result.errorOf('Seedance')?.message).toContain(
			'may already have created the video of item 1',
		);
	});
});

describe('Generate: failed items go where n8n routes them', () => {
	it('with "Continue (using error output)" failures leave on the error output, naming their task', async () => {
		const node = generate({}, { onError: 'continueErrorOutput' });
		const result = await runWorkflow([itemsNode(prompts('one', 'two [fail]', 'three')), node], {
			credentials: credentials(),
		});
		const [success, errors] = result.outputs('Seedance');
		expect(success.map((item) => item.json.state)).toEqual(['succeeded', 'succeeded']);
		expect(errors).toHaveLength(1);
		const failedTask = [...emulator.tasks.values()].find(
			(task) => task.body.prompt === 'two [fail]',
		);
		expect(Object.keys(errors[0].json).sort()).toEqual(['error', 'message', 'prompt']);
		expect(errors[0].json.error).toContain(`Seedance task ${failedTask?.taskId} failed`);
		expect(emulator.count('create')).toBe(3);
	});

	it('with "Continue (regular output)" failures stay in the output as error items', async () => {
		const node = generate({}, { onError: 'continueRegularOutput' });
		const result = await runWorkflow([itemsNode(prompts('one', 'two [fail]')), node], {
			credentials: credentials(),
		});
		const outputs = result.outputs('Seedance');
		expect(outputs).toHaveLength(1);
		expect(outputs[0][1].json).toMatchObject({
			error: expect.stringContaining('failed'),
			taskId: expect.any(String),
		});
	});
});

describe('Generate: one budget per execution', () => {
	it('counts every pass of a loop: the second 28-credit pass is refused under a limit of 40', async () => {
		const node = generate({ maxCredits: 40, downloadVideo: false });
		node.parameters.prompt = 'the same video each pass';
		const result = await runTwiceInALoop(node);
		expect(result.runs('Seedance')).toBe(2);
		expect(result.errorOf('Seedance')?.message).toContain(
			'was not made; this execution already uses 28 of its 40 credits',
		);
		expect(emulator.count('create')).toBe(1);
	});

	it('a loop pass is not a retry: the same request in the next pass creates a new task', async () => {
		const node = generate({ downloadVideo: false });
		node.parameters.prompt = 'the same video each pass';
		const result = await runTwiceInALoop(node);
		expect(result.runs('Seedance')).toBe(2);
		expect(emulator.count('create')).toBe(2);
	});

	it('the same item in each pass of a loop is a new video each pass: only the run it came from differs', async () => {
		const node = generate({ downloadVideo: false });
		const result = await runTwiceInALoop(node, true);
		expect(result.runs('Seedance')).toBe(2);
		expect(emulator.count('create')).toBe(2);
	});

	it('matches the model id case-insensitively, so it is checked and priced', async () => {
		const result = await generateWithModel('Seedance-1-5-Pro', {
			waitForCompletion: false,
			maxCredits: 100,
		});
		expect(result.output('Seedance')[0].json.estimatedCredits).toBe(28);
		expect(emulator.requests[0].body).toMatchObject({ model: 'seedance-1-5-pro' });
	});

	it('refuses a model it cannot price while a limit is set, and sends nothing', async () => {
		const result = await generateWithModel('kling-3', { maxCredits: 100 });
		expect(result.errorOf('Seedance')?.message).toBe(
			'The node cannot estimate the credits of model "kling-3"',
		);
		expect(result.errorOf('Seedance')?.description).toContain('set Max Credits per Execution to 0');
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('Generate: a broken download', () => {
	it('is tried again (it is free) and the video arrives whole', async () => {
		emulator.inject('download', { kind: 'cut' });
		const result = await runWorkflow([itemsNode(prompts('one')), generate()], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')).toBeUndefined();
		expect(result.output('Seedance')[0].binary?.data).toBeDefined();
		expect(emulator.count('download')).toBe(2);
	});

	it('names its task and how to fetch the video again when it keeps breaking', async () => {
		emulator.inject('download', { kind: 'cut' }, { kind: 'cut' }, { kind: 'cut' });
		const result = await runWorkflow([itemsNode(prompts('one')), generate()], {
			credentials: credentials(),
		});
		const error = result.errorOf('Seedance');
		const taskId = emulator.requests
			.find((request) => request.route === 'status')
			?.path.split('/')
			.pop();
		expect(error?.message).toBe(`The download of the video of task ${taskId} broke off`);
		expect(error?.description).toContain(
			`Seedance Wait node with Download Video on, on task ID ${taskId}`,
		);
		expect(emulator.count('create')).toBe(1);
	});
});
