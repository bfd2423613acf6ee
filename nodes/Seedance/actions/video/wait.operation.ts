import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { getConnection } from '../../transport';
import { toNodeOutput } from '../../waiting/outcomes';
import { waitOrPark } from '../../waiting/resume';
import { readWaitOptions, waitOptionFields } from '../../waiting/waitOptions';
import { taskIdField } from './taskId.description';
import { readTaskIds } from './taskIds';

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

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['wait'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const { ids, outcomes } = readTaskIds(this, items);
	const wait = readWaitOptions(this, this.getNodeParameter('options', 0, {}) as IDataObject, 0);
	if (ids.length === 0) return toNodeOutput(this, outcomes);
	const connection = await getConnection(this);
	const startedAt = Date.now();
	const open = ids.map(({ itemIndex, taskId }) => ({ itemIndex, taskId, startedAt }));
	// In resume mode each task is read once first: one that has already ended is output at once.
	const result = await waitOrPark(this, connection, open, outcomes, wait);
	return toNodeOutput(this, result.outcomes, result.notWaitedFor);
}
