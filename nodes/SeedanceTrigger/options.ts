import {
	NodeOperationError,
	type IDataObject,
	type INode,
	type INodeProperties,
} from 'n8n-workflow';

import { binaryPropertyNameField, simplifyField } from '../Seedance/descriptions/fields';
import { readMaxVideoBytes } from '../Seedance/waiting/waitOptions';
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

export interface TriggerOptions {
	event: CallbackEvent;
	simplify: boolean;
	confirm: boolean;
	/** Binary field to download a finished video into; undefined: no download. */
	binaryProperty?: string;
	maxVideoBytes: number;
}

interface ParameterReader {
	getNode(): INode;
	getNodeParameter(name: string, fallback: unknown): unknown;
}

function invalid(context: ParameterReader, message: string, description: string): never {
	throw new NodeOperationError(context.getNode(), message, { description });
}

function booleanOf(context: ParameterReader, label: string, value: unknown, fallback: boolean) {
	if (value === undefined || value === null || value === '') return fallback;
	if (value === true || value === false) return value;
	return invalid(
		context,
		`${label} must be true or false`,
		`Got "${String(value)}". Set the option to on or off, or make its expression give a boolean.`,
	);
}

/**
 * Reads and checks every option of the trigger. Activation calls it, so a value an expression
 * makes invalid stops the activation; a callback calls it before it answers, so an option that
 * fails later is answered 500 and the service calls again, never 200 with nothing started.
 */
export function readTriggerOptions(context: ParameterReader): TriggerOptions {
	const event = context.getNodeParameter('event', 'anyTerminal');
	if (!isCallbackEvent(event))
		invalid(
			context,
			unknownEventMessage(event),
			'Choose Any Finished Task, Video Ready or Task Failed (an expression must give anyTerminal, succeeded or unsuccessful), then publish (activate) the workflow again.',
		);
	const options = (context.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const simplify = booleanOf(
		context,
		'Simplify',
		context.getNodeParameter('simplify', simplifyField.default),
		simplifyField.default as boolean,
	);
	const confirm = booleanOf(context, 'Confirm With API in One', options.confirmWithService, true);
	const download = booleanOf(
		context,
		'Download Video',
		options.downloadVideo,
		downloadVideoField.default as boolean,
	);
	const maxVideoBytes = readMaxVideoBytes(context, options);
	let binaryProperty: string | undefined;
	if (download) {
		binaryProperty = String(options.binaryPropertyName ?? binaryPropertyNameField.default).trim();
		if (!binaryProperty)
			invalid(
				context,
				'Option "Put Output File in Field" is empty',
				'Enter a name such as "data" for the downloaded video, or turn off "Download Video".',
			);
	}
	return { event, simplify, confirm, binaryProperty, maxVideoBytes };
}
