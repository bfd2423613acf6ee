import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';

import {
	InvalidParameter,
	checkBoolean,
	checkNumber,
	checkOption,
	checked,
	sameForEveryItem,
} from '../domain/invalidParameter';

import { MAX_INTERVAL_FACTOR, type PollSettings } from './poll';

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

const waitModeField: INodeProperties = {
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

/** Options shared by every operation that waits for a task and downloads its video. */
export const waitOptionFields: INodeProperties[] = [
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the output binary field to put the video in',
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
		displayName: 'Confirm Callbacks With API in One',
		name: 'confirmCallbacks',
		type: 'boolean',
		default: true,
		description:
			"Whether, in Resume on Callback mode, to read the task from API in One (free) before resuming, and use its state and video link rather than the callback's. Turn off only if n8n cannot reach the service: then anyone holding the resume URL and token could resume the execution with a made-up result.",
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
	{
		displayName: 'Request Timeout (Seconds)',
		name: 'requestTimeout',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 3600 },
		default: 60,
		description: 'How long one request to the service may take',
	},
	waitModeField,
];

/** Display condition of the fields that node version 1.1 added. */
export const FROM_VERSION_1_1: IDisplayOptions['show'] = { '@version': [{ _cnd: { gte: 1.1 } }] };
export const VERSION_1_ONLY: IDisplayOptions['show'] = { '@version': [1] };

/** From version 1.1 Wait Mode is a parameter of its own, so other fields can show or hide by it. */
export const waitModeParameter: INodeProperties = {
	...waitModeField,
	displayOptions: { show: FROM_VERSION_1_1 },
};

/** An operation's Options: version 1's fields, and version 1.1's (without what moved out). */
export function versionedOptions(
	version1: INodeProperties[],
	version1_1: INodeProperties[],
): INodeProperties[] {
	const collection: INodeProperties = {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
	};
	return [
		{ ...collection, displayOptions: { show: VERSION_1_ONLY }, options: version1 },
		{ ...collection, displayOptions: { show: FROM_VERSION_1_1 }, options: version1_1 },
	];
}

/** The parameters that version 1.1 moved out of Options to the top of the panel. */
const TOP_LEVEL_FROM_1_1 = ['waitForCompletion', 'waitMode'];

/**
 * The wait options of version 1.1: Wait Mode is outside, Confirm Callbacks shows in resume mode
 * only, and every field shows only when `shownWhen` holds (e.g. Generate waits for completion).
 */
export function waitOptionFieldsV11(shownWhen: IDisplayOptions['show'] = {}): INodeProperties[] {
	return waitOptionFields
		.filter((field) => field !== waitModeField)
		.map((field) => {
			const show = {
				...shownWhen,
				...(field.name === 'confirmCallbacks' ? { '/waitMode': ['resume'] } : {}),
			};
			return Object.keys(show).length ? { ...field, displayOptions: { show } } : field;
		});
}

/**
 * The wait settings as one object, wherever the node's version keeps them: in Options (version 1)
 * or at the top of the panel (1.1).
 */
export function waitParameters(read: (name: string, fallback: unknown) => unknown): IDataObject {
	const merged = { ...((read('options', {}) ?? {}) as IDataObject) };
	for (const name of TOP_LEVEL_FROM_1_1) {
		// n8n throws on a missing parameter without a fallback: null stands for "not on this version".
		const value = read(name, null);
		if (value !== null && value !== undefined) merged[name] = value as IDataObject[string];
	}
	return merged;
}

/**
 * The wait settings of a batch, read for every item: they drive one shared wait, so items that
 * give them different values (an expression over `$json`) are refused instead of read from item 1.
 * `moreFields` are other batch-wide settings kept in the same places (e.g. Max Credits).
 */
export function batchWaitParameters(
	context: Pick<IExecuteFunctions, 'getNode' | 'getNodeParameter'>,
	itemCount: number,
	moreFields: ReadonlyArray<{ name: string; displayName: string }> = [],
): IDataObject {
	const fields = [
		...waitOptionFields,
		{ name: 'waitForCompletion', displayName: 'Wait for Completion' },
		...moreFields,
	];
	return checked(context.getNode(), 0, () =>
		sameForEveryItem(
			itemCount,
			(itemIndex) =>
				waitParameters((name, fallback) => context.getNodeParameter(name, itemIndex, fallback)),
			fields,
		),
	);
}

function fieldOf(name: string): INodeProperties {
	const field = [...waitOptionFields, maxVideoSizeField].find(
		(candidate) => candidate.name === name,
	);
	if (!field) throw new Error(`No wait option "${name}"`);
	return field;
}

/** The node's wait options; also what `finishTasks` and `waitOrPark` take as they are. */
export interface WaitOptions {
	settings: PollSettings;
	binaryProperty?: string;
	/** Largest video downloaded, in bytes. */
	maxVideoBytes: number;
	mode: 'poll' | 'resume';
	/** Resume mode: read a callback's task from the service before resuming. */
	confirmCallbacks: boolean;
}

/** A number option: its field's default when not added, within its field's bounds. */
function numberOption(options: IDataObject, name: string, integer = false): number {
	const field = fieldOf(name);
	// Not added: the field's default. Anything given (null and "" included) is read strictly.
	const value = options[name] === undefined ? field.default : options[name];
	const { minValue, maxValue } = field.typeOptions ?? {};
	return checkNumber(field.displayName, value, {
		min: Number(minValue),
		max: Number(maxValue),
		integer,
	});
}

function booleanOption(options: IDataObject, name: string): boolean {
	const field = fieldOf(name);
	return checkBoolean(
		field.displayName,
		options[name] === undefined ? field.default : options[name],
	);
}

function checkedWaitOptions(options: IDataObject): WaitOptions {
	const minIntervalMs = numberOption(options, 'pollInterval') * 1000;
	const settings: PollSettings = {
		maxWaitMs: numberOption(options, 'maxWaitTime') * 1000,
		minIntervalMs,
		maxIntervalMs: minIntervalMs * MAX_INTERVAL_FACTOR,
		concurrency: numberOption(options, 'concurrency', true),
		requestTimeoutMs: numberOption(options, 'requestTimeout') * 1000,
	};
	const modes = (fieldOf('waitMode').options ?? []).map((option) =>
		String((option as { value: unknown }).value),
	);
	const mode = checkOption(
		'Wait Mode',
		options.waitMode === undefined ? fieldOf('waitMode').default : options.waitMode,
		modes,
	);
	const download = booleanOption(options, 'downloadVideo');
	const confirmCallbacks = booleanOption(options, 'confirmCallbacks');
	let binaryProperty: string | undefined;
	if (download) {
		binaryProperty = String(
			options.binaryPropertyName ?? fieldOf('binaryPropertyName').default,
		).trim();
		if (!binaryProperty) {
			throw new InvalidParameter(
				'Put Output File in Field',
				'Option "Put Output File in Field" is empty',
				'Enter a name such as "data" for the downloaded video, or turn off "Download Video".',
			);
		}
	}
	const maxVideoBytes = maxVideoBytesOf(options);
	return {
		settings,
		binaryProperty,
		maxVideoBytes,
		mode: mode as WaitOptions['mode'],
		confirmCallbacks,
	};
}

/**
 * Max Video Size in bytes, checked against its field's bounds (the default when not added); 0 is
 * "automatic": the download picks the size n8n's binary data mode holds.
 */
function maxVideoBytesOf(options: IDataObject): number {
	return numberOption(options, 'maxVideoSize', true) * 1048576;
}

/** Max Video Size of the Seedance Trigger's options, in bytes (0: automatic). */
export function readMaxVideoBytes(
	context: Pick<IExecuteFunctions, 'getNode'>,
	options: IDataObject,
): number {
	return checked(context.getNode(), 0, () => maxVideoBytesOf(options));
}

/** Reads and checks the wait options of one item (the batch uses item 0's for the shared loop). */
export function readWaitOptions(
	context: Pick<IExecuteFunctions, 'getNode'>,
	options: IDataObject,
	itemIndex: number,
): WaitOptions {
	return checked(context.getNode(), itemIndex, () => checkedWaitOptions(options));
}
