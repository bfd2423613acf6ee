import type { INodeProperties } from 'n8n-workflow';

import * as generate from './generate.operation';
import * as getStatus from './getStatus.operation';
import * as wait from './wait.operation';

export { generate, getStatus, wait };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{
				name: 'Generate',
				value: 'generate',
				description:
					'Create a video from text or an image, and optionally wait for it and download it',
				action: 'Generate a video',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Get the current state of a video task',
				action: 'Get the status of a video task',
			},
			{
				name: 'Wait',
				value: 'wait',
				description: 'Wait until a video task has finished, and optionally download the video',
				action: 'Wait for a video task',
			},
		],
		default: 'generate',
	},
	...generate.description,
	...getStatus.description,
	...wait.description,
];
