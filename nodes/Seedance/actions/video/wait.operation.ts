import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readWaitOptions, waitOptionFields } from '../common.descriptions';
import { finishTasks, toNodeOutput } from '../../helpers/completion';
import { getConnection } from '../../transport';
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
	const finished = await finishTasks(this, connection, open, { settings: wait.settings, binaryProperty: wait.binaryProperty });
	return toNodeOutput(this, [...outcomes, ...finished]);
}
