import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	optionsCollection,
	requestOptionFields,
	simplifyField,
} from '../../../shared/descriptions/fields';
import { getConnection } from '../../../shared/transport';
import { failed, toNodeOutput, type ItemOutcome } from '../../waiting/outcomes';
import { readTasksOnce } from '../../waiting/readTasks';
import { batchWaitParameters, readWaitOptions } from '../../waiting/waitOptions';
import { taskIdField } from './taskId.description';
import { readTaskIds } from './taskIds';

const properties: INodeProperties[] = [
	taskIdField,
	simplifyField,
	optionsCollection(requestOptionFields),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['getStatus'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const { ids, outcomes } = readTaskIds(this, items);
	// Checked before the first request, as every operation's settings.
	const { settings } = readWaitOptions(this, batchWaitParameters(this, items.length), 0);
	if (ids.length === 0) return toNodeOutput(this, outcomes);
	const connection = await getConnection(this);
	const reads = await readTasksOnce(this, connection, ids, {
		concurrency: settings.concurrency,
		timeoutMs: settings.requestTimeoutMs,
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
