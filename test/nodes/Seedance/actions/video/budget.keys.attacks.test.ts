/**
 * The budget door and the key door together, in n8n-core's real engine: two Generate nodes of one
 * execution, loop passes, an AI Agent's parallel tool calls on one key, and a store that fails
 * under Continue On Fail. Re-runs finish what a budget refused, and pick-ups cost nothing.
 */
import type {
	IConnections,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { callTool } from '../../../../harness/agentTool';
import { deduplicationStore } from '../../../../harness/deduplicator';
import {
	itemsNode,
	nodeTypes,
	runWorkflow,
	runWorkflowGraph,
	seedanceNode,
} from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

beforeEach(() => deduplicationStore.clear());
afterEach(() => jest.restoreAllMocks());

function generate(name: string, id: string, options: Record<string, unknown>): INode {
	return seedanceNode(
		{
			resource: 'video',
			operation: 'generate',
			prompt: `={{ $('Items').item.json.key }} ${name}`,
			resolution: '480p',
			duration: '4',
			waitForCompletion: false,
			options: { ...FAST, ...options },
		},
		{ id, name, onError: 'continueRegularOutput' },
	);
}

const rows = (...keys: string[]) => itemsNode(keys.map((key) => ({ json: { key } })));

describe('Two Generate nodes, one budget, keys', () => {
	it('a budget that stops the second node is finished by re-runs: each row made once, pick-ups free', async () => {
		const options = (name: string) => ({
			maxCredits: 16,
			idempotencyKey: `={{ $('Items').item.json.key }} ${name}`,
		});
		const nodes = () => [
			rows('a', 'b'),
			generate('First', 'first', options('First')),
			generate('Second', 'second', options('Second')),
		];
		const one = await runWorkflow(nodes(), { credentials: credentials() });
		expect(one.output('First').map((item) => item.json.executionCredits)).toEqual([16, 16]);
		expect(one.output('Second').map((item) => String(item.json.error))).toEqual([
			expect.stringContaining('Over budget'),
			expect.stringContaining('Over budget'),
		]);
		const two = await runWorkflow(nodes(), { credentials: credentials() });
		expect(two.output('First').map((item) => item.json.pickedUpByKey)).toEqual([true, true]);
		expect(two.output('Second').map((item) => item.json.executionCredits)).toEqual([16, 16]);
		const three = await runWorkflow(nodes(), { credentials: credentials() });
		expect(three.output('Second').map((item) => item.json.pickedUpByKey)).toEqual([true, true]);
		expect(three.output('Second')[0].json.executionCredits).toBe(0);
		expect(emulator.count('create')).toBe(4);
		expect(emulator.tasks.size).toBe(4);
	});
});

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
		properties: [{ displayName: 'Times', name: 'times', type: 'number', default: 3 }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const context = this.getContext('node');
		context.passes = Number(context.passes ?? 0) + 1;
		const items = this.getInputData().map((item, index) => ({
			json: item.json,
			pairedItem: { item: index },
		}));
		return Number(context.passes) <= Number(this.getNodeParameter('times', 0))
			? [items, []]
			: [[], items];
	}
}
nodeTypes.register('test.repeat', new Repeat());

describe('Loop passes with one key', () => {
	it('three passes reaching one key make one video; the later passes pick it up and cost nothing', async () => {
		const node = seedanceNode(
			{
				resource: 'video',
				operation: 'generate',
				prompt: 'the same video each pass',
				resolution: '480p',
				duration: '4',
				waitForCompletion: false,
				options: { ...FAST, maxCredits: 8, idempotencyKey: 'daily' },
			},
			{ name: 'Seedance' },
		);
		const repeat = {
			id: 'repeat',
			name: 'Repeat',
			type: 'test.repeat',
			typeVersion: 1,
			position: [100, 0] as [number, number],
			parameters: { times: 3 },
		};
		const connections: IConnections = {
			Items: { main: [[{ node: 'Repeat', type: 'main', index: 0 }]] },
			Repeat: { main: [[{ node: 'Seedance', type: 'main', index: 0 }], []] },
			Seedance: { main: [[{ node: 'Repeat', type: 'main', index: 0 }]] },
		};
		const result = await runWorkflowGraph([rows('daily'), repeat, node], connections, {
			credentials: credentials(),
		});
		expect(result.runs('Seedance')).toBe(3);
		expect(result.errorOf('Seedance')).toBeUndefined();
		expect(result.output('Seedance')[0].json).toMatchObject({
			pickedUpByKey: true,
			executionCredits: 8,
		});
		expect(emulator.count('create')).toBe(1);
	});
});

describe('An AI Agent’s parallel tool calls on one key', () => {
	it('two calls at once with one key (different prompts) make one video, both answer it', async () => {
		const answers = (await callTool(
			credentials(),
			{
				operation: 'generate',
				prompt: "={{ $fromAI('prompt') }}",
				options: { idempotencyKey: 'today' },
			},
			[{ prompt: 'A lighthouse' }, { prompt: 'A harbour' }],
			{},
			true,
		)) as Array<Array<{ taskId: string }>>;
		expect(emulator.count('create')).toBe(1);
		expect(answers[1][0].taskId).toBe(answers[0][0].taskId);
	});
});

describe('Continue On Fail when n8n’s store cannot answer', () => {
	it('gives one error item per input item, never the input passed on, and sends nothing', async () => {
		jest
			.spyOn(deduplicationStore, 'checkProcessedAndRecord')
			.mockRejectedValue(new Error('database is locked'));
		const node = generate('Gen', 'gen', { idempotencyKey: "={{ $('Items').item.json.key }}" });
		const result = await runWorkflow([rows('a', 'b'), node], { credentials: credentials() });
		expect(result.output('Gen').map((item) => item.json.error)).toEqual([
			'n8n could not read the Idempotency Keys',
			'n8n could not read the Idempotency Keys',
		]);
		expect(emulator.requests).toHaveLength(0);
	});
});
