import { NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import {
	checkGeneration,
	checkHttpUrl,
	estimateCredits,
	parseExtraFields,
	type GenerationRequest,
} from '../../domain/generation';
import {
	InvalidParameter,
	checkOption,
	parameterError,
} from '../../../shared/domain/invalidParameter';
import { imageTypeOf } from '../../domain/image';
import { checkTaskId } from '../../../shared/domain/taskId';
import { attempt } from '../../../shared/domain/timing';
import { failed, type ItemOutcome } from '../../waiting/outcomes';
import { checkIdempotencyKey, idempotencyKeyField } from './idempotencyKeys';

/** Largest reference image sent inline as a data URI. */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** Options of Generate read with each item's request. */
export const existingTaskIdField: INodeProperties = {
	displayName: 'Existing Task ID',
	name: 'existingTaskId',
	type: 'string',
	default: '',
	description:
		'ID of a task already created for this item (e.g. by a run that failed later). The node picks it up instead of paying for a new video.',
};

export const extraBodyFieldsField: INodeProperties = {
	displayName: 'Extra Body Fields (JSON)',
	name: 'extraBodyFields',
	type: 'json',
	default: '{}',
	description:
		'Additional fields for other models on the endpoint, e.g. {"mode": "pro"} for kling-3',
};

export interface Plan {
	itemIndex: number;
	request: GenerationRequest;
	credits: number | null;
	existingTaskId?: string;
	idempotencyKey?: string;
}

async function imageFromBinary(context: IExecuteFunctions, itemIndex: number): Promise<string> {
	const property = String(
		context.getNodeParameter('imageBinaryProperty', itemIndex, 'data'),
	).trim();
	const item = context.getInputData()[itemIndex];
	const binary = item.binary?.[property];
	if (!binary) {
		throw new InvalidParameter(
			'Input Binary Field',
			`Input Binary Field "${property}" is not in item ${itemIndex + 1}`,
			`Available binary fields: ${Object.keys(item.binary ?? {}).join(', ') || 'none'}.`,
		);
	}
	const tooLarge = (bytes: number) =>
		new InvalidParameter(
			'Input Binary Field',
			`The image in "${property}" is ${(bytes / 1048576).toFixed(1)} MB`,
			'Use an image of 10 MB or less, or pass it by URL.',
		);
	// The stored size, where n8n knows it, is checked before a huge file is read into memory.
	if (typeof binary.bytes === 'number' && binary.bytes > MAX_IMAGE_BYTES)
		throw tooLarge(binary.bytes);
	const buffer = await context.helpers.getBinaryDataBuffer(itemIndex, property);
	if (buffer.length > MAX_IMAGE_BYTES) throw tooLarge(buffer.length);
	// The file's bytes decide, not its label: the data URI carries the type they really are.
	const mimeType = imageTypeOf(buffer);
	if (!mimeType) {
		throw new InvalidParameter(
			'Input Binary Field',
			`Input Binary Field "${property}" does not hold a JPEG, PNG, WebP or GIF image (it is labelled ${binary.mimeType || 'with no type'})`,
			'Use a JPEG, PNG or WebP image.',
		);
	}
	return `data:${mimeType};base64,${buffer.toString('base64')}`;
}

async function planItem(context: IExecuteFunctions, itemIndex: number): Promise<Plan> {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const modelChoice = context.getNodeParameter('model', itemIndex) as string;
	const checked = checkGeneration({
		model:
			modelChoice === 'custom'
				? context.getNodeParameter('customModel', itemIndex, '')
				: modelChoice,
		prompt: context.getNodeParameter('prompt', itemIndex, ''),
		aspectRatio: context.getNodeParameter('aspectRatio', itemIndex),
		resolution: context.getNodeParameter('resolution', itemIndex),
		duration: context.getNodeParameter('duration', itemIndex),
		generateAudio: context.getNodeParameter('generateAudio', itemIndex),
		fixedLens: context.getNodeParameter('fixedLens', itemIndex),
	});
	const imageSource = checkOption(
		'Reference Image',
		context.getNodeParameter('imageSource', itemIndex, 'none'),
		['none', 'url', 'binary'],
	);
	let image: string | undefined;
	if (imageSource === 'url')
		image = checkHttpUrl('Image URL', context.getNodeParameter('imageUrl', itemIndex, ''));
	else if (imageSource === 'binary') image = await imageFromBinary(context, itemIndex);
	const callbackText = String(context.getNodeParameter('callbackUrl', itemIndex, '')).trim();
	const request: GenerationRequest = {
		...checked,
		image,
		callbackUrl: callbackText ? checkHttpUrl('Callback URL', callbackText) : undefined,
		extraFields: parseExtraFields(options.extraBodyFields),
	};
	const existingText = String(options.existingTaskId ?? '').trim();
	const existingTaskId = existingText ? checkTaskId('Existing Task ID', existingText) : undefined;
	const idempotencyKey =
		idempotencyKeyField.name in options
			? checkIdempotencyKey(options[idempotencyKeyField.name])
			: undefined;
	return { itemIndex, request, credits: estimateCredits(request), existingTaskId, idempotencyKey };
}

/** One key is one video: a second item with the same key in one batch is refused. */
function sharedKeyCheck(plan: Plan, owners: Map<string, number>): Plan {
	const key = plan.idempotencyKey;
	if (key === undefined || plan.existingTaskId) return plan;
	const owner = owners.get(key);
	if (owner !== undefined)
		throw new InvalidParameter(
			idempotencyKeyField.displayName,
			`Items ${owner + 1} and ${plan.itemIndex + 1} have the same Idempotency Key`,
			'A key stands for one video. Give each item its own key, e.g. add the row number: {{ $json.prompt }} {{ $itemIndex }}.',
		);
	owners.set(key, plan.itemIndex);
	return plan;
}

/** Checks every item before the first paid request (Continue On Fail: a bad item is an error). */
export async function planItems(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<{ plans: Map<number, Plan>; outcomes: ItemOutcome[] }> {
	const plans = new Map<number, Plan>();
	const outcomes: ItemOutcome[] = [];
	const keyOwners = new Map<string, number>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const plan = await attempt(
			planItem(context, itemIndex).then((planned) => sharedKeyCheck(planned, keyOwners)),
		);
		if (plan.ok) {
			plans.set(itemIndex, plan.value);
			continue;
		}
		const error =
			plan.error instanceof InvalidParameter
				? parameterError(context.getNode(), plan.error, itemIndex)
				: (plan.error as NodeOperationError);
		if (!context.continueOnFail()) throw error;
		outcomes.push(failed(itemIndex, error));
	}
	return { plans, outcomes };
}
