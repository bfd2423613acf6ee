import { NodeOperationError } from 'n8n-workflow';
import type {
	IBinaryData,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';

/*
 * Every reach into n8n's internals, where n8n gives a node no public way: nowhere else may a file
 * cast an n8n context or stream to get at them. Each one fails loudly when the n8n running it no
 * longer looks as it mirrors, rather than guessing and losing a paid video.
 */

/** A reach that no longer finds what it mirrors: the n8n version running the node changed it. */
export class N8nChanged extends NodeOperationError {
	constructor(node: INode, what: string) {
		super(node, `This n8n version changed ${what}; update n8n-nodes-seedance`, {
			description:
				'The Seedance node relies on this part of n8n, which n8n offers nodes no public way to reach. Update the n8n-nodes-seedance community package (Settings > Community Nodes), or run an n8n version it supports. Tasks already created keep running and are paid for: fetch them with a Seedance Wait or Get Status node on their task IDs.',
		});
	}
}

/** The error every reach throws when it no longer finds what it mirrors. */
export const n8nChanged = (node: INode, what: string) => new N8nChanged(node, what);

/** A response body as n8n's httpRequest hands it and its binary helpers take it. */
type BodyStream = Exclude<Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0], Buffer>;
type Push = (chunk: unknown, encoding?: BufferEncoding) => boolean;

// n8n-core execution-engine/workflow-execute.ts: a node that calls putExecutionToWait goes back on
// the nodeExecutionStack with this very executeData, whose input the resume webhook is given.
/** Makes `items` the input the resume webhook of this parking node will see. */
export function replaceParkedInput(context: IExecuteFunctions, items: INodeExecutionData[]): void {
	const input = context.getExecuteData()?.data?.main?.[0];
	if (!Array.isArray(input))
		throw n8nChanged(context.getNode(), "the input it keeps for a node's resume webhook");
	input.splice(0, input.length, ...items);
}

// n8n-core execution-engine/node-execution-context/webhook-context.ts: the waiting node's input,
// nodeExecutionStack[0].data.main[0], kept as `connectionInputData` (no getInputData in webhooks).
/** The resumed node's input items, binary data included. */
export function webhookInput(context: IWebhookFunctions): INodeExecutionData[] {
	const items = (context as unknown as { connectionInputData?: unknown }).connectionInputData;
	if (!Array.isArray(items))
		throw n8nChanged(context.getNode(), "the input it hands a node's resume webhook");
	return items as INodeExecutionData[];
}

// Node's lib/internal/streams/readable.js (the body n8n's httpRequest streams): `ended` is set once
// the whole body has been pushed, before it is read; Readable has no public flag for it.
/** Whether the whole body has arrived already, read or not. */
export function bodyHasEnded(node: INode, stream: BodyStream): boolean {
	const state = (stream as unknown as { _readableState?: { ended?: unknown } })._readableState;
	if (typeof state?.ended !== 'boolean')
		throw n8nChanged(node, 'the download stream it hands nodes (its read state)');
	return state.ended;
}

// Node's lib/_http_incoming.js and lib/zlib.js (the body n8n's httpRequest streams) feed a
// Readable through its own `push`: the only place to see bytes before n8n's binary helpers store them.
/** Puts `replacement` in the stream's `push`; returns the original, bound to the stream. */
export function replacePush(node: INode, stream: BodyStream, replacement: Push): Push {
	const target = stream as unknown as { push?: unknown };
	if (typeof target.push !== 'function')
		throw n8nChanged(node, 'the download stream it hands nodes (its push)');
	const original = (target.push as Push).bind(stream);
	target.push = replacement;
	return original;
}

// n8n-core request-helpers/authentication.ts (2.x), request-helper-functions.ts (1.x):
// httpRequestWithAuthentication replaces a request's abortSignal with this.getExecutionCancelSignal().
/** `context` whose keyed requests carry `signal` (which must hold the execution's Stop already). */
export function withRequestSignal<T extends object>(context: T, signal: AbortSignal): T {
	return Object.create(context, { getExecutionCancelSignal: { value: () => signal } }) as T;
}

// n8n-core binary-data/binary-data.service.ts (createBinaryDataId): a stored file's id is
// `<mode>:<file>` (filesystem as `filesystem-v2`); the in-memory default mode gives no id.
/** n8n's binary data mode, from a file it stored: nodes get no other sign of it. */
export function binaryModeOf(node: INode, stored: IBinaryData): string {
	if (stored.id === undefined || stored.id === null) return 'default';
	const [mode, file] = String(stored.id).split(':');
	if (!mode || !file) throw n8nChanged(node, 'the ids of its binary data files');
	return mode.replace(/-v\d+$/, '');
}

// n8n load-nodes-and-credentials.ts (createAiTools) names a node's AI tool variant `<type>Tool`;
// n8n-core execute-context.ts gives isToolExecution() only in newer versions (2.x).
/** Whether the node runs as an AI Agent's tool. */
export function runsAsTool(context: IExecuteFunctions): boolean {
	const flagged = (
		context as Partial<Pick<IExecuteFunctions, 'isToolExecution'>>
	).isToolExecution?.();
	return flagged === true || context.getNode().type.endsWith('Tool');
}
