import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';

import { simplifyField } from '../../shared/descriptions/fields';
import { isTerminal } from '../../shared/domain/task';
import { isPassingFault, type Connection } from '../../shared/transport';
import { finishTasks, type FinishOptions } from './finish';
import { failed, outputItems, type ItemOutcome, type RunningTask } from './outcomes';
import type { OpenTask } from './poll';
import { readTasksOnce } from './readTasks';
import { readWaitOptions, waitParameters, type WaitOptions } from './waitOptions';

// Parks like n8n's Wait node; with resume.ts, the only code touching n8n's wait-and-resume internals.

/** A parked item: output as it is if no callback comes before the deadline, so it says so. */
interface ParkedJson extends IDataObject {
	taskId: string;
	callbackReceived: false;
	callbackTimedOut: true;
	waitDeadline: string;
	error: string;
}

/** One wait of one node, as the resume webhook reads it back from the parked items. */
export interface Park {
	items: INodeExecutionData[];
	waiting: Map<number, string>;
	deadline: string;
	/** The options as the node read them when it parked (none for parks of older versions). */
	settings?: ParkSettings;
}

/** Options read at park time: an expression on `$json` cannot be read again in the webhook. */
export interface ParkSettings {
	deadline: string;
	wait: WaitOptions;
	simplify: boolean;
}

/** Where the park's settings live: the node's context, saved with the waiting execution. */
const PARK_SETTINGS_KEY = 'seedanceResume';

export type WaitRequest = WaitOptions & Pick<FinishOptions, 'extraJson'>;

export interface WaitResult {
	outcomes: ItemOutcome[];
	/** Paid tasks left running when the node fails instead of pausing. */
	notWaitedFor: RunningTask[];
}

const noCallback = (seconds: number) =>
	`No callback from API in One within ${seconds} seconds. The task may still finish: check it with a Seedance Wait or Get Status node on "taskId" (route these items with an IF on "callbackTimedOut").`;

function isParked(json: IDataObject): json is ParkedJson {
	return (
		json.callbackReceived === false &&
		typeof json.taskId === 'string' &&
		typeof json.waitDeadline === 'string'
	);
}

const hasEnded = (task: OpenTask) => task.last !== undefined && isTerminal(task.last.state);

/**
 * The end of every waiting operation: poll until the tasks end, or park until the last callback
 * (polling instead when no task was given this execution's resume URL).
 */
export async function waitOrPark(
	context: IExecuteFunctions,
	connection: Connection,
	tasks: OpenTask[],
	settled: ItemOutcome[],
	wait: WaitRequest,
	callsBackHere: (task: OpenTask) => boolean = () => true,
): Promise<WaitResult> {
	if (wait.mode === 'poll')
		return {
			outcomes: [...settled, ...(await finishTasks(context, connection, tasks, wait))],
			notWaitedFor: [],
		};
	const { known, outcomes } = await readUnknownStates(context, connection, tasks, wait);
	outcomes.unshift(
		...settled,
		...(await finishTasks(context, connection, known.filter(hasEnded), wait)),
	);
	const pending = known.filter((task) => !hasEnded(task));
	if (pending.length === 0) return { outcomes, notWaitedFor: [] };
	if (!pending.some(callsBackHere))
		return {
			outcomes: [...outcomes, ...(await finishTasks(context, connection, pending, wait))],
			notWaitedFor: [],
		};
	// n8n runs no node code at the deadline, so a failed item must fail the node now.
	if (!context.continueOnFail() && outcomes.some((outcome) => !outcome.ok))
		return { outcomes, notWaitedFor: pending };
	const deadline = new Date(Date.now() + wait.settings.maxWaitMs);
	const all = [...outcomes, ...parkedOutcomes(pending, deadline, wait.settings.maxWaitMs)];
	const settings: ParkSettings = {
		deadline: deadline.toISOString(),
		wait: {
			settings: wait.settings,
			binaryProperty: wait.binaryProperty,
			maxVideoBytes: wait.maxVideoBytes,
			mode: wait.mode,
			confirmCallbacks: wait.confirmCallbacks,
		},
		simplify: context.getNodeParameter('simplify', 0, false) === true,
	};
	context.getContext('node')[PARK_SETTINGS_KEY] = settings as unknown as IDataObject;
	await putToWait(context, all, deadline);
	return { outcomes: all, notWaitedFor: [] };
}

/** Reads each task of unknown state once; a passing fault still parks, an unknown task does not. */
async function readUnknownStates(
	context: IExecuteFunctions,
	connection: Connection,
	tasks: OpenTask[],
	wait: WaitRequest,
) {
	const known = tasks.filter((task) => task.last);
	const outcomes: ItemOutcome[] = [];
	const reads = await readTasksOnce(
		context,
		connection,
		tasks.filter((task) => !task.last),
		{
			concurrency: wait.settings.concurrency,
			timeoutMs: wait.settings.requestTimeoutMs,
		},
	);
	for (const { ref, read } of reads) {
		if (read.ok) known.push({ ...ref, last: read.value });
		else if (isPassingFault(read.error)) known.push(ref);
		else outcomes.push(failed(ref.itemIndex, read.error, ref.taskId));
	}
	return { known, outcomes };
}

function parkedOutcomes(pending: OpenTask[], deadline: Date, maxWaitMs: number): ItemOutcome[] {
	return pending.map((task) => {
		const json: ParkedJson = {
			taskId: task.taskId,
			callbackReceived: false,
			callbackTimedOut: true,
			waitDeadline: deadline.toISOString(),
			error: noCallback(Math.round(maxWaitMs / 1000)),
		};
		return {
			itemIndex: task.itemIndex,
			ok: true,
			item: { json, pairedItem: { item: task.itemIndex } },
		};
	});
}

/** Pauses the n8n Wait-node way: the parked items replace the input and reach the resume webhook. */
async function putToWait(
	context: IExecuteFunctions,
	outcomes: ItemOutcome[],
	deadline: Date,
): Promise<void> {
	const input = context.getExecuteData().data.main[0];
	if (input) input.splice(0, input.length, ...outputItems(outcomes, context.getNode()));
	await context.putExecutionToWait(deadline);
}

/** The park this webhook resumes, from n8n-core's `connectionInputData` and `runExecutionData`. */
export function readPark(context: IWebhookFunctions): Park {
	const internals = context as unknown as {
		connectionInputData?: unknown;
		runExecutionData?: { executionData?: { contextData?: Record<string, IDataObject> } };
	};
	const raw = internals.connectionInputData;
	const items = Array.isArray(raw) ? (raw as INodeExecutionData[]) : [];
	const waiting = new Map<number, string>();
	let deadline = '';
	items.forEach((item, itemIndex) => {
		if (!isParked(item.json)) return;
		waiting.set(itemIndex, item.json.taskId);
		deadline = item.json.waitDeadline;
	});
	const contextData = internals.runExecutionData?.executionData?.contextData;
	const saved = contextData?.[`node:${context.getNode().name}`]?.[PARK_SETTINGS_KEY] as
		ParkSettings | undefined;
	const settings = saved && saved.deadline === deadline ? saved : undefined;
	return { items, waiting, deadline, settings };
}

/** The park's options: as saved when it parked, or (parks of older versions) read now. */
export function parkSettings(context: IWebhookFunctions, park: Park): ParkSettings {
	if (park.settings) return park.settings;
	return {
		deadline: park.deadline,
		wait: readWaitOptions(
			context,
			waitParameters((name, fallback) => context.getNodeParameter(name, fallback)),
			0,
		),
		simplify: context.getNodeParameter('simplify', simplifyField.default) === true,
	};
}
