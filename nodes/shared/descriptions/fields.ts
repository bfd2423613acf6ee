import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** The largest video a download takes; the Seedance Trigger offers it too. */
export const maxVideoSizeField: INodeProperties = {
	displayName: 'Max Video Size (MB)',
	name: 'maxVideoSize',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 16384 },
	default: 0,
	hint: "0 = automatic: what n8n's binary data mode can hold",
	description:
		'Largest video the node downloads. 0 (automatic): 300 MB when n8n keeps binary data in memory (its "default" mode), 512 MB in "database" mode, 2048 MB in "filesystem" or "s3" mode. Never more than the mode holds. A larger video fails its item at once, naming its task, without being downloaded.',
};

/** Where a downloaded video goes; the Seedance Trigger offers it too. */
export const binaryPropertyNameField: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	hint: 'The name of the output binary field to put the video in',
};

export const simplifyField: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		"Whether to leave out the service's full answer (the raw field). Executions with many items stay light; the task's ID, state, progress, video link and error are kept.",
};

export const waitForCompletionField: INodeProperties = {
	displayName: 'Wait for Completion',
	name: 'waitForCompletion',
	type: 'boolean',
	default: true,
	description:
		'Whether to wait until the video is ready. Off: output the new task at once and check it later with Get Status or Wait.',
};

export const waitModeField: INodeProperties = {
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
	hint: 'Resume on Callback needs an n8n that API in One can reach from the internet (WEBHOOK_URL)',
	description:
		'How to wait until the task ends. Resume on Callback works for tasks created in this execution by a Generate in that mode: Generate with "Wait for Completion" off still gives the service this execution\'s resume URL, for a Wait node in that mode further on.',
};

/** How the node talks to the service: they act in every operation, waiting or not. */
export const requestOptionFields: INodeProperties[] = [
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
		displayName: 'Request Timeout (Seconds)',
		name: 'requestTimeout',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 3600 },
		default: 60,
		description: 'How long one request to the service may take',
	},
];

/** Options that act only while the node waits for a task. Confirm Callbacks: resume mode only. */
export const waitOnlyOptionFields: INodeProperties[] = [
	{
		displayName: 'Confirm Callbacks With API in One',
		name: 'confirmCallbacks',
		type: 'boolean',
		default: true,
		description:
			"Whether, in Resume on Callback mode, to read the task from API in One (free) before resuming, and use its state and video link rather than the callback's. Turn off only if n8n cannot reach the service: then anyone holding the resume URL and token could resume the execution with a made-up result.",
		displayOptions: { show: { '/waitMode': ['resume'] } },
	},
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: true,
		description:
			'Whether to download the finished video into binary data. Result links expire, so keep the file if you need it later.',
	},
	maxVideoSizeField,
	{
		displayName: 'Max Wait Time (Seconds)',
		name: 'maxWaitTime',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 604800 },
		default: 900,
		description:
			'How long to wait for the video before giving up. The task keeps running at the service; use the Wait operation with its task ID to pick it up later.',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 0.1, maxValue: 3600, numberPrecision: 1 },
		default: 5,
		description:
			'First gap between status checks. The node then checks less often, guided by the progress the service reports, up to 15 times this gap.',
	},
	binaryPropertyNameField,
];

/** The Options of every operation that waits for a task and downloads its video. */
export const waitOptionFields: INodeProperties[] = [
	...requestOptionFields,
	...waitOnlyOptionFields,
];

/** Fields that show only while `show` holds too (e.g. Generate's wait options while it waits). */
export function shownWhen(
	fields: INodeProperties[],
	show: NonNullable<IDisplayOptions['show']>,
): INodeProperties[] {
	return fields.map((field) => ({
		...field,
		displayOptions: { show: { ...show, ...field.displayOptions?.show } },
	}));
}

/** An operation's Options collection, its fields in alphabetical order as n8n's panels list them. */
export function optionsCollection(fields: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [...fields].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}
