import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

import { binaryPropertyNameField, simplifyField } from '../Seedance/descriptions/fields';
import { readMaxVideoBytes } from '../Seedance/waiting/waitOptions';
import { isCallbackEvent, unknownEventMessage, type CallbackEvent } from './events';

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
			'Choose Any Finished Task, Video Ready or Task Failed (an expression must give anyTerminal, succeeded or unsuccessful), then activate the workflow again.',
		);
	const options = (context.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const simplify = booleanOf(
		context,
		'Simplify',
		context.getNodeParameter('simplify', simplifyField.default),
		simplifyField.default as boolean,
	);
	const confirm = booleanOf(context, 'Confirm With API in One', options.confirmWithService, true);
	const download = booleanOf(context, 'Download Video', options.downloadVideo, false);
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
