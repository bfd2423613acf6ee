import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import {
	binaryPropertyNameField,
	maxVideoSizeField,
	optionsCollection,
	simplifyField,
} from '../shared/descriptions/fields';
import { isTerminal } from '../shared/domain/task';
import { attempt } from '../shared/domain/timing';
import { scrub } from '../shared/transport';
import {
	answer,
	callbackDeadline,
	confirmWithService,
	mayHaveEnded,
	receiveCallback,
} from '../shared/webhooks/callbacks';
import { downloadVideo } from '../shared/download/download';
import { leanItems } from '../shared/domain/leanOutput';
import { eventMatches } from './events';
import { isFirstDelivery, wasDelivered } from './deliveries';
import { takeReadSlot, WASTED_READS_PER_MINUTE } from './readBound';
import {
	confirmWithServiceField,
	downloadVideoField,
	optionProblemText,
	readEachTriggerOption,
	readTriggerOptions,
} from './options';

const DOWNLOAD_TIMEOUT_MS = 300_000;

/**
 * A callback taken but not acted on (progress, another state, a duplicate): 200, so the service
 * does not retry it.
 */
function ignore(reason: string): IWebhookResponseData {
	return { webhookResponse: { received: true, started: false, reason } };
}

export class SeedanceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Seedance Trigger',
		name: 'seedanceTrigger',
		icon: { light: 'file:seedance.svg', dark: 'file:seedance.dark.svg' },
		group: ['trigger'],
		version: 1.1,
		subtitle:
			'={{ {"anyTerminal": "Any finished task", "succeeded": "Video ready", "unsuccessful": "Task failed"}[$parameter["event"]] }}',
		description: 'Starts the workflow when a Seedance video task finishes (API in One calls back)',
		defaults: { name: 'Seedance Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'seedanceApi', required: true }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'callback' },
		],
		properties: [
			{
				displayName:
					'Copy the Production URL above into the "Callback URL" of a Seedance node (Generate) that uses the same credential, and publish (activate) this workflow. Generate adds a secret token to the URL; callbacks without it are refused.',
				name: 'wiringNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Trigger On',
				name: 'event',
				type: 'options',
				options: [
					{
						name: 'Any Finished Task',
						value: 'anyTerminal',
						description: 'Succeeded, failed, cancelled or expired; the state is in the output',
					},
					{ name: 'Video Ready', value: 'succeeded', description: 'Only tasks that succeeded' },
					{
						name: 'Task Failed',
						value: 'unsuccessful',
						description: 'Only tasks that failed, were cancelled or expired',
					},
				],
				default: 'anyTerminal',
			},
			simplifyField,
			optionsCollection([
				binaryPropertyNameField,
				confirmWithServiceField,
				downloadVideoField,
				maxVideoSizeField,
			]),
		],
	};

	// Callback URLs are given to the service per task: nothing to register. Activation checks every
	// option, which an expression could make invalid.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				readTriggerOptions(this);
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const received = await receiveCallback(
			this,
			': send callbacks to the URL the Seedance node gave the service',
		);
		if (received.refused) return received.refused;
		const { connection } = received;
		let task = received.task;
		// Cheap checks first, no request: a progress callback (the finished task calls back again),
		// then a replay of a task already delivered.
		if (!mayHaveEnded(task))
			return ignore(
				`task ${task.taskId} is ${task.state}; the trigger starts on finished tasks only`,
			);
		const staticData = this.getWorkflowStaticData('node');
		const scope = `${this.getWorkflow().id ?? ''}/${this.getNode().id}`;
		if (wasDelivered(staticData, scope, task.taskId))
			return ignore(`task ${task.taskId} was already delivered`);
		// An option that fails here still starts the workflow: the service gives up on a callback
		// after a few tries, and the paid task would be lost.
		const { options, problems } = readEachTriggerOption(this);
		if (options.confirm) {
			const deadline = callbackDeadline();
			const slot = await takeReadSlot(scope, deadline);
			if (!slot.granted)
				return answer(
					this,
					503,
					{
						message: `More than ${WASTED_READS_PER_MINUTE} callbacks this minute named tasks API in One could not confirm as finished; try again later`,
					},
					{ 'Retry-After': String(slot.retryAfterSeconds) },
				);
			const confirmed = await confirmWithService(this, connection, task, deadline);
			slot.settle(!confirmed.refused && isTerminal(confirmed.task.state));
			if (confirmed.refused) return confirmed.refused;
			task = confirmed.task;
			if (!isTerminal(task.state))
				return ignore(`API in One says task ${task.taskId} is ${task.state}`);
		} else if (!isTerminal(task.state)) {
			return ignore(
				`task ${task.taskId} says "${task.rawStatus}", which is no known finished state, and "Confirm With API in One" is off`,
			);
		}
		const key = `${task.taskId}:${task.state}`;
		if (!eventMatches(options.event, task.state)) {
			// A finished task never changes: its replays need no read either.
			isFirstDelivery(staticData, scope, key);
			return ignore(`task ${task.taskId} ${task.state}; this trigger fires on "${options.event}"`);
		}
		// Recorded only now that nothing can stop the execution from starting.
		if (!isFirstDelivery(staticData, scope, key))
			return ignore(`task ${task.taskId} ${task.state} was already delivered`);

		const [lean] = leanItems([{ json: task }], { simplify: options.simplify });
		const item = problems.length
			? {
					...lean,
					json: { ...lean.json, optionError: scrub(connection, optionProblemText(problems)) },
				}
			: lean;
		if (!options.binaryProperty || task.state !== 'succeeded') return { workflowData: [[item]] };

		// The service retries callbacks not answered within seconds, and a download can take minutes:
		// answer first.
		answer(this, 200, { received: true, started: true });
		const download = task.videoUrl
			? await attempt(
					downloadVideo(this, connection, task, {
						timeoutMs: DOWNLOAD_TIMEOUT_MS,
						maxBytes: options.maxVideoBytes,
					}),
				)
			: { ok: false as const, error: new Error('The task has no video link') };
		// A failed download still starts the workflow: the task is paid for and its id must not be
		// lost.
		const downloaded: INodeExecutionData = download.ok
			? { ...item, binary: { [options.binaryProperty]: download.value } }
			: { json: { ...item.json, downloadError: (download.error as Error).message } };
		return { noWebhookResponse: true, workflowData: [[downloaded]] };
	}
}
