import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	waitForCompletionField,
	waitModeField,
	waitOptionFields,
} from '../../shared/descriptions/fields';
import {
	checkBoolean,
	checkFieldName,
	checkNumber,
	checkOption,
	checked,
	sameForEveryItem,
} from '../../shared/domain/invalidParameter';
import { maxVideoBytesOf } from '../../shared/download/maxVideoSize';
import { MAX_INTERVAL_FACTOR, type PollSettings } from './poll';

/** Where the panel keeps them: at the top (Wait for Completion is Generate's only), the rest in Options. */
const TOP_LEVEL = [waitForCompletionField, waitModeField];

export function waitParameters(read: (name: string, fallback: unknown) => unknown): IDataObject {
	const parameters = { ...((read('options', {}) ?? {}) as IDataObject) };
	for (const field of TOP_LEVEL) parameters[field.name] = read(field.name, field.default) as never;
	return parameters;
}

/** A batch's wait settings, read per item: one shared wait, so differing values are refused. */
export function batchWaitParameters(
	context: Pick<IExecuteFunctions, 'getNode' | 'getNodeParameter'>,
	itemCount: number,
	moreOptions: ReadonlyArray<{ name: string; displayName: string }> = [],
): IDataObject {
	const fields = [...TOP_LEVEL, ...waitOptionFields, ...moreOptions];
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
	const field = [...waitOptionFields, waitModeField].find((candidate) => candidate.name === name);
	if (!field) throw new Error(`No wait option "${name}"`);
	return field;
}

/** The node's wait options; also what `finishTasks` and `waitOrPark` take as they are. */
export interface WaitOptions {
	settings: PollSettings;
	binaryProperty?: string;
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
		binaryProperty = checkFieldName(
			'Put Output File in Field',
			options.binaryPropertyName === undefined
				? fieldOf('binaryPropertyName').default
				: options.binaryPropertyName,
		);
	}
	const maxVideoBytes = maxVideoBytesOf(options.maxVideoSize);
	return {
		settings,
		binaryProperty,
		maxVideoBytes,
		mode: mode as WaitOptions['mode'],
		confirmCallbacks,
	};
}

/** Wait for Completion of the batch (Generate): on or off, nothing else. */
export function readWaitForCompletion(
	context: Pick<IExecuteFunctions, 'getNode'>,
	parameters: IDataObject,
): boolean {
	return checked(context.getNode(), 0, () =>
		checkBoolean(waitForCompletionField.displayName, parameters.waitForCompletion),
	);
}

export function readWaitOptions(
	context: Pick<IExecuteFunctions, 'getNode'>,
	options: IDataObject,
	itemIndex: number,
): WaitOptions {
	return checked(context.getNode(), itemIndex, () => checkedWaitOptions(options));
}
