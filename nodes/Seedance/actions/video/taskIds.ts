import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { failed, type ItemOutcome } from '../../waiting/outcomes';

/**
 * Reads every item's task id before any request; an empty one fails (or, with Continue On Fail,
 * becomes an error item).
 */
export function readTaskIds(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
): { ids: Array<{ itemIndex: number; taskId: string }>; outcomes: ItemOutcome[] } {
	const ids: Array<{ itemIndex: number; taskId: string }> = [];
	const outcomes: ItemOutcome[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const value = context.getNodeParameter('taskId', itemIndex, '');
		const taskId =
			typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
		if (taskId) {
			ids.push({ itemIndex, taskId });
			continue;
		}
		const error = new NodeOperationError(context.getNode(), 'Task ID is empty', {
			itemIndex,
			description:
				'Enter the ID of a task, e.g. {{ $json.taskId }} after a Generate node. Nothing was sent to the service.',
		});
		if (!context.continueOnFail()) throw error;
		outcomes.push(failed(itemIndex, error));
	}
	return { ids, outcomes };
}
