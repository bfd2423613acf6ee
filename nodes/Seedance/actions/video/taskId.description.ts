import type { INodeProperties } from 'n8n-workflow';

export const taskIdField: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. n38abc123_seedance',
	description: 'ID of the task, as in the taskId field that Generate outputs',
};
