import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { InvalidParameter, parameterError } from '../../../shared/domain/invalidParameter';
import { checkTaskId } from '../../../shared/domain/taskId';
import { failed, type ItemOutcome } from '../../waiting/outcomes';

/** Reads and checks every item's task id before any request. */
export function readTaskIds(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
): { ids: Array<{ itemIndex: number; taskId: string }>; outcomes: ItemOutcome[] } {
	const ids: Array<{ itemIndex: number; taskId: string }> = [];
	const outcomes: ItemOutcome[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const read = checkTaskIdOf(context, itemIndex);
		if (read instanceof NodeOperationError) {
			if (!context.continueOnFail()) throw read;
			outcomes.push(failed(itemIndex, read));
		} else {
			ids.push({ itemIndex, taskId: read });
		}
	}
	return { ids, outcomes };
}

function checkTaskIdOf(context: IExecuteFunctions, itemIndex: number): string | NodeOperationError {
	try {
		return checkTaskId('Task ID', context.getNodeParameter('taskId', itemIndex, ''));
	} catch (error) {
		return error instanceof InvalidParameter
			? parameterError(context.getNode(), error, itemIndex)
			: new NodeOperationError(context.getNode(), error as Error, { itemIndex });
	}
}
