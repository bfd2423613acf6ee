import { createHash } from 'node:crypto';
import type { IBinaryKeyData, IDataObject, IPairedItemData, ISourceData } from 'n8n-workflow';

/** A paid create, in the node's execution context, which n8n keeps across retries and loops. */
export interface CreateRecord {
	/** The task the create made; absent when its answer was lost (it may or may not exist). */
	taskId?: string;
	/** Digest of the callback URL (a resume URL is one execution's); the URL holds a token: not kept. */
	callbackDigest?: string;
	credits: number;
}

/** Where one input item came from: what makes it this item and not another. */
export interface CreateInput {
	itemIndex: number;
	json: IDataObject;
	binary?: IBinaryKeyData;
	pairedItem?: IPairedItemData | IPairedItemData[] | number;
	/** The node and run that produced the item (null where n8n gives none, e.g. a tool call). */
	source: ISourceData | null;
}

const LEDGER_KEY = 'seedanceCreateRecords';
const SPENT_KEY = 'seedanceCreditsSpent';

const digest = (value: unknown) =>
	createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/** A file by what identifies it (its stored id, or its bytes when inline), never its whole data. */
function binaryFingerprint(binary: IBinaryKeyData | undefined): IDataObject | undefined {
	if (!binary) return undefined;
	const files: IDataObject = {};
	for (const [name, file] of Object.entries(binary)) {
		files[name] = {
			// n8n moves a webhook's files to the execution's folder when it ends: still the same file.
			id: file.id?.replace(/\/executions\/[^/]+\//, '/executions/*/') ?? null,
			data: file.id ? null : digest(file.data ?? ''),
			mimeType: file.mimeType,
			fileName: file.fileName ?? null,
		};
	}
	return files;
}

/**
 * One paid create's identity: its input item (position, data, files, source), never the run index
 * (a tool's retry gets a new one) nor the body (`$now` changes it between tries).
 */
export function createIdentity(input: CreateInput): string {
	return digest([
		input.itemIndex,
		input.json,
		binaryFingerprint(input.binary) ?? null,
		input.pairedItem ?? null,
		input.source
			? [
					input.source.previousNode,
					input.source.previousNodeOutput ?? 0,
					input.source.previousNodeRun ?? 0,
				]
			: null,
	]);
}

/** A digest of a callback URL: enough to tell whether a task calls back to the same place. */
export function callbackDigestOf(url: string | undefined): string | undefined {
	return url === undefined ? undefined : digest(['callback', url]);
}

function records(context: IDataObject): IDataObject {
	const stored = context[LEDGER_KEY];
	if (typeof stored === 'object' && stored !== null && !Array.isArray(stored))
		return stored as IDataObject;
	const fresh: IDataObject = {};
	context[LEDGER_KEY] = fresh;
	return fresh;
}

export function findCreate(context: IDataObject, identity: string): CreateRecord | undefined {
	const found = records(context)[identity];
	return typeof found === 'object' && found !== null ? (found as CreateRecord) : undefined;
}

/** Records a create about to reach the service (its task, or its answer lost, follows). */
export function recordCreate(context: IDataObject, identity: string, record: CreateRecord): void {
	records(context)[identity] = { ...record } as IDataObject;
}

/** Adds what the answer told (its task, its callback) to a create recorded before it was sent. */
export function settleCreate(
	context: IDataObject,
	identity: string,
	answer: Pick<CreateRecord, 'taskId' | 'callbackDigest'>,
): void {
	const found = findCreate(context, identity);
	if (found) records(context)[identity] = { ...found, ...answer } as IDataObject;
}

/** Takes back a create recorded before it was sent that the service certainly refused. */
export function forgetCreate(context: IDataObject, identity: string): void {
	const found = findCreate(context, identity);
	if (!found) return;
	delete records(context)[identity];
}

/** Credits of the execution's creates, in the flow context: one budget for all Seedance nodes. */
export function creditsSpent(flow: IDataObject): number {
	const spent = Number(flow[SPENT_KEY] ?? 0);
	return Number.isFinite(spent) ? spent : 0;
}

/** Adds (or, for a create certainly refused, takes back) a create's credits. */
export function addCredits(flow: IDataObject, credits: number): void {
	flow[SPENT_KEY] = creditsSpent(flow) + credits;
}
