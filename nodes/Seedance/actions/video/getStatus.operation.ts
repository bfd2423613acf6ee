import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { simplifyField } from '../../descriptions/fields';
import { getConnection } from '../../transport';
import { failed, toNodeOutput, type ItemOutcome } from '../../waiting/outcomes';
import { readTasksOnce } from '../../waiting/readTasks';
import { taskIdField } from './taskId.description';
import { readTaskIds } from './taskIds';

const properties: INodeProperties[] = [taskIdField, simplifyField];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['getStatus'] } },
	properties,
);

const CONCURRENCY = 10;
const TIMEOUT_MS = 60_000;

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const { ids, outcomes } = readTaskIds(this, items);
	if (ids.length === 0) return toNodeOutput(this, outcomes);
	const connection = await getConnection(this);
	const reads = await readTasksOnce(this, connection, ids, {
		concurrency: CONCURRENCY,
		timeoutMs: TIMEOUT_MS,
	});
	const read = reads.map(({ ref, read }): ItemOutcome =>
		read.ok
			? {
					itemIndex: ref.itemIndex,
					ok: true,
					item: { json: read.value, pairedItem: { item: ref.itemIndex } },
				}
			: failed(ref.itemIndex, read.error, ref.taskId),
	);
	return toNodeOutput(this, [...outcomes, ...read]);
}
