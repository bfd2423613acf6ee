import { NodeOperationError, jsonParse, updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { withCallbackToken } from '../../domain/callbackToken';
import {
	ASPECT_RATIOS,
	DURATIONS,
	InvalidParameter,
	RESOLUTIONS,
	SEEDANCE_MODEL,
	checkGeneration,
	checkHttpUrl,
	estimateCredits,
	toRequestBody,
	type GenerationRequest,
} from '../../domain/generation';
import { attempt, mapWithLimit } from '../../domain/timing';
import { createTask, fetchTask, getConnection, type Connection } from '../../transport';
import { failed, toNodeOutput, type ItemOutcome } from '../../waiting/outcomes';
import type { OpenTask, PollSettings } from '../../waiting/poll';
import { waitOrPark } from '../../waiting/resume';
import { readWaitOptions, waitOptionFields, type WaitOptions } from '../../waiting/waitOptions';

/** Largest reference image sent inline as a data URI. */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

const properties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: [
			{ name: 'Seedance 1.5 Pro', value: SEEDANCE_MODEL },
			{ name: 'Other Model ID', value: 'custom' },
		],
		default: SEEDANCE_MODEL,
		description: 'The video model. Other models of API in One share the same endpoint.',
	},
	{
		displayName: 'Model ID',
		name: 'customModel',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. kling-3',
		description:
			'Model ID as listed by API in One. Seedance-only checks (aspect ratio, resolution, duration) are skipped for other models.',
		displayOptions: { show: { model: ['custom'] } },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. A dancer performing contemporary ballet in a spotlight, slow motion',
		description: 'Text description of the video',
	},
	{
		displayName: 'Reference Image',
		name: 'imageSource',
		type: 'options',
		options: [
			{ name: 'None (Text to Video)', value: 'none' },
			{ name: 'Image URL', value: 'url' },
			{ name: 'Binary File From Input', value: 'binary' },
		],
		default: 'none',
		description: 'An image to animate (image to video)',
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/dancer.jpg',
		description: 'Public URL of the reference image',
		displayOptions: { show: { imageSource: ['url'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'imageBinaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		description:
			'Name of the input binary field holding the image (sent to the service as a data URI, up to 10 MB)',
		displayOptions: { show: { imageSource: ['binary'] } },
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: ASPECT_RATIOS.map((ratio) => ({ name: ratio, value: ratio })),
		default: '16:9',
	},
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: RESOLUTIONS.map((resolution) => ({ name: resolution, value: resolution })),
		default: '720p',
	},
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'options',
		options: DURATIONS.map((seconds) => ({ name: `${seconds} Seconds`, value: seconds })),
		default: '8',
	},
	{
		displayName: 'Generate Audio',
		name: 'generateAudio',
		type: 'boolean',
		default: false,
		description: 'Whether to generate audio with the video (doubles the credits)',
	},
	{
		displayName: 'Fixed Lens',
		name: 'fixedLens',
		type: 'boolean',
		default: false,
		description: 'Whether to lock the camera for a stable shot',
	},
	{
		displayName: 'Callback URL',
		name: 'callbackUrl',
		type: 'string',
		default: '',
		placeholder: 'Production URL of a Seedance Trigger node',
		description:
			'Where the service calls when the video is ready. To start another workflow then, paste the Production URL of its Seedance Trigger node (same credential) here: the node adds the secret token the trigger checks.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: (
			[
				...waitOptionFields,
				{
					displayName: 'Existing Task ID',
					name: 'existingTaskId',
					type: 'string',
					default: '',
					description:
						'ID of a task already created for this item (e.g. by a run that failed later). The node picks it up instead of paying for a new video.',
				},
				{
					displayName: 'Extra Body Fields (JSON)',
					name: 'extraBodyFields',
					type: 'json',
					default: '{}',
					description:
						'Additional fields for other models on the endpoint, e.g. {"mode": "pro"} for kling-3',
				},
				{
					displayName: 'Max Credits per Execution',
					name: 'maxCredits',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 0,
					description:
						'Refuse to start if the estimated credits of all items together exceed this. 0 means no limit.',
				},
				{
					displayName: 'Wait for Completion',
					name: 'waitForCompletion',
					type: 'boolean',
					default: true,
					description:
						'Whether to wait until the video is ready. Off: output the new task at once and check it later with Get Status or Wait.',
				},
			] as INodeProperties[]
		).sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['generate'] } },
	properties,
);

interface Plan {
	itemIndex: number;
	request: GenerationRequest;
	credits: number | null;
	existingTaskId?: string;
}

function invalid(
	context: IExecuteFunctions,
	error: InvalidParameter,
	itemIndex: number,
): NodeOperationError {
	return new NodeOperationError(context.getNode(), `${error.message}. ${error.hint}`, {
		itemIndex,
		description: `Fix "${error.field}" and run again. Nothing was sent to the service.`,
	});
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
	if (!binary.mimeType?.startsWith('image/')) {
		throw new InvalidParameter(
			'Input Binary Field',
			`Input Binary Field "${property}" holds ${binary.mimeType || 'an unknown type'}, not an image`,
			'Use a JPEG, PNG or WebP image.',
		);
	}
	const buffer = await context.helpers.getBinaryDataBuffer(itemIndex, property);
	if (buffer.length > MAX_IMAGE_BYTES) {
		throw new InvalidParameter(
			'Input Binary Field',
			`The image in "${property}" is ${(buffer.length / 1048576).toFixed(1)} MB`,
			'Use an image of 10 MB or less, or pass it by URL.',
		);
	}
	return `data:${binary.mimeType};base64,${buffer.toString('base64')}`;
}

/** Marks text that is not JSON at all, as opposed to JSON that is not an object. */
const NOT_JSON = Symbol('not JSON');

function extraFields(value: unknown): IDataObject {
	if (value === undefined || value === '') return {};
	const parsed: unknown =
		typeof value === 'string' ? jsonParse<unknown>(value, { fallbackValue: NOT_JSON }) : value;
	if (parsed === NOT_JSON) {
		throw new InvalidParameter(
			'Extra Body Fields (JSON)',
			'Extra Body Fields is not valid JSON',
			'Enter a JSON object such as {"mode": "pro"}.',
		);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new InvalidParameter(
			'Extra Body Fields (JSON)',
			'Extra Body Fields must be a JSON object',
			'Enter a JSON object such as {"mode": "pro"}.',
		);
	}
	return parsed as IDataObject;
}

/** Reads and checks everything one item asks for; throws before anything is sent. */
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
	const imageSource = context.getNodeParameter('imageSource', itemIndex, 'none') as string;
	let image: string | undefined;
	if (imageSource === 'url')
		image = checkHttpUrl('Image URL', context.getNodeParameter('imageUrl', itemIndex, ''));
	else if (imageSource === 'binary') image = await imageFromBinary(context, itemIndex);
	else if (imageSource !== 'none')
		throw new InvalidParameter(
			'Reference Image',
			`Reference Image "${imageSource}" is not allowed`,
			'Use one of: none, url, binary.',
		);
	const callbackText = String(context.getNodeParameter('callbackUrl', itemIndex, '')).trim();
	const request: GenerationRequest = {
		...checked,
		image,
		callbackUrl: callbackText ? checkHttpUrl('Callback URL', callbackText) : undefined,
		extraFields: extraFields(options.extraBodyFields),
	};
	const existingTaskId = String(options.existingTaskId ?? '').trim() || undefined;
	return { itemIndex, request, credits: estimateCredits(request), existingTaskId };
}

/**
 * Checks every item before the first (paid) request goes out; with Continue On Fail a bad item
 * becomes an error item.
 */
async function planItems(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<{ plans: Map<number, Plan>; outcomes: ItemOutcome[] }> {
	const plans = new Map<number, Plan>();
	const outcomes: ItemOutcome[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const plan = await attempt(planItem(context, itemIndex));
		if (plan.ok) {
			plans.set(itemIndex, plan.value);
			continue;
		}
		const error =
			plan.error instanceof InvalidParameter
				? invalid(context, plan.error, itemIndex)
				: (plan.error as NodeOperationError);
		if (!context.continueOnFail()) throw error;
		outcomes.push(failed(itemIndex, error));
	}
	return { plans, outcomes };
}

/** Refuses the whole batch, before anything is sent, when its estimate is over Max Credits. */
function checkBudget(
	context: IExecuteFunctions,
	plans: Map<number, Plan>,
	options: IDataObject,
): void {
	const maxCredits = Number(options.maxCredits ?? 0);
	const toPay = [...plans.values()].filter((plan) => !plan.existingTaskId);
	const estimated = toPay.reduce((sum, plan) => sum + (plan.credits ?? 0), 0);
	if (maxCredits > 0 && estimated > maxCredits) {
		throw new NodeOperationError(
			context.getNode(),
			`These ${toPay.length} videos would cost about ${estimated} credits, more than the limit of ${maxCredits}`,
			{
				description:
					'Nothing was sent. Raise "Max Credits per Execution", or send fewer items, shorter or lower-resolution videos, or no audio.',
			},
		);
	}
}

/**
 * The callback URL each item's task is created with, token added. Resume mode gives every task
 * this execution's resume URL (Generate then pauses, or a Seedance Wait in resume mode does).
 */
function callbackUrls(
	context: IExecuteFunctions,
	plans: Map<number, Plan>,
	mode: WaitOptions['mode'],
	token: string,
): (plan: Plan) => string | undefined {
	if (mode === 'poll')
		return (plan) =>
			plan.request.callbackUrl ? withCallbackToken(plan.request.callbackUrl, token) : undefined;
	const taken = [...plans.values()].find((plan) => plan.request.callbackUrl);
	if (taken) {
		throw new NodeOperationError(
			context.getNode(),
			'Callback URL must be empty when Wait Mode is "Resume on Callback"',
			{
				itemIndex: taken.itemIndex,
				description:
					'The node gives the service this execution\'s own resume URL. Nothing was sent. Clear Callback URL, or use Wait Mode "Poll".',
			},
		);
	}
	const resumeUrl = withCallbackToken(
		String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0)),
		token,
	);
	return () => resumeUrl;
}

/**
 * Creates each item's task (or reads its existing one): the open tasks, and the items that failed.
 */
async function submit(
	context: IExecuteFunctions,
	connection: Connection,
	plans: Map<number, Plan>,
	callbackUrlOf: (plan: Plan) => string | undefined,
	settings: PollSettings,
): Promise<{ tasks: OpenTask[]; failures: ItemOutcome[] }> {
	const tasks: OpenTask[] = [];
	const failures: ItemOutcome[] = [];
	await mapWithLimit([...plans.values()], settings.concurrency, async (plan) => {
		const startedAt = Date.now();
		const call = { timeoutMs: settings.requestTimeoutMs, itemIndex: plan.itemIndex };
		const submitted = await attempt(
			plan.existingTaskId
				? fetchTask(context, connection, plan.existingTaskId, call)
				: createTask(
						context,
						connection,
						toRequestBody({ ...plan.request, callbackUrl: callbackUrlOf(plan) }),
						call,
					),
		);
		if (submitted.ok)
			tasks.push({
				itemIndex: plan.itemIndex,
				taskId: submitted.value.taskId,
				startedAt,
				last: submitted.value,
			});
		else failures.push(failed(plan.itemIndex, submitted.error, plan.existingTaskId));
	});
	return { tasks, failures };
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const { plans, outcomes } = await planItems(this, items);
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const wait = readWaitOptions(this, options, 0);
	checkBudget(this, plans, options);
	if (plans.size === 0) return toNodeOutput(this, outcomes);
	const connection = await getConnection(this);
	const callbackUrlOf = callbackUrls(this, plans, wait.mode, connection.callbackToken);
	const { tasks, failures } = await submit(this, connection, plans, callbackUrlOf, wait.settings);

	const extraJson = (itemIndex: number) => ({
		estimatedCredits: plans.get(itemIndex)?.credits ?? null,
	});
	if (options.waitForCompletion === false) {
		const created = tasks.map((task): ItemOutcome => ({
			itemIndex: task.itemIndex,
			ok: true,
			item: {
				json: { ...task.last, ...extraJson(task.itemIndex) },
				pairedItem: { item: task.itemIndex },
			},
		}));
		return toNodeOutput(this, [...outcomes, ...failures, ...created]);
	}
	// Only the tasks created here were given this execution's resume URL.
	const createdHere = (task: OpenTask) => !plans.get(task.itemIndex)?.existingTaskId;
	const result = await waitOrPark(
		this,
		connection,
		tasks,
		[...outcomes, ...failures],
		{ ...wait, extraJson },
		createdHere,
	);
	return toNodeOutput(this, result.outcomes, result.notWaitedFor);
}
