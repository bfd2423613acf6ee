/**
 * Runs workflows of this package's nodes through n8n-core's real execution engine
 * (WorkflowExecute) with real HTTP. Only the pieces a running n8n provides around the engine
 * (credential store, node type registry, lifecycle hooks) are supplied here.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import './deduplicator';
import {
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IWorkflowExecuteAdditionalData,
	type IExecuteFunctions,
	type IConnections,
} from 'n8n-workflow';

import { SeedanceApi } from '../../credentials/SeedanceApi.credentials';
import { Seedance } from '../../nodes/Seedance/Seedance.node';

/**
 * A source node for tests: outputs the items given in its `items` parameter (JSON, with optional
 * base64 binaries).
 */
export class TestItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Items',
		name: 'testItems',
		group: ['input'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as Array<{
			json: IDataObject;
			binary?: Record<string, { data: string; mimeType: string; fileName?: string }>;
		}>;
		const output: INodeExecutionData[] = [];
		for (const [index, item] of items.entries()) {
			const binary: INodeExecutionData['binary'] = {};
			for (const [key, value] of Object.entries(item.binary ?? {})) {
				binary[key] = await this.helpers.prepareBinaryData(
					Buffer.from(value.data, 'base64'),
					value.fileName,
					value.mimeType,
				);
			}
			output.push({
				json: item.json,
				binary: Object.keys(binary).length ? binary : undefined,
				pairedItem: { item: index },
			});
		}
		return [output];
	}
}

/**
 * The start node of the example workflows (n8n-nodes-base is not a dependency of this package):
 * like n8n's Manual Trigger, it emits one empty item when the workflow is run by hand.
 */
export class ManualStart implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Manual Start',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Starts the workflow by hand',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	};

	async execute(): Promise<INodeExecutionData[][]> {
		return [[{ json: {} }]];
	}
}

const credentialType = new SeedanceApi();

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly store: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		if (typeName !== credentialType.name) throw new Error(`Unknown credential type ${typeName}`);
		// As n8n's CredentialsHelper does with a function: the credential type's own `authenticate`.
		const authenticate = credentialType.authenticate;
		if (typeof authenticate !== 'function') throw new Error('authenticate is not a function');
		return await authenticate(credentials, requestOptions);
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used');
	}

	async getDecrypted(
		_additionalData: unknown,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const found = this.store[type];
		if (!found) throw new Error(`No test credential of type ${type}`);
		return { ...found };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties() {
		return credentialType.properties;
	}
}

export const nodeTypes: INodeTypes & { register(name: string, type: INodeType): void } = (() => {
	const registry = new Map<string, INodeType>([
		['n8n-nodes-seedance.seedance', new Seedance()],
		['test.items', new TestItems()],
		['n8n-nodes-base.manualTrigger', new ManualStart()],
	]);
	return {
		register: (name: string, type: INodeType) => void registry.set(name, type),
		getByName: (name: string) => {
			const found = registry.get(name);
			if (!found) throw new Error(`Unknown node type ${name}`);
			return found;
		},
		getByNameAndVersion: (name: string) => {
			const found = registry.get(name);
			if (!found) throw new Error(`Unknown node type ${name}`);
			return found;
		},
		getKnownTypes: () => ({}),
	};
})();

let executionCounter = 0;

export function additionalDataFor(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	executionId: string,
	hooks: ExecutionLifecycleHooks,
	webhookBase = 'http://127.0.0.1:5678/',
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: new TestCredentialsHelper(credentials),
		hooks,
		executionId,
		restApiUrl: `${webhookBase}rest`,
		instanceBaseUrl: webhookBase,
		webhookBaseUrl: `${webhookBase}webhook`,
		webhookWaitingBaseUrl: `${webhookBase}webhook-waiting`,
		webhookTestBaseUrl: `${webhookBase}webhook-test`,
		formWaitingBaseUrl: `${webhookBase}form-waiting`,
		currentNodeParameters: undefined,
		variables: {},
		userId: 'test-user',
		setExecutionStatus: () => {},
		getRunExecutionData: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not used');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface RunResult {
	run: IRun;
	/** The first output of a node's last run. */
	output(nodeName: string): INodeExecutionData[];
	/** Every main output of a node's last run (the error output is the last with On Error: error output). */
	outputs(nodeName: string): INodeExecutionData[][];
	/** How many times a node ran in the execution. */
	runs(nodeName: string): number;
	/** The error a node ended with, if any. */
	errorOf(
		nodeName: string,
	): (Error & { description?: string; context?: Record<string, unknown> }) | undefined;
	/** The node's execution context (`this.getContext('node')`), as n8n saves it. */
	contextOf(nodeName: string): IDataObject;
	/** The execution's custom data (n8n's execution metadata). */
	customData(): Record<string, string>;
}

export interface RunOptions {
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Stops the execution this many ms after it started (the stop button). */
	cancelAfterMs?: number;
	/** Stops the execution once this holds (checked every 5 ms): a stop at a given state. */
	cancelWhen?: () => boolean;
	/** Called right after the stop (e.g. to let held answers go). */
	afterCancel?: () => void;
	/** Runs this saved execution data again instead of starting afresh ("Retry execution"). */
	retryOf?: IRun;
	/** This n8n's webhook base URL (WEBHOOK_URL), ending in `/`: Generate signs only URLs under it. */
	webhookBase?: string;
	/** The workflow's ID (its rows in n8n's deduplication store); `test-workflow` if not given. */
	workflowId?: string;
}

/** Runs a linear workflow `Items -> node -> node...` in the real engine. */
export async function runWorkflow(nodes: INode[], options: RunOptions = {}): Promise<RunResult> {
	const connections: IConnections = {};
	for (let index = 0; index + 1 < nodes.length; index++) {
		connections[nodes[index].name] = {
			main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]],
		};
	}
	return await runWorkflowGraph(nodes, connections, options);
}

/** Runs any workflow (e.g. one of examples/) in the real engine, from its first node. */
export async function runWorkflowGraph(
	nodes: INode[],
	connections: IConnections,
	options: RunOptions = {},
): Promise<RunResult> {
	const workflowId = options.workflowId ?? 'test-workflow';
	const workflow = new Workflow({
		id: workflowId,
		name: 'Test',
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings: {},
	});
	const executionId = String(++executionCounter);
	const hooks = new ExecutionLifecycleHooks('manual', executionId, {
		id: workflowId,
		name: 'Test',
		nodes,
		connections,
		active: false,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
		isArchived: false,
	} as never);
	let reportFinished: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (reportFinished = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => reportFinished(run));
	const additionalData = additionalDataFor(
		options.credentials ?? {},
		executionId,
		hooks,
		options.webhookBase,
	);
	const execution = options.retryOf
		? new WorkflowExecute(
				additionalData,
				'retry',
				savedForRetry(options.retryOf),
			).processRunExecutionData(workflow)
		: new WorkflowExecute(additionalData, 'manual').run({
				workflow,
				startNode: workflow.getNode(nodes[0].name) ?? undefined,
			});
	let timer: NodeJS.Timeout | undefined;
	const cancel = () => {
		execution.cancel();
		options.afterCancel?.();
	};
	if (options.cancelAfterMs !== undefined) timer = setTimeout(cancel, options.cancelAfterMs);
	const { cancelWhen } = options;
	if (cancelWhen) {
		timer = setInterval(() => {
			if (!cancelWhen()) return;
			clearInterval(timer);
			cancel();
		}, 5);
	}
	let run: IRun;
	try {
		run = await execution;
	} catch (error) {
		// A cancelled execution rejects; the hook still reports what ran.
		let giveUp: NodeJS.Timeout | undefined;
		run = await Promise.race([
			finished,
			new Promise<IRun>((_, reject) => (giveUp = setTimeout(() => reject(error), 5000))),
		]).finally(() => clearTimeout(giveUp));
	} finally {
		if (timer) clearInterval(timer);
	}
	const runData = run.data.resultData.runData;
	return {
		run,
		output: (nodeName) => runData[nodeName]?.at(-1)?.data?.main?.[0] ?? [],
		outputs: (nodeName) =>
			(runData[nodeName]?.at(-1)?.data?.main ?? []).map((items) => items ?? []),
		runs: (nodeName) => runData[nodeName]?.length ?? 0,
		errorOf: (nodeName) =>
			runData[nodeName]?.at(-1)?.error as
				(Error & { description?: string; context?: Record<string, unknown> }) | undefined,
		contextOf: (nodeName) => run.data.executionData?.contextData[`node:${nodeName}`] ?? {},
		customData: () => ({ ...(run.data.resultData.metadata ?? {}) }),
	};
}

/**
 * What n8n's "Retry execution" (ExecutionService.retryExecution) runs: the execution data as the
 * database gives it back (JSON), without the old error and the failed last run of its last node.
 */
function savedForRetry(run: IRun): IRunExecutionData {
	const data = JSON.parse(JSON.stringify(run.data)) as IRunExecutionData;
	const { lastNodeExecuted } = data.resultData;
	if (lastNodeExecuted) {
		delete data.resultData.error;
		const runs = data.resultData.runData[lastNodeExecuted];
		if (runs?.length && runs[runs.length - 1].error !== undefined) runs.pop();
	}
	return data;
}

let nodeCounter = 0;

export function seedanceNode(parameters: IDataObject, extra: Partial<INode> = {}): INode {
	return {
		id: `seedance-${++nodeCounter}`,
		name: extra.name ?? 'Seedance',
		type: 'n8n-nodes-seedance.seedance',
		typeVersion: 1.1,
		position: [200, 0],
		parameters: parameters as INode['parameters'],
		credentials: { seedanceApi: { id: '1', name: 'Seedance account' } },
		...extra,
	};
}

export function itemsNode(items: unknown[]): INode {
	return {
		id: `items-${++nodeCounter}`,
		name: 'Items',
		type: 'test.items',
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(items) },
	};
}

/** Starts a task through the node (Generate, not waiting) and returns its ID. */
export async function generatedTaskId(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	prompt = 'A dancer',
): Promise<string> {
	const result = await runWorkflow(
		[
			itemsNode([{ json: {} }]),
			seedanceNode({
				resource: 'video',
				operation: 'generate',
				prompt,
				waitForCompletion: false,
			}),
		],
		{ credentials },
	);
	return String(result.output('Seedance')[0].json.taskId);
}
