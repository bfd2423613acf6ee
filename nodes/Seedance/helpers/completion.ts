import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeApiError } from 'n8n-workflow';

import type { Connection, SeedanceContext } from '../transport';
import { downloadVideo } from './binary';
import { awaitTasks, type OpenTask, type PollSettings } from './engine';
import type { SeedanceTask } from './task';
import { attempt, mapWithLimit } from './timing';

export type NodeError = NodeApiError | NodeOperationError;

/** What became of one input item: an output item, or an error that may carry a (paid) task id. */
export type ItemOutcome =
	| { itemIndex: number; ok: true; item: INodeExecutionData }
	| { itemIndex: number; ok: false; error: NodeError; taskId?: string };

export interface FinishOptions {
	settings: PollSettings;
	/** Name of the binary property to download into; undefined: no download. */
	binaryProperty?: string;
	/** Extra fields of each item's output (e.g. the estimated credits). */
	extraJson?: (itemIndex: number) => IDataObject;
}

export function failed(itemIndex: number, error: unknown, taskId?: string): ItemOutcome {
	return { itemIndex, ok: false, error: error as NodeError, taskId };
}

/** Output item for a task, downloading its video first when asked. */
export async function taskItem(
	context: SeedanceContext,
	connection: Connection,
	task: SeedanceTask,
	itemIndex: number,
	options: Omit<FinishOptions, 'settings'> & { requestTimeoutMs: number },
): Promise<ItemOutcome> {
	const item: INodeExecutionData = { json: { ...task, ...(options.extraJson?.(itemIndex) ?? {}) }, pairedItem: { item: itemIndex } };
	if (!options.binaryProperty || task.state !== 'succeeded') return { itemIndex, ok: true, item };
	if (!task.videoUrl) {
		const error = new NodeOperationError(context.getNode(), `Task ${task.taskId} succeeded but the service sent no video link`, {
			itemIndex,
			description: 'The task output is in the raw response. Run Get Status later, or turn off "Download Video".',
		});
		return { itemIndex, ok: false, error, taskId: task.taskId };
	}
	const download = await attempt(downloadVideo(context, connection, task, { timeoutMs: options.requestTimeoutMs, itemIndex }));
	if (!download.ok) return failed(itemIndex, download.error, task.taskId);
	return { itemIndex, ok: true, item: { ...item, binary: { [options.binaryProperty]: download.value } } };
}

/** Waits for every open task with the shared poll loop, then downloads the finished videos. */
export async function finishTasks(
	context: SeedanceContext,
	connection: Connection,
	open: OpenTask[],
	options: FinishOptions,
): Promise<ItemOutcome[]> {
	const outcomes = await awaitTasks(context, connection, open, options.settings);
	return await mapWithLimit(open, options.settings.concurrency, async (task) => {
		const outcome = outcomes.get(task.itemIndex);
		if (!outcome) throw new Error(`No outcome for item ${task.itemIndex}`);
		if (!outcome.ok) return { itemIndex: task.itemIndex, ok: false as const, error: outcome.error, taskId: outcome.taskId };
		return await taskItem(context, connection, outcome.task, task.itemIndex, { ...options, requestTimeoutMs: options.settings.requestTimeoutMs });
	});
}

/** A failed item as an output item (Continue On Fail, resume mode): the error and the task id, so nothing paid is lost. */
export function errorItem(outcome: Extract<ItemOutcome, { ok: false }>): INodeExecutionData {
	return { json: { error: outcome.error.message, description: outcome.error.description ?? null, taskId: outcome.taskId ?? null }, pairedItem: { item: outcome.itemIndex } };
}

/**
 * The node's output in input order. With "Continue On Fail" a failed item becomes an error item
 * (with its task id, so nothing paid is lost); without it the node fails with the first error
 * and lists the tasks that did finish (and, in resume mode, those still running), so a re-run can
 * pick them up instead of paying again.
 */
export function toNodeOutput(context: IExecuteFunctions, outcomes: ItemOutcome[], stillRunning: Array<{ itemIndex: number; taskId: string }> = []): INodeExecutionData[] {
	const ordered = [...outcomes].sort((a, b) => a.itemIndex - b.itemIndex);
	if (context.continueOnFail()) {
		return ordered.map((outcome) => (outcome.ok ? outcome.item : errorItem(outcome)));
	}
	const firstFailure = ordered.find((outcome) => !outcome.ok);
	if (firstFailure && !firstFailure.ok) {
		const finished = ordered.filter((outcome) => outcome.ok).map((outcome) => `${String(outcome.ok && outcome.item.json.taskId)} (item ${outcome.itemIndex + 1})`);
		const otherFailures = ordered.filter((outcome) => !outcome.ok && outcome !== firstFailure && outcome.taskId).map((outcome) => `${String(!outcome.ok && outcome.taskId)} (item ${outcome.itemIndex + 1})`);
		const notes = [
			finished.length ? `Tasks that finished in this run: ${finished.join(', ')}.` : '',
			otherFailures.length ? `Other tasks that did not finish: ${otherFailures.join(', ')}.` : '',
			stillRunning.length ? `Tasks still running, not waited for: ${stillRunning.map((task) => `${task.taskId} (item ${task.itemIndex + 1})`).join(', ')}.` : '',
		].filter(Boolean);
		if (notes.length) firstFailure.error.description = [firstFailure.error.description, ...notes].filter(Boolean).join(' ');
		throw firstFailure.error;
	}
	return ordered.map((outcome) => (outcome.ok ? outcome.item : { json: {} }));
}
