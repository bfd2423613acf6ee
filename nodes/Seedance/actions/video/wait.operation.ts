import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readWaitOptions, waitOptionFields, type WaitOptions } from '../common.descriptions';
import { failed, finishTasks, toNodeOutput, type ItemOutcome } from '../../helpers/completion';
import type { OpenTask } from '../../helpers/engine';
import { parkForCallbacks } from '../../helpers/resume';
import { attempt, mapWithLimit } from '../../helpers/timing';
import { fetchTask, getConnection, isPassingFault, type Connection } from '../../transport';
import { readTaskIds } from './taskIds';
import { taskIdField } from './taskId.description';

const properties: INodeProperties[] = [
	taskIdField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: waitOptionFields,
	},
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['wait'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const { ids, outcomes } = readTaskIds(this, items);
	const wait = readWaitOptions(this, this.getNodeParameter('options', 0, {}) as IDataObject, 0);
	if (ids.length === 0) return toNodeOutput(this, outcomes);
	const connection = await getConnection(this);
	const startedAt = Date.now();
	const open = ids.map(({ itemIndex, taskId }) => ({ itemIndex, taskId, startedAt }));
	if (wait.mode === 'resume') return await waitForCallbacks(this, connection, open, outcomes, wait);
	const finished = await finishTasks(this, connection, open, wait);
	return toNodeOutput(this, [...outcomes, ...finished]);
}

/**
 * Resume mode: each task is read once (one that has already ended is output now, as in poll
 * mode), then the execution pauses until a callback about one of the others. Callbacks reach this
 * execution only for tasks a Generate in resume mode created in it; for any other task the
 * deadline passes and the parked items say so (route them to a Wait in poll mode).
 */
async function waitForCallbacks(context: IExecuteFunctions, connection: Connection, open: OpenTask[], outcomes: ItemOutcome[], wait: WaitOptions): Promise<INodeExecutionData[]> {
	const read: OpenTask[] = [];
	await mapWithLimit(open, wait.settings.concurrency, async (task) => {
		const answer = await attempt(fetchTask(context, connection, task.taskId, { timeoutMs: wait.settings.requestTimeoutMs, itemIndex: task.itemIndex }));
		if (answer.ok) read.push({ ...task, last: answer.value });
		// A passing fault is no reason not to wait; an unknown task or a bad key is.
		else if (isPassingFault(answer.error)) read.push(task);
		else outcomes.push(failed(task.itemIndex, answer.error, task.taskId));
	});
	return await parkForCallbacks(context, connection, outcomes, read, wait);
}
