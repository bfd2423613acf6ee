import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import {
	optionsCollection,
	simplifyField,
	waitModeField,
	waitOptionFields,
} from '../../../shared/descriptions/fields';
import { holdTask } from '../../../shared/domain/bill';
import { getConnection } from '../../../shared/transport';
import { toNodeOutput } from '../../waiting/outcomes';
import { waitOrPark } from '../../waiting/park';
import { batchWaitParameters, readWaitOptions } from '../../waiting/waitOptions';
import type { CallMode } from './callMode';
import { taskIdField } from './taskId.description';
import { readTaskIds } from './taskIds';

const properties: INodeProperties[] = [
	taskIdField,
	waitModeField,
	simplifyField,
	optionsCollection(waitOptionFields),
];

/** The longest an AI Agent's call waits: the agent can ask again with the task ID. */
const TOOL_MAX_WAIT_SECONDS = 120;

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['wait'] } },
	properties,
);

function asToolCall(parameters: IDataObject): IDataObject {
	const maxWaitTime = Math.min(Number(parameters.maxWaitTime ?? 900), TOOL_MAX_WAIT_SECONDS);
	return { ...parameters, waitMode: 'poll', downloadVideo: false, maxWaitTime };
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	call: CallMode,
): Promise<INodeExecutionData[]> {
	const { ids, outcomes } = readTaskIds(this, items);
	const parameters = batchWaitParameters(this, items.length);
	const wait = readWaitOptions(this, call.asTool ? asToolCall(parameters) : parameters, 0);
	if (ids.length === 0) return toNodeOutput(this, outcomes);
	const connection = await getConnection(this);
	const startedAt = Date.now();
	const open = ids.map(({ itemIndex, taskId }) => ({ itemIndex, taskId, startedAt }));
	for (const task of open) holdTask(this, task.taskId, task.itemIndex); // a stop names them
	// In resume mode each task is read once first: one that has already ended is output at once.
	const result = await waitOrPark(this, connection, open, outcomes, wait);
	return toNodeOutput(this, result.outcomes, result.notWaitedFor);
}
