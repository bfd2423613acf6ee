import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { failed, toNodeOutput, type ItemOutcome } from '../../helpers/completion';
import { attempt, mapWithLimit } from '../../helpers/timing';
import { fetchTask, getConnection } from '../../transport';
import { readTaskIds } from './taskIds';
import { taskIdField } from './taskId.description';

const properties: INodeProperties[] = [taskIdField];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['getStatus'] } }, properties);

const CONCURRENCY = 10;
const TIMEOUT_MS = 60_000;

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const { ids, outcomes } = readTaskIds(this, items);
	if (ids.length === 0) return toNodeOutput(this, outcomes);
	const connection = await getConnection(this);
	const read = await mapWithLimit(ids, CONCURRENCY, async ({ itemIndex, taskId }): Promise<ItemOutcome> => {
		const read = await attempt(fetchTask(this, connection, taskId, { timeoutMs: TIMEOUT_MS, itemIndex }));
		if (!read.ok) return failed(itemIndex, read.error, taskId);
		return { itemIndex, ok: true, item: { json: read.value, pairedItem: { item: itemIndex } } };
	});
	return toNodeOutput(this, [...outcomes, ...read]);
}
