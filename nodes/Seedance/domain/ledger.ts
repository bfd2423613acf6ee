import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * What Generate has paid for in one execution, kept in the node's execution context: n8n keeps
 * that context across Retry On Fail tries and loops of the node, and saves it with the execution
 * (so "Retry execution" from the executions list gets it back).
 */
export interface CreateRecord {
	/** The task the create made; absent when its answer was lost (it may or may not exist). */
	taskId?: string;
	/** The callback URL the task was created with (a resume URL belongs to one execution). */
	callbackUrl?: string;
	credits: number;
}

const LEDGER_KEY = 'seedanceCreates';
const SPENT_KEY = 'seedanceCreditsSpent';

/**
 * One create of one item in one run of the node: a retry of that run (same run index, same item,
 * same request) is the same create; a loop's next pass (another run index) is not.
 */
export function createKey(runIndex: number, itemIndex: number, body: IDataObject): string {
	// The callback URL may differ between tries (a new execution's resume URL): not part of the key.
	const request = { ...body };
	delete request.callback_url;
	const digest = createHash('sha256').update(JSON.stringify(request)).digest('base64url');
	return `${runIndex}:${itemIndex}:${digest}`;
}

function records(context: IDataObject): IDataObject {
	const stored = context[LEDGER_KEY];
	if (typeof stored === 'object' && stored !== null && !Array.isArray(stored))
		return stored as IDataObject;
	const fresh: IDataObject = {};
	context[LEDGER_KEY] = fresh;
	return fresh;
}

/** The create an earlier try made for this key, if any. */
export function findCreate(context: IDataObject, key: string): CreateRecord | undefined {
	const found = records(context)[key];
	return typeof found === 'object' && found !== null ? (found as CreateRecord) : undefined;
}

/** Records a create that reached the service (with its task, or with its answer lost) and its credits. */
export function recordCreate(context: IDataObject, key: string, record: CreateRecord): void {
	records(context)[key] = { ...record } as IDataObject;
	context[SPENT_KEY] = creditsSpent(context) + record.credits;
}

/** Estimated credits of every create this node made in this execution so far. */
export function creditsSpent(context: IDataObject): number {
	const spent = Number(context[SPENT_KEY] ?? 0);
	return Number.isFinite(spent) ? spent : 0;
}
