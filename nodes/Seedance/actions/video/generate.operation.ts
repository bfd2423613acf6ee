import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { withCallbackToken } from '../../domain/callbackToken';
import { ASPECT_RATIOS, DURATIONS, RESOLUTIONS, SEEDANCE_MODEL } from '../../domain/generation';
import { checkBoolean, checked } from '../../domain/invalidParameter';
import { getConnection } from '../../transport';
import { toNodeOutput, type ItemOutcome } from '../../waiting/outcomes';
import { waitOrPark } from '../../waiting/resume';
import { simplifyField } from '../../waiting/leanOutput';
import {
	FROM_VERSION_1_1,
	batchWaitParameters,
	readWaitOptions,
	waitModeParameter,
	waitOptionFields,
	waitOptionFieldsV11,
	versionedOptions,
} from '../../waiting/waitOptions';
import { maxCreditsField, readMaxCredits } from './budget';
import type { CallMode } from './callMode';
import { planItems, type Plan } from './generatePlan';
import { submitCreates } from './paidCreates';

const waitForCompletionField: INodeProperties = {
	displayName: 'Wait for Completion',
	name: 'waitForCompletion',
	type: 'boolean',
	default: true,
	description:
		'Whether to wait until the video is ready. Off: output the new task at once and check it later with Get Status or Wait.',
};

/** Options of Generate whatever it waits for. */
const generateOptionFields: INodeProperties[] = [
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
		typeOptions: { minValue: 0, maxValue: 10_000_000 },
		default: 0,
		hint: 'A 720p 8-second video without audio costs about 28 credits (about $0.28)',
		description:
			'Refuse to start if the estimated credits of all items together exceed this. 0 typed here means no limit; an expression that gives 0 is a limit of 0.',
	},
];

const byName = (a: INodeProperties, b: INodeProperties) =>
	a.displayName.localeCompare(b.displayName);

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
		description: 'Whether to generate audio with the video',
		hint: 'Doubles the credits of the video',
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
		hint: 'Must be reachable from the internet: API in One calls it',
		description:
			'Where the service calls when the video is ready. To start another workflow then, paste the Production URL of its Seedance Trigger node (same credential) here: the node adds the secret token the trigger checks.',
		// In resume mode the node gives the service this execution's own resume URL.
		displayOptions: { hide: { waitMode: ['resume'] } },
	},
	{ ...waitForCompletionField, displayOptions: { show: FROM_VERSION_1_1 } },
	waitModeParameter,
	simplifyField,
	...versionedOptions(
		[...waitOptionFields, ...generateOptionFields, waitForCompletionField].sort(byName),
		[...waitOptionFieldsV11({ '/waitForCompletion': [true] }), ...generateOptionFields].sort(
			byName,
		),
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['generate'] } },
	properties,
);

/**
 * The callback URL each item's task is created with, its own token added (a token opens only the
 * URL it was made for). Resume mode gives every task this execution's resume URL (Generate then
 * pauses, or a Seedance Wait in resume mode does).
 */
function callbackUrls(
	context: IExecuteFunctions,
	plans: Map<number, Plan>,
	resumeUrl: string | undefined,
	tokenOf: (url: string) => string,
): (plan: Plan) => string | undefined {
	const signed = (url: string) => withCallbackToken(url, tokenOf(url));
	if (resumeUrl === undefined) {
		return (plan) => (plan.request.callbackUrl ? signed(plan.request.callbackUrl) : undefined);
	}
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
	const url = signed(resumeUrl);
	return () => url;
}

/** This execution's resume URL lets anyone resume it: its address and n8n 2.x's signature are secrets. */
function resumeUrlSecrets(resumeUrl: string | undefined): string[] {
	if (!resumeUrl) return [];
	const url = new URL(resumeUrl);
	return [url.pathname, url.searchParams.get('signature') ?? ''].filter(Boolean);
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	call: CallMode,
): Promise<INodeExecutionData[]> {
	const { plans, outcomes } = await planItems(this, items);
	const parameters = batchWaitParameters(this, items.length, [maxCreditsField]);
	// An AI Agent gets the new task at once: it cannot wait minutes or read a video file.
	const options = call.asTool
		? { ...parameters, waitForCompletion: false, waitMode: 'poll' }
		: parameters;
	const wait = readWaitOptions(this, options, 0);
	const waitForCompletion = checked(this.getNode(), 0, () =>
		checkBoolean(
			'Wait for Completion',
			options.waitForCompletion === undefined ? true : options.waitForCompletion,
		),
	);
	const maxCredits = readMaxCredits(this, options);
	if (plans.size === 0) return toNodeOutput(this, outcomes);

	const resumeUrl =
		wait.mode === 'resume'
			? String(this.evaluateExpression('{{ $execution.resumeUrl }}', 0))
			: undefined;
	const connection = await getConnection(this, resumeUrlSecrets(resumeUrl));
	const callbackUrlOf = callbackUrls(this, plans, resumeUrl, connection.callbackToken);
	const { tasks, failures, callsBackHere } = await submitCreates(
		this,
		connection,
		items,
		[...plans.values()],
		{ maxCredits, callbackUrlOf },
		wait.settings,
	);

	const extraJson = (itemIndex: number) => ({
		estimatedCredits: plans.get(itemIndex)?.credits ?? null,
	});
	if (!waitForCompletion) {
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
	const result = await waitOrPark(
		this,
		connection,
		tasks,
		[...outcomes, ...failures],
		{ ...wait, extraJson },
		(task) => callsBackHere.has(task.itemIndex),
	);
	return toNodeOutput(this, result.outcomes, result.notWaitedFor);
}
