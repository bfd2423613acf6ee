/**
 * An AI Agent's tool calls without a language model: a node that calls its connected tool once
 * per input item, through n8n-core's own tool wrapper (createNodeAsTool), as an AI Agent does.
 */
import {
	NodeConnectionTypes,
	type IConnections,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { Seedance } from '../../nodes/Seedance/Seedance.node';
import { itemsNode, nodeTypes, runWorkflowGraph, type RunOptions } from './n8n';

type RunCredentials = RunOptions['credentials'];

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
		properties: [{ displayName: 'Parallel', name: 'parallel', type: 'boolean', default: false }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const [tool] = (await this.getInputConnectionData(
			NodeConnectionTypes.AiTool,
			0,
		)) as AgentTool[];
		// An agent hands a tool's error to the model as the tool's answer.
		const call = async (item: INodeExecutionData): Promise<INodeExecutionData> => {
			const answer = await tool
				.invoke(item.json.args as Record<string, unknown>)
				.catch((error: Error) => `Error: ${error.message}`);
			return { json: { tool: tool.name, answer } };
		};
		// A model may ask for several tool calls in one turn; LangChain's agents run them at once.
		if (this.getNodeParameter('parallel', 0, false) === true) {
			return [await Promise.all(this.getInputData().map(call))];
		}
		const answers: INodeExecutionData[] = [];
		for (const item of this.getInputData()) answers.push(await call(item));
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

/** Calls Seedance as a tool once per args object; `settings` are the tool node's (e.g. Retry On Fail). */
export async function callTool(
	credentials: RunCredentials,
	parameters: INode['parameters'],
	args: Array<Record<string, unknown>>,
	settings: Partial<INode> = {},
	/** Call the tool for all args at once, as a model asking for several tool calls in one turn. */
	parallel = false,
) {
	const tool: INode = {
		id: 'tool',
		name: 'Seedance',
		type: 'n8n-nodes-seedance.seedanceTool',
		typeVersion: 1.1,
		position: [200, 200],
		parameters: { resource: 'video', ...parameters },
		credentials: { seedanceApi: { id: '1', name: 'Seedance account' } },
		...settings,
	};
	const caller: INode = {
		id: 'caller',
		name: 'Agent',
		type: 'test.toolCaller',
		typeVersion: 1,
		position: [200, 0],
		parameters: { parallel },
	};
	const items = itemsNode(args.map((json) => ({ json: { args: json } })));
	const connections: IConnections = {
		[items.name]: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
		Seedance: { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
	};
	const result = await runWorkflowGraph([items, caller, tool], connections, { credentials });
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
