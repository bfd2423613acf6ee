import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';

import { n8nChanged, replaceParkedInput, webhookInput } from '../../shared/n8nInternals';
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
	replaceParkedInput(context, outputItems(outcomes, context.getNode()));
	await context.putExecutionToWait(deadline);
}

/** The park this webhook resumes: the parked items and the settings saved with them. */
export function readPark(context: IWebhookFunctions): Park {
	const items = parkedInput(context);
	const waiting = new Map<number, string>();
	let deadline = '';
	items.forEach((item, itemIndex) => {
		if (!isParked(item.json)) return;
		waiting.set(itemIndex, item.json.taskId);
		deadline = item.json.waitDeadline;
	});
	const saved = savedSettings(context);
	const settings = saved && saved.deadline === deadline ? saved : undefined;
	return { items, waiting, deadline, settings };
}

/**
 * The resumed node's input, as n8n's Form node reads it (`$input.all()`). In a workflow whose
 * binary mode is "combined" (n8n 2.x) that gives the items' json only: those read n8n's own copy.
 */
function parkedInput(context: IWebhookFunctions): INodeExecutionData[] {
	if (context.getWorkflowSettings().binaryMode === 'combined') return webhookInput(context);
	let items: unknown;
	try {
		items = context.evaluateExpression('{{ $input.all() }}', 0);
	} catch {
		// n8n's `$input` refuses an empty input: nothing is parked here.
		if (webhookInput(context).length === 0) return [];
		throw n8nChanged(context.getNode(), 'how a resume webhook reads its input ($input.all())');
	}
	if (!Array.isArray(items) || !items.every((item) => isObject((item as IDataObject)?.json)))
		throw n8nChanged(context.getNode(), 'what $input.all() gives a resume webhook');
	return items as INodeExecutionData[];
}

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** Escapes every character that could end a string or an expression (`'`, `"`, `}}`). */
const literal = (text: string) =>
	`"${text.replace(/[^\w ]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;

/** The settings saved at park time, read as n8n's expressions read a node's context (`$('Loop').context`). */
function savedSettings(context: IWebhookFunctions): ParkSettings | undefined {
	const node = context.getNode();
	let saved: unknown;
	try {
		saved = context.evaluateExpression(
			`{{ $(${literal(node.name)}).context[${literal(PARK_SETTINGS_KEY)}] }}`,
			0,
		);
	} catch {
		throw n8nChanged(node, "how an expression reads a node's context ($('Node').context)");
	}
	return isObject(saved) ? (saved as unknown as ParkSettings) : undefined;
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
