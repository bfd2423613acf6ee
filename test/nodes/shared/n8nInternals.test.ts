/**
 * The room of n8n's internals (nodes/shared/n8nInternals.ts), each reach checked in n8n-core's real
 * engine (WorkflowExecute, WebhookContext) through a probe node, with the resume webhook's public
 * reads (park.ts readPark: `$input.all()`, `$('Node').context`) next to them. If n8n-core changes
 * what a reach mirrors, the test naming it fails here before a user loses a video; the e2e suite
 * (n8nInternals.e2e.test.ts) checks the same in each n8n of the matrix.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';

import type {
	IBinaryData,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	N8nChanged,
	binaryModeOf,
	bodyHasEnded,
	replaceParkedInput,
	replacePush,
	runsAsTool,
	webhookInput,
} from '../../../nodes/shared/n8nInternals';
import { readPark } from '../../../nodes/Seedance/waiting/park';
import { RESUME_WEBHOOK } from '../../../nodes/Seedance/waiting/resume';
import { resetBinaryDataMode, useBinaryDataMode } from '../../harness/binaryData';
import { itemsNode, nodeTypes, runWorkflow } from '../../harness/n8n';
import { WebhookReceiver } from '../../harness/webhook';

const BODY = Buffer.alloc(256 * 1024, 7);
let server: http.Server;
let bodyUrl = '';

beforeAll(async () => {
	server = http.createServer((_req, res) => {
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': BODY.length });
		res.end(BODY);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	bodyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/video.mp4`;
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Each step calls the room as Seedance does, inside the context n8n-core gives a node. */
class InternalsProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Internals Probe',
		name: 'internalsProbe',
		group: ['transform'],
		version: 1,
		description: 'Calls the reaches into n8n internals',
		defaults: { name: 'Probe' },
		inputs: ['main'],
		outputs: ['main'],
		webhooks: [RESUME_WEBHOOK],
		properties: [{ displayName: 'Step', name: 'step', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const node = this.getNode();
		switch (this.getNodeParameter('step', 0) as string) {
			case 'park': {
				const deadline = new Date(Date.now() + 60_000).toISOString();
				const video = await this.helpers.prepareBinaryData(
					Buffer.from('mp4'),
					'a.mp4',
					'video/mp4',
				);
				replaceParkedInput(this, [
					{ json: { taskId: 'ended-1', state: 'succeeded' }, binary: { data: video } },
					{
						json: { taskId: 'open-2', callbackReceived: false, waitDeadline: deadline },
						pairedItem: { item: 1 },
					},
				]);
				this.getContext('node').seedanceResume = { deadline, marker: 'saved at park time' };
				await this.putExecutionToWait(new Date(deadline));
				return [this.getInputData()];
			}
			case 'tool':
				return [[{ json: { asTool: runsAsTool(this) } }]];
			case 'mode': {
				const stored = await this.helpers.prepareBinaryData(
					Buffer.alloc(0),
					'probe',
					'application/octet-stream',
				);
				return [[{ json: { mode: binaryModeOf(node, stored) } }]];
			}
			default: {
				const response = (await this.helpers.httpRequest({
					url: bodyUrl,
					encoding: 'stream',
					returnFullResponse: true,
				})) as { body: Parameters<typeof bodyHasEnded>[1] };
				const stream = response.body;
				const endedAtFirst = bodyHasEnded(node, stream);
				let pushed = stream.readableLength;
				const push = replacePush(node, stream, (chunk, encoding) => {
					if (chunk !== null) pushed += (chunk as Buffer).length;
					return push(chunk, encoding);
				});
				const stored = await this.helpers.prepareBinaryData(stream, 'video.mp4', 'video/mp4');
				const bytes = await this.helpers.getBinaryDataBuffer(0, 'data').catch(() => null);
				return [
					[
						{
							json: {
								endedAtFirst,
								endedAfter: bodyHasEnded(node, stream),
								pushed,
								storedBytes: bytes?.length ?? Buffer.from(stored.data, 'base64').length,
							},
						},
					],
				];
			}
		}
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const park = readPark(this);
		return {
			webhookResponse: {
				input: webhookInput(this),
				items: park.items,
				waiting: [...park.waiting],
				settings: park.settings ?? null,
			},
		};
	}
}

nodeTypes.register('test.internalsProbe', new InternalsProbe());
nodeTypes.register('test.internalsProbeTool', new InternalsProbe());

const probe = (step: string, name = 'Probe', type = 'test.internalsProbe') => ({
	id: `probe-${step}`,
	name,
	type,
	typeVersion: 1,
	position: [200, 0] as [number, number],
	parameters: { step },
});

async function runProbe(step: string, type?: string) {
	const { run, output, errorOf } = await runWorkflow(
		[itemsNode([{ json: { prompt: 'A paper boat' } }]), probe(step, 'Probe', type)],
		{},
	);
	expect(errorOf('Probe')).toBeUndefined();
	return { run, json: output('Probe')[0]?.json };
}

describe('parking: the parked items reach the resume webhook', () => {
	// A name that would end an expression's string or the expression itself, if not escaped.
	const name = `Seedance's "park" }} {{ $x }}`;
	let receiver: WebhookReceiver | undefined;
	afterEach(async () => await receiver?.stop());

	it('replaceParkedInput puts them on the stack n8n-core resumes from; the webhook reads them, binary included, and the settings saved with them', async () => {
		const node = probe('park', name);
		const { run } = await runWorkflow([itemsNode([{ json: { prompt: 'x' } }]), node], {});
		expect(run.status).toBe('waiting');
		const stacked = run.data.executionData!.nodeExecutionStack[0];
		expect(stacked.node.name).toBe(name);
		expect(stacked.data.main[0]!.map((item) => item.json.taskId)).toEqual(['ended-1', 'open-2']);

		receiver = new WebhookReceiver({ node, credentials: {}, waiting: run.data });
		const url = await receiver.start();
		const answer = (await (await fetch(url, { method: 'POST' })).json()) as {
			input: INodeExecutionData[];
			items: INodeExecutionData[];
			waiting: Array<[number, string]>;
			settings: { marker?: string } | null;
		};
		// webhookInput (n8n-core's connectionInputData) and $input.all() give the same items.
		expect(answer.input.map((item) => item.json.taskId)).toEqual(['ended-1', 'open-2']);
		expect(answer.items).toEqual(answer.input);
		expect((answer.items[0].binary?.data as IBinaryData).fileName).toBe('a.mp4');
		expect(answer.waiting).toEqual([[1, 'open-2']]);
		// $('<this node>').context: the settings saved with getContext('node') at park time.
		expect(answer.settings?.marker).toBe('saved at park time');
	});

	it('replaceParkedInput fails loudly when n8n hands the node no input list to rewrite', () => {
		const context = {
			getNode: () => probe('park'),
			getExecuteData: () => ({ data: {} }),
		} as unknown as IExecuteFunctions;
		expect(() => replaceParkedInput(context, [])).toThrow(N8nChanged);
		expect(() => replaceParkedInput(context, [])).toThrow(
			"This n8n version changed the input it keeps for a node's resume webhook; update n8n-nodes-seedance",
		);
	});

	it('webhookInput fails loudly when the webhook context holds no input list', () => {
		const context = { getNode: () => probe('park') } as unknown as IWebhookFunctions;
		expect(() => webhookInput(context)).toThrow(
			/This n8n version changed .*; update n8n-nodes-seedance/,
		);
	});
});

describe('downloading: the stream n8n httpRequest hands back', () => {
	it('bodyHasEnded reads its state and replacePush sees every byte before n8n stores it', async () => {
		const { json } = await runProbe('stream');
		expect(typeof json.endedAtFirst).toBe('boolean');
		expect(json).toMatchObject({
			endedAfter: true,
			pushed: BODY.length,
			storedBytes: BODY.length,
		});
	});

	it('both fail loudly on a stream without the state or push they mirror', () => {
		const node = probe('stream');
		const bare = {} as Parameters<typeof bodyHasEnded>[1];
		expect(() => bodyHasEnded(node, bare)).toThrow(N8nChanged);
		expect(() => replacePush(node, bare, () => true)).toThrow(NodeOperationError);
	});
});

describe("binary data mode: read from the id n8n-core's BinaryDataService gives a file", () => {
	afterAll(async () => await resetBinaryDataMode());

	it.each(['default', 'filesystem', 'database', 's3'] as const)('%s', async (mode) => {
		await useBinaryDataMode(mode);
		expect((await runProbe('mode')).json.mode).toBe(mode);
	});

	it('an id of another shape fails loudly', () => {
		const stored = { id: 'no-mode-here', data: '', mimeType: 'x' } as IBinaryData;
		expect(() => binaryModeOf(probe('mode'), stored)).toThrow(
			'This n8n version changed the ids of its binary data files; update n8n-nodes-seedance',
		);
	});
});

describe('tool mode', () => {
	it('a plain run is not a tool; the tool variant (type name + "Tool") is', async () => {
		expect((await runProbe('tool')).json.asTool).toBe(false);
		expect((await runProbe('tool', 'test.internalsProbeTool')).json.asTool).toBe(true);
	});
});

describe('the room is the only one', () => {
	const root = resolve(__dirname, '..', '..', '..');
	const files = (readdirSync(join(root, 'nodes'), { recursive: true }) as string[])
		.filter((file) => file.endsWith('.ts'))
		.map((file) => relative(root, join(root, 'nodes', file)));
	// What each reach touches: written anywhere else, it is a reach outside the room.
	const internals =
		/_readableState|connectionInputData|runExecutionData|contextData|getExecuteData\(|isToolExecution|endsWith\('Tool'\)|\.push = |getExecutionCancelSignal: /;

	it.each(files.filter((file) => !file.startsWith('nodes/shared/')))(
		'%s reaches into no n8n internal',
		(file) => {
			expect(readFileSync(join(root, file), 'utf8')).not.toMatch(internals);
		},
	);
});
