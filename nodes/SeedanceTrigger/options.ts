import { NodeOperationError, type INode, type INodeProperties } from 'n8n-workflow';

import { binaryPropertyNameField, simplifyField } from '../shared/descriptions/fields';
import { checkBoolean, checkFieldName, checked } from '../shared/domain/invalidParameter';
import { readMaxVideoBytes } from '../shared/download/maxVideoSize';
import { isCallbackEvent, unknownEventMessage, type CallbackEvent } from './events';

/** On by default: a workflow that starts "with the video" gets the file, not only a link. */
export const downloadVideoField: INodeProperties = {
	displayName: 'Download Video',
	name: 'downloadVideo',
	type: 'boolean',
	default: true,
	description:
		'Whether to download a finished video into binary data before the workflow starts. Result links expire, so keep the file if you need it later. Turn off to start at once with the link only.',
};

/** On by default: only a task the service confirms starts the workflow. */
export const confirmWithServiceField: INodeProperties = {
	displayName: 'Confirm With API in One',
	name: 'confirmWithService',
	type: 'boolean',
	default: true,
	description:
		"Whether to read the task from API in One (free) before starting, and use its state and video link rather than the callback's. Turn off only if n8n cannot reach the service: then anyone holding the callback URL could start this workflow with a made-up task.",
};

export interface TriggerOptions {
	event: CallbackEvent;
	simplify: boolean;
	confirm: boolean;
	/** Binary field to download a finished video into; undefined: no download. */
	binaryProperty?: string;
	maxVideoBytes: number;
}

/** An option that could not be read (an expression that fails or gives a wrong value). */
export interface OptionProblem {
	option: string;
	error: Error;
	/** The safe value used instead, as the user reads it. */
	instead: string;
}

interface ParameterReader {
	getNode(): INode;
	getNodeParameter(name: string, fallback: unknown): unknown;
}

/** n8n refuses an undefined fallback: this one stands for "not set" (no user value is it). */
const NOT_SET = '\u0000not set';

/** The option's value, or undefined when it is not set. */
function optionValue(context: ParameterReader, name: string): unknown {
	const value = context.getNodeParameter(name, NOT_SET);
	return value === NOT_SET ? undefined : value;
}

/** Not set: the field's default; anything set, null and "" included, is read as it is. */
const orDefault = (value: unknown, field: INodeProperties): unknown =>
	value === undefined ? field.default : value;

function invalid(context: ParameterReader, message: string, description: string): never {
	throw new NodeOperationError(context.getNode(), message, { description });
}

/** Not set: its field's default; set (null and "" included): read strictly, as Generate reads it. */
function booleanParameter(context: ParameterReader, path: string, field: INodeProperties) {
	return checked(context.getNode(), 0, () =>
		checkBoolean(field.displayName, orDefault(optionValue(context, path), field)),
	);
}

/**
 * Reads every option of the trigger on its own. One that fails gets the value that drops no task
 * (any finished task, confirmed, no download) and is named in `problems`: a callback still starts
 * the workflow with its paid task, and the problem says which option to fix.
 */
export function readEachTriggerOption(context: ParameterReader): {
	options: TriggerOptions;
	problems: OptionProblem[];
} {
	const problems: OptionProblem[] = [];
	function read<T>(option: string, reader: () => T, fallback: T, instead: string): T {
		try {
			return reader();
		} catch (error) {
			problems.push({ option, error: error as Error, instead });
			return fallback;
		}
	}
	const event = read<CallbackEvent>(
		'Trigger On',
		() => {
			const value = context.getNodeParameter('event', 'anyTerminal');
			if (isCallbackEvent(value)) return value;
			return invalid(
				context,
				unknownEventMessage(value),
				'Choose Any Finished Task, Video Ready or Task Failed (an expression must give anyTerminal, succeeded or unsuccessful), then publish (activate) the workflow again.',
			);
		},
		'anyTerminal',
		'started on any finished task',
	);
	const simplify = read(
		simplifyField.displayName,
		() => booleanParameter(context, 'simplify', simplifyField),
		true,
		'simplified',
	);
	const confirm = read(
		'Confirm With API in One',
		() => booleanParameter(context, 'options.confirmWithService', confirmWithServiceField),
		true,
		'confirmed with API in One',
	);
	const maxVideoBytes = read(
		'Max Video Size (MB)',
		() => readMaxVideoBytes(context, optionValue(context, 'options.maxVideoSize')),
		undefined,
		'video not downloaded',
	);
	const download = read(
		downloadVideoField.displayName,
		() => booleanParameter(context, 'options.downloadVideo', downloadVideoField),
		false,
		'video not downloaded',
	);
	const binaryProperty = !download
		? undefined
		: read(
				binaryPropertyNameField.displayName,
				() =>
					checked(context.getNode(), 0, () =>
						checkFieldName(
							binaryPropertyNameField.displayName,
							orDefault(
								optionValue(context, 'options.binaryPropertyName'),
								binaryPropertyNameField,
							),
						),
					),
				undefined,
				'video not downloaded',
			);
	return {
		options: {
			event,
			simplify,
			confirm,
			// A size limit that cannot be read downloads nothing rather than guess one.
			binaryProperty: maxVideoBytes === undefined ? undefined : binaryProperty,
			maxVideoBytes: maxVideoBytes ?? 0,
		},
		problems,
	};
}

/** Publishing checks every option: one an expression makes invalid stops the publish. */
export function readTriggerOptions(context: ParameterReader): TriggerOptions {
	const { options, problems } = readEachTriggerOption(context);
	if (problems.length) throw problems[0].error;
	return options;
}

/** What a delivered item says when options could not be read: which, why, and what was done. */
export function optionProblemText(problems: OptionProblem[]): string {
	const each = problems.map(({ option, error }) => `"${option}": ${error.message}`).join('; ');
	const instead = [...new Set(problems.map((problem) => problem.instead))].join(', ');
	return `Options of this trigger could not be read (${each}). The task was delivered anyway so it is not lost: ${instead}. Fix the options; a video link expires, so keep the video soon.`;
}
