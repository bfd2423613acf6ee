import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	optionsCollection,
	shownWhen,
	simplifyField,
	waitForCompletionField,
	waitModeField,
	requestOptionFields,
	waitOnlyOptionFields,
} from '../../../shared/descriptions/fields';
import { ASPECT_RATIOS, DURATIONS, RESOLUTIONS, SEEDANCE_MODEL } from '../../domain/generation';
import { getConnection } from '../../../shared/transport';
import { toNodeOutput } from '../../waiting/outcomes';
import { waitOrPark } from '../../waiting/park';
import {
	batchWaitParameters,
	readWaitForCompletion,
	readWaitOptions,
} from '../../waiting/waitOptions';
import { maxCreditsField, readMaxCredits } from './budget';
import { callbackUrls, resumeUrlOf } from './callbackUrls';
import type { CallMode } from './callMode';
import { existingTaskIdField, extraBodyFieldsField, planItems } from './generatePlan';
import { idempotencyKeyField } from './idempotencyKeys';
import { asCreated, submitCreates } from './paidCreates';

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
	waitForCompletionField,
	waitModeField,
	simplifyField,
	optionsCollection([
		existingTaskIdField,
		extraBodyFieldsField,
		idempotencyKeyField,
		maxCreditsField,
		...requestOptionFields,
		...shownWhen(waitOnlyOptionFields, { '/waitForCompletion': [true] }),
	]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['generate'] } },
	properties,
);

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
	const waitForCompletion = readWaitForCompletion(this, options);
	const maxCredits = readMaxCredits(this, options);
	if (plans.size === 0) return toNodeOutput(this, outcomes);

	const resumeUrl = wait.mode === 'resume' ? resumeUrlOf(this) : undefined;
	const connection = await getConnection(this);
	const callbackUrlOf = callbackUrls(this, plans, resumeUrl, connection.callbackToken);
	const { tasks, failures, callsBackHere, pickedUpByKey, executionCredits } = await submitCreates(
		this,
		connection,
		items,
		[...plans.values()],
		{ maxCredits, callbackUrlOf },
		wait.settings,
	);

	const keyed = [...plans.values()].some((plan) => plan.idempotencyKey !== undefined);
	const recovery = keyed
		? 'To get them: fix the failed item and run the workflow again; items whose Idempotency Key was already paid for are picked up, not paid again. To let made videos go on while failed items take their own branch, set Settings > On Error to "Continue (using error output)".'
		: 'To get them without paying again, put each task ID in "Existing Task ID" or use the Wait operation. Set an Idempotency Key (Options) so that a re-run picks them up by itself, and Settings > On Error to "Continue (using error output)" so that made videos go on.';
	const extraJson = (item: number) => ({
		estimatedCredits: plans.get(item)?.credits ?? null,
		executionCredits,
		...(pickedUpByKey.has(item) ? { pickedUpByKey: true } : {}),
	});
	if (!waitForCompletion) {
		const created = tasks.map((task) => asCreated(task, extraJson(task.itemIndex)));
		return toNodeOutput(this, [...outcomes, ...failures, ...created], [], recovery);
	}
	const result = await waitOrPark(
		this,
		connection,
		tasks,
		[...outcomes, ...failures],
		{ ...wait, extraJson },
		(task) => callsBackHere.has(task.itemIndex),
	);
	return toNodeOutput(this, result.outcomes, result.notWaitedFor, recovery);
}
