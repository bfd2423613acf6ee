import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { MAX_INTERVAL_FACTOR, type PollSettings } from './poll';

/** Options shared by every operation that waits for a task and downloads its video. */
export const waitOptionFields: INodeProperties[] = [
	{
		displayName: 'Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'Name of the binary property to put the downloaded video in',
	},
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50 },
		default: 10,
		description:
			'Maximum number of requests to the service at once when the node processes many items',
	},
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: true,
		description:
			'Whether to download the finished video into binary data. Result links expire, so keep the file if you need it later.',
	},
	{
		displayName: 'Max Wait Time (Seconds)',
		name: 'maxWaitTime',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 900,
		description:
			'How long to wait for the video before giving up. The task keeps running at the service; use the Wait operation with its task ID to pick it up later.',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: 5,
		description:
			'First gap between status checks. The node then checks less often, guided by the progress the service reports, up to 15 times this gap.',
	},
	{
		displayName: 'Request Timeout (Seconds)',
		name: 'requestTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60,
		description: 'How long one request to the service may take',
	},
	{
		displayName: 'Wait Mode',
		name: 'waitMode',
		type: 'options',
		options: [
			{
				name: 'Poll (Keep the Execution Running)',
				value: 'poll',
				description: 'Check the task regularly until it ends. Works everywhere.',
			},
			{
				name: 'Resume on Callback (Pause the Execution)',
				value: 'resume',
				description:
					'Pause the execution, without holding a worker, until API in One calls back. Needs n8n reachable from the internet (WEBHOOK_URL).',
			},
		],
		default: 'poll',
		description:
			'How to wait until the task ends. Resume on Callback works for tasks created in this execution by a Generate in that mode: Generate with "Wait for Completion" off still gives the service this execution\'s resume URL, for a Wait node in that mode further on.',
	},
];

/** An option's default, as its field declares it: used when the user did not add the option. */
function defaultOf(name: string): number | string | boolean {
	return waitOptionFields.find((field) => field.name === name)?.default as
		number | string | boolean;
}

/** The node's wait options; also what `finishTasks` and `waitOrPark` take as they are. */
export interface WaitOptions {
	settings: PollSettings;
	binaryProperty?: string;
	mode: 'poll' | 'resume';
}

/** A number option, its field's default when not added, checked against its minimum. */
function positive(
	context: Pick<IExecuteFunctions, 'getNode'>,
	label: string,
	options: IDataObject,
	name: string,
	minimum: number,
	itemIndex: number,
): number {
	const value =
		options[name] === undefined || options[name] === '' ? defaultOf(name) : options[name];
	const number = Number(value);
	if (!Number.isFinite(number) || number < minimum) {
		throw new NodeOperationError(
			context.getNode(),
			`Option "${label}" must be a number of at least ${minimum}`,
			{
				itemIndex,
				description: `Got "${String(value)}".`,
			},
		);
	}
	return number;
}

/**
 * Reads and checks the wait options of one item (the batch uses item 0's settings for the shared
 * loop).
 */
export function readWaitOptions(
	context: Pick<IExecuteFunctions, 'getNode'>,
	options: IDataObject,
	itemIndex: number,
): WaitOptions {
	const minIntervalMs =
		positive(context, 'Poll Interval', options, 'pollInterval', 0.1, itemIndex) * 1000;
	const concurrency = Math.floor(
		positive(context, 'Concurrency', options, 'concurrency', 1, itemIndex),
	);
	const settings: PollSettings = {
		maxWaitMs: positive(context, 'Max Wait Time', options, 'maxWaitTime', 1, itemIndex) * 1000,
		minIntervalMs,
		maxIntervalMs: minIntervalMs * MAX_INTERVAL_FACTOR,
		concurrency: Math.min(concurrency, 50),
		requestTimeoutMs:
			positive(context, 'Request Timeout', options, 'requestTimeout', 1, itemIndex) * 1000,
	};
	const download =
		options.downloadVideo === undefined
			? defaultOf('downloadVideo')
			: options.downloadVideo === true;
	let binaryProperty: string | undefined;
	if (download) {
		binaryProperty = String(options.binaryPropertyName ?? defaultOf('binaryPropertyName')).trim();
		if (!binaryProperty) {
			throw new NodeOperationError(context.getNode(), 'Option "Binary Property" is empty', {
				itemIndex,
				description:
					'Enter a name such as "data" for the downloaded video, or turn off "Download Video".',
			});
		}
	}
	return { settings, binaryProperty, mode: options.waitMode === 'resume' ? 'resume' : 'poll' };
}
