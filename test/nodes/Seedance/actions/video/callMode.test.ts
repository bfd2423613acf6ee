import {
	NodeConnectionTypes,
	type IConnections,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { Seedance } from '../../../../../nodes/Seedance/Seedance.node';
import { itemsNode, nodeTypes, runWorkflowGraph } from '../../../../harness/n8n';
import { useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 400 });

interface AgentTool {
	name: string;
	invoke(args: Record<string, unknown>): Promise<string>;
}

/**
 * Stands in for the language model only: for each input item it calls the connected tool with the
 * item's arguments, through n8n-core's own tool wrapper (createNodeAsTool), as an AI Agent does.
 */
class ToolCaller implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tool Caller',
		name: 'toolCaller',
		group: ['transform'],
		version: 1,
		description: 'Calls its connected tool once per item',
		defaults: { name: 'Tool Caller' },
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiTool, displayName: 'Tool', required: true },
		],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const [tool] = (await this.getInputConnectionData(
			NodeConnectionTypes.AiTool,
			0,
		)) as AgentTool[];
		const answers: INodeExecutionData[] = [];
		for (const item of this.getInputData()) {
			// An agent hands a tool's error to the model as the tool's answer.
			const answer = await tool
				.invoke(item.json.args as Record<string, unknown>)
				.catch((error: Error) => `Error: ${error.message}`);
			answers.push({ json: { tool: tool.name, answer } });
		}
		return [answers];
	}
}

/** The tool variant n8n derives from a node marked usableAsTool (name + "Tool", an ai_tool output). */
function toolVariant(node: INodeType): INodeType {
	const variant = Object.create(node) as INodeType;
	variant.description = {
		...node.description,
		name: `${node.description.name}Tool`,
		displayName: `${node.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
	};
	return variant;
}

nodeTypes.register('n8n-nodes-seedance.seedanceTool', toolVariant(new Seedance()));
nodeTypes.register('test.toolCaller', new ToolCaller());

async function callTool(parameters: INode['parameters'], args: Array<Record<string, unknown>>) {
	const tool: INode = {
		id: 'tool',
		name: 'Seedance',
		type: 'n8n-nodes-seedance.seedanceTool',
		typeVersion: 1.1,
		position: [200, 200],
		parameters: { resource: 'video', ...parameters },
		credentials: { seedanceApi: { id: '1', name: 'Seedance account' } },
	};
	const caller: INode = {
		id: 'caller',
		name: 'Agent',
		type: 'test.toolCaller',
		typeVersion: 1,
		position: [200, 0],
		parameters: {},
	};
	const items = itemsNode(args.map((json) => ({ json: { args: json } })));
	const connections: IConnections = {
		[items.name]: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
		Seedance: { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
	};
	const result = await runWorkflowGraph([items, caller, tool], connections, {
		credentials: credentials(),
	});
	const error = result.errorOf('Agent');
	if (error) throw error;
	return result.output('Agent').map((item) => {
		const answer = String(item.json.answer);
		try {
			return JSON.parse(answer) as unknown;
		} catch {
			return answer;
		}
	});
}

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
