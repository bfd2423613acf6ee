import type {
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

export type NodeError = NodeApiError | NodeOperationError;

/** What became of one input item: an output item, or an error that may carry a (paid) task id. */
export type ItemOutcome =
	| { itemIndex: number; ok: true; item: INodeExecutionData }
	| { itemIndex: number; ok: false; error: NodeError; taskId?: string };

/** A task the node did not wait for (resume mode, when it fails instead of pausing). */
export interface RunningTask {
	itemIndex: number;
	taskId: string;
}

export function failed(itemIndex: number, error: unknown, taskId?: string): ItemOutcome {
	return { itemIndex, ok: false, error: error as NodeError, taskId };
}

/** A failed item naming its paid task; error-output items hold only what n8n 1.x and 2.x share. */
export function errorItem(
	outcome: Extract<ItemOutcome, { ok: false }>,
	node: INode,
): INodeExecutionData {
	const { message, description } = outcome.error;
	const taskId = outcome.taskId ?? null;
	if (node.onError !== 'continueErrorOutput') {
		return {
			json: { error: message, description: description ?? null, taskId },
			pairedItem: { item: outcome.itemIndex },
		};
	}
	const named = taskId && !message.includes(taskId) ? `${message} (task ${taskId})` : message;
	return {
		json: { error: named, message: description ?? '' },
		pairedItem: { item: outcome.itemIndex },
	};
}

export function outputItems(outcomes: ItemOutcome[], node: INode): INodeExecutionData[] {
	return [...outcomes]
		.sort((a, b) => a.itemIndex - b.itemIndex)
		.map((outcome) => (outcome.ok ? outcome.item : errorItem(outcome, node)));
}

const listed = (tasks: Array<{ taskId?: string; itemIndex: number }>) =>
	tasks.map((task) => `${String(task.taskId)} (item ${task.itemIndex + 1})`).join(', ');

/** The output in input order; without Continue On Fail the first error lists the paid tasks. */
export function toNodeOutput(
	context: IExecuteFunctions,
	outcomes: ItemOutcome[],
	stillRunning: RunningTask[] = [],
	recovery?: string,
): INodeExecutionData[] {
	if (context.continueOnFail()) return outputItems(outcomes, context.getNode());
	const ordered = [...outcomes].sort((a, b) => a.itemIndex - b.itemIndex);
	const firstFailure = ordered.find((outcome) => !outcome.ok);
	if (firstFailure && !firstFailure.ok) {
		const finished = ordered.flatMap((outcome) =>
			outcome.ok
				? [{ taskId: String(outcome.item.json.taskId), itemIndex: outcome.itemIndex }]
				: [],
		);
		const otherFailures = ordered.flatMap((outcome) =>
			!outcome.ok && outcome !== firstFailure && outcome.taskId ? [outcome] : [],
		);
		const notes = [
			finished.length ? `Tasks that finished in this run: ${listed(finished)}.` : '',
			otherFailures.length ? `Other tasks that did not finish: ${listed(otherFailures)}.` : '',
			stillRunning.length ? `Tasks still running, not waited for: ${listed(stillRunning)}.` : '',
		].filter(Boolean);
		if (notes.length && recovery) notes.push(recovery);
		if (notes.length)
			firstFailure.error.description = [firstFailure.error.description, ...notes]
				.filter(Boolean)
				.join(' ');
		throw firstFailure.error;
	}
	return ordered.map((outcome) => (outcome.ok ? outcome.item : { json: {} }));
}
