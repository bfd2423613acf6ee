/**
 * Serves a node's webhook on loopback the way n8n's webhook server does, and runs the node's
 * `webhook()` in n8n-core's real WebhookContext: the raw body is kept and JSON parsed, the query
 * parsed, the workflow's static data loaded before and saved after each request, and the answer
 * is the node's own (noWebhookResponse) or n8n's default for its result. Either a trigger's
 * production webhook, or the resume URL of a waiting execution (n8n hands that webhook the
 * execution's saved run data, as its WaitingWebhooks does).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { ExecutionLifecycleHooks, HookContext, WebhookContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IRunExecutionData,
	type IWebhookData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { callbackSecretOf, signCallbackUrl } from '../../nodes/shared/domain/callbackToken';
import { SeedanceTrigger } from '../../nodes/SeedanceTrigger/SeedanceTrigger.node';
import {
	additionalDataFor,
	itemsNode,
	nodeTypes,
	runWorkflow,
	seedanceNode,
	type RunResult,
} from './n8n';

nodeTypes.register('n8n-nodes-seedance.seedanceTrigger', new SeedanceTrigger());

export interface Delivery {
	status: number;
	body: unknown;
	/** The items the trigger started an execution with, if it started one. */
	started?: INodeExecutionData[];
}

let receivers = 0;

export interface ReceiverOptions {
	/** The node whose webhook is served; a trigger gets a webhookId if it has none. */
	node: Omit<INode, 'id' | 'position' | 'typeVersion'> & Partial<INode>;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Serve the resume URL of this waiting execution instead of a production webhook. */
	waiting?: IRunExecutionData;
	/** The waiting execution's id, as n8n hands it to the resumed webhook (default "webhook"). */
	executionId?: string;
}

export class WebhookReceiver {
	readonly deliveries: Delivery[] = [];

	/** The workflow's static data as n8n would have saved it in the database. */
	savedStaticData: IDataObject = {};

	private server?: http.Server;

	private readonly node: INode;

	private readonly credentials: Record<string, ICredentialDataDecryptedObject>;

	private readonly waiting?: IRunExecutionData;

	private readonly workflowId = `webhook-workflow-${++receivers}`;

	constructor(options: ReceiverOptions) {
		this.node = {
			id: `webhook-node-${receivers}`,
			typeVersion: 1.1,
			position: [0, 0],
			...options.node,
		};
		if (!options.waiting)
			this.node.webhookId ??= `5e3d1c4a-0000-4000-8000-${String(receivers).padStart(12, '0')}`;
		this.credentials = options.credentials;
		this.waiting = options.waiting;
		this.executionId = options.executionId ?? 'webhook';
	}

	private readonly executionId: string;

	/** The trigger's Production URL, as its panel shows it, or the waiting execution's resume URL. */
	productionUrl = '';

	/** Executions started, in arrival order. */
	get executions(): INodeExecutionData[][] {
		return this.deliveries.flatMap((delivery) => (delivery.started ? [delivery.started] : []));
	}

	async start(): Promise<string> {
		this.server = http.createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		const base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		this.productionUrl = this.waiting
			? `${base}/webhook-waiting/${this.waiting && this.executionId !== 'webhook' ? this.executionId : this.workflowId}`
			: `${base}/webhook/${this.node.webhookId}/callback`;
		return this.productionUrl;
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
	}

	private async readBody(req: http.IncomingMessage): Promise<Buffer> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks);
	}

	/** The one-node workflow as n8n loads it (with the saved static data) and its run's data. */
	private workflowRun(mode: 'trigger' | 'webhook') {
		const nodes = [this.node];
		const workflow = new Workflow({
			id: this.workflowId,
			name: 'Webhook',
			nodes,
			connections: {},
			active: true,
			nodeTypes,
			staticData: structuredClone(this.savedStaticData),
			settings: {},
		});
		const hooks = new ExecutionLifecycleHooks(mode, this.executionId, {
			id: this.workflowId,
			nodes,
			connections: {},
		} as never);
		return {
			workflow,
			additionalData: additionalDataFor(this.credentials, this.executionId, hooks),
		};
	}

	/** What n8n does on activation: the webhook's checkExists, then create when it says no. */
	async activate(): Promise<void> {
		const { workflow, additionalData } = this.workflowRun('trigger');
		const context = new HookContext(workflow, this.node, additionalData, 'trigger', 'activate');
		const methods = (nodeTypes.getByName(this.node.type) as INodeType).webhookMethods!.default!;
		if (!(await methods.checkExists.call(context))) await methods.create.call(context);
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const rawBody = await this.readBody(req);
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const contentType = String(req.headers['content-type'] ?? '');
		let body: unknown = {};
		if (contentType.includes('json')) {
			try {
				body = JSON.parse(rawBody.toString('utf8'));
			} catch {
				body = {};
			}
		} else if (contentType.startsWith('text/')) {
			body = rawBody.toString('utf8');
		}
		Object.assign(req, { rawBody, body, query: Object.fromEntries(url.searchParams), params: {} });
		const delivery: Delivery = { status: 0, body: undefined };
		this.deliveries.push(delivery);
		const captured = this.capture(res, delivery);

		const run = this.workflowRun('webhook');
		const { workflow } = run;
		const additionalData: IWorkflowExecuteAdditionalData = {
			...run.additionalData,
			httpRequest: req as never,
			httpResponse: res as never,
		};
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: this.node.name,
			path: this.waiting ? '' : `${this.node.webhookId}/callback`,
			webhookDescription: {
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: this.waiting ? '' : 'callback',
				restartWebhook: Boolean(this.waiting),
			},
			workflowId: this.workflowId,
			workflowExecuteAdditionalData: additionalData,
		};
		try {
			// A resumed execution's webhook sees its saved run data; a copy, as each request loads it
			// anew from the database.
			const runExecutionData = this.waiting ? structuredClone(this.waiting) : null;
			const context = new WebhookContext(
				workflow,
				this.node,
				additionalData,
				'webhook',
				webhookData,
				[],
				runExecutionData,
			);
			const result = await (nodeTypes.getByName(this.node.type) as INodeType).webhook!.call(
				context,
			);
			// As n8n: saved whole, and only when the request changed it (a later save wins).
			if (workflow.staticData.__dataChanged === true)
				this.savedStaticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
			if (result.workflowData) delivery.started = result.workflowData[0];
			if (result.noWebhookResponse) {
				if (!res.headersSent) captured(500, { message: 'The node claimed to answer but did not' });
				return;
			}
			if (result.workflowData === undefined)
				captured(200, result.webhookResponse ?? { message: 'Webhook call received' });
			else captured(200, { message: 'Workflow was started' });
		} catch (error) {
			captured(500, { message: (error as Error).message });
		}
	}

	/** Records what the node (or this server) answers. */
	private capture(
		res: http.ServerResponse,
		delivery: Delivery,
	): (status: number, body: unknown) => void {
		const writeHead = res.writeHead.bind(res);
		const end = res.end.bind(res);
		res.writeHead = ((status: number, ...rest: unknown[]) => {
			delivery.status = status;
			return writeHead(status, ...(rest as []));
		}) as typeof res.writeHead;
		res.end = ((chunk?: unknown, ...rest: unknown[]) => {
			if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) {
				const text = chunk.toString();
				try {
					delivery.body = JSON.parse(text);
				} catch {
					delivery.body = text;
				}
			}
			return end(chunk as never, ...(rest as []));
		}) as typeof res.end;
		return (status, body) => {
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(body));
		};
	}
}

/** The Seedance Trigger's production webhook. */
export class TriggerReceiver extends WebhookReceiver {
	constructor(
		parameters: IDataObject,
		credentials: Record<string, ICredentialDataDecryptedObject>,
		webhookId?: string,
	) {
		super({
			node: {
				name: 'Seedance Trigger',
				type: 'n8n-nodes-seedance.seedanceTrigger',
				webhookId,
				parameters: parameters as INode['parameters'],
				credentials: { seedanceApi: { id: '1', name: 'Seedance account' } },
			},
			credentials,
		});
	}
}

/** A Generate (480p, 4 s) whose prompt is each item's `prompt`. */
export function promptedGenerate(options: IDataObject, parameters: IDataObject = {}): INode {
	return seedanceNode({
		resource: 'video',
		operation: 'generate',
		prompt: '={{ $json.prompt }}',
		resolution: '480p',
		duration: '4',
		options,
		...parameters,
	});
}

/** The same in Wait Mode "Resume on Callback". */
export const resumeModeGenerate = (options: IDataObject, parameters: IDataObject = {}): INode =>
	promptedGenerate({ maxWaitTime: 60, ...options }, { waitMode: 'resume', ...parameters });

export interface ParkedExecution {
	run: RunResult['run'];
	node: INode;
	/** The parked execution's resume webhook, serving. */
	receiver: WebhookReceiver;
	/** The resume URL with the token Generate would add, pointed at the receiver. */
	signedUrl: string;
}

/**
 * Runs Generate in resume mode (one item per prompt) until it parks, then serves the parked
 * execution's resume webhook.
 */
export async function parkGenerate(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	prompts: string[],
	options: IDataObject,
	parameters: IDataObject = {},
): Promise<ParkedExecution> {
	const node = resumeModeGenerate(options, parameters);
	const { run } = await runWorkflow(
		[itemsNode(prompts.map((prompt) => ({ json: { prompt } }))), node],
		{ credentials },
	);
	const receiver = new WebhookReceiver({ node, credentials, waiting: run.data });
	await receiver.start();
	const signedUrl = signCallbackUrl(
		receiver.productionUrl,
		callbackSecretOf(credentials.seedanceApi),
	);
	return { run, node, receiver, signedUrl };
}
