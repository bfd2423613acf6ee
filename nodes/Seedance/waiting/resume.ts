import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { simplifyField } from '../descriptions/fields';
import { isTerminal, type SeedanceTask } from '../domain/task';
import { mapWithLimit, type Attempt } from '../domain/timing';
import { isPassingFault, type Connection } from '../transport';
import {
	answer,
	callbackDeadline,
	mayHaveEnded,
	readForCallback,
	receiveCallback,
	tryAgain,
} from './callbacks';
import { finishTasks, type FinishOptions } from './finish';
import { failed, outputItems, type ItemOutcome, type RunningTask } from './outcomes';
import type { OpenTask } from './poll';
import { readTasksOnce } from './readTasks';
import { leanItems } from './leanOutput';
import { readWaitOptions, waitParameters, type WaitOptions } from './waitOptions';

// The only module that touches n8n's wait-and-resume internals (n8n's Wait-node mechanism, as
// n8n-core 1.x and 2.x implement it).

/**
 * The webhook behind `$execution.resumeUrl`: the service's callback resumes the parked execution.
 */
export const RESUME_WEBHOOK: IWebhookDescription = {
	name: 'default',
	httpMethod: 'POST',
	responseMode: 'onReceived',
	path: '',
	restartWebhook: true,
};

/** A parked item: output as it is if no callback comes before the deadline, so it says so. */
interface ParkedJson extends IDataObject {
	taskId: string;
	callbackReceived: false;
	callbackTimedOut: true;
	waitDeadline: string;
	error: string;
}

/** One wait of one node, as the resume webhook reads it back from the parked items. */
interface Park {
	items: INodeExecutionData[];
	/** Item index -> task id of every item still waiting for its callback. */
	waiting: Map<number, string>;
	deadline: string;
	/** The options as the node read them when it parked (none for parks of older versions). */
	settings?: ParkSettings;
}

/**
 * The options a resume needs, read when the node parks: an option whose expression reads `$json`
 * cannot be read again in the webhook (the parked items replaced the input), and a callback must
 * always be handled.
 */
interface ParkSettings {
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
 * The end of every operation that waits. Poll mode reads the tasks until they end. Resume mode
 * finishes the tasks already known to have ended and parks the execution for the others until
 * the callback of the last one or the deadline; `callsBackHere` tells which tasks were given this
 * execution's resume URL (if none was, pausing would only wait for the deadline: they are polled).
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

/**
 * Reads once each task whose state is unknown; a passing fault is no reason not to wait, an unknown
 * task or a bad key is.
 */
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

/**
 * Pauses the execution, n8n's Wait-node way. The node's input is replaced by the parked items:
 * n8n hands them to the resume webhook (the record of what this park waits for) and passes them
 * on unchanged if the deadline comes first.
 */
async function putToWait(
	context: IExecuteFunctions,
	outcomes: ItemOutcome[],
	deadline: Date,
): Promise<void> {
	const input = context.getExecuteData().data.main[0];
	if (input) input.splice(0, input.length, ...outputItems(outcomes, context.getNode()));
	await context.putExecutionToWait(deadline);
}

/**
 * The park this webhook call resumes: n8n-core keeps the waiting node's input as
 * `connectionInputData`, and the execution's saved data (with the node's context) as
 * `runExecutionData`, without accessors.
 */
function readPark(context: IWebhookFunctions): Park {
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
function parkSettings(context: IWebhookFunctions, park: Park): ParkSettings {
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

/**
 * What this process learnt of a park's tasks, so a batch of N costs on the order of N reads in
 * all: the tasks known to have ended (never read again) and those a callback claimed ended.
 * Webhook processes share no memory: each learns by reading, and the record is only a shortcut.
 */
interface ParkMemory {
	ended: Map<number, SeedanceTask>;
	claimed: Set<number>;
	/** Reads under way: copies of a callback arriving at once share them (a flood costs one). */
	reading: Map<number, Promise<Attempt<SeedanceTask>>>;
}

const parkMemories = new Map<string, ParkMemory>();
const MAX_REMEMBERED_PARKS = 10_000;

function memoryOf(key: string): ParkMemory {
	let memory = parkMemories.get(key);
	if (!memory) {
		memory = { ended: new Map(), claimed: new Set(), reading: new Map() };
		parkMemories.set(key, memory);
		if (parkMemories.size > MAX_REMEMBERED_PARKS)
			parkMemories.delete(parkMemories.keys().next().value as string);
	}
	return memory;
}

/** What a look at one task found: ended, or the answer it calls for (the highest rank wins). */
type Look = { ended: true } | { ended: false; rank: number; answer: () => IWebhookResponseData };

async function sharedRead(
	memory: ParkMemory,
	itemIndex: number,
	read: () => Promise<Attempt<SeedanceTask>>,
): Promise<Attempt<SeedanceTask>> {
	const underWay = memory.reading.get(itemIndex);
	if (underWay) return await underWay;
	const reading = read();
	memory.reading.set(itemIndex, reading);
	try {
		return await reading;
	} finally {
		memory.reading.delete(itemIndex);
	}
}

/**
 * Parks being resumed by this process: each park resumes once (a second callback meanwhile gets
 * 200, resumed: false).
 */
const resumesUnderWay = new Set<string>();
const MAX_REMEMBERED_RESUMES = 10_000;

function parkKey(context: IWebhookFunctions, park: Park): string {
	return `${context.getExecutionId()}\u0000${context.getNode().name}\u0000${park.deadline}`;
}

const waitingFor = (context: IWebhookFunctions, message: string) =>
	answer(context, 200, { received: true, resumed: false, message });

/**
 * A callback to the resume URL. Only a signed callback about a task this very park waits for
 * resumes it (others get 401/403/400/409 and the execution keeps waiting), and only once every
 * other task of the park has ended too. Progress callbacks and callbacks to a park already
 * resuming cost no request; any other callback that resumes nothing costs one read when this
 * process already knows the rest of the park, and never reads a task known to have ended.
 */
export async function resumeFromCallback(
	context: IWebhookFunctions,
): Promise<IWebhookResponseData> {
	const received = await receiveCallback(context);
	if (received.refused) return received.refused;
	const { connection, task } = received;
	const park = readPark(context);
	const mine = [...park.waiting].find(([, taskId]) => taskId === task.taskId)?.[0];
	if (mine === undefined)
		return answer(context, 409, {
			message: `Task ${task.taskId} is not waited for by this execution`,
		});
	if (!mayHaveEnded(task)) return { webhookResponse: { received: true, resumed: false } };
	const key = parkKey(context, park);
	if (resumesUnderWay.has(key)) return waitingFor(context, 'This execution is already resuming');
	let settings: ParkSettings;
	try {
		settings = parkSettings(context, park);
	} catch (error) {
		return answer(context, 500, { message: (error as Error).message });
	}
	const memory = memoryOf(key);
	if (!settings.wait.confirmCallbacks && isTerminal(task.state)) memory.ended.set(mine, task);
	else memory.claimed.add(mine);

	// The tasks not known to have ended. Those without a callback yet are the likeliest still
	// running: read one by one, the first that runs ends the look. Those claimed ended (this
	// callback's own among them) are read together, each once.
	const unknown = [...park.waiting.keys()].filter((itemIndex) => !memory.ended.has(itemIndex));
	const deadline = callbackDeadline();
	const look = async (itemIndex: number): Promise<Look> => {
		const taskId = park.waiting.get(itemIndex)!;
		const read = await sharedRead(memory, itemIndex, () =>
			readForCallback(context, connection, taskId, deadline),
		);
		if (read.ok && isTerminal(read.value.state)) {
			memory.ended.set(itemIndex, read.value);
			return { ended: true };
		}
		if (read.ok) {
			memory.claimed.delete(itemIndex);
			return { ended: false, rank: 1, answer: () => stillRunning(itemIndex, taskId, read.value) };
		}
		// What was learnt so far stays: the service's next try goes on from there.
		if (isPassingFault(read.error))
			return { ended: false, rank: 0, answer: () => tryAgain(context, taskId).refused };
		if (itemIndex === mine)
			return {
				ended: false,
				rank: 2,
				answer: () =>
					answer(context, 409, {
						message: `Task ${taskId} is unknown to API in One for this credential`,
					}),
			};
		// Another task the service refuses to show: its item fails on resume.
		memory.ended.set(itemIndex, { ...task, taskId, refused: true } as SeedanceTask);
		return { ended: true };
	};
	const stillRunning = (itemIndex: number, taskId: string, read: SeedanceTask) =>
		waitingFor(
			context,
			itemIndex === mine
				? `API in One says task ${taskId} is ${read.state}; waiting for its end`
				: `Waiting for more tasks of this execution (task ${taskId} is ${read.state})`,
		);
	for (const itemIndex of unknown.filter((index) => !memory.claimed.has(index))) {
		const seen = await look(itemIndex);
		if (!seen.ended) return seen.answer();
	}
	const claimed = unknown.filter((index) => memory.claimed.has(index));
	const seen = await mapWithLimit(claimed, settings.wait.settings.concurrency, look);
	const first = seen
		.filter((one): one is Extract<Look, { ended: false }> => !one.ended)
		.sort((a, b) => b.rank - a.rank)[0];
	if (first) return first.answer();

	if (resumesUnderWay.has(key)) return waitingFor(context, 'This execution is already resuming');
	resumesUnderWay.add(key);
	if (resumesUnderWay.size > MAX_REMEMBERED_RESUMES)
		resumesUnderWay.delete(resumesUnderWay.values().next().value as string);
	let resumed = false;
	try {
		const result = await resume(context, connection, park, mine, memory.ended, settings);
		resumed = true;
		parkMemories.delete(key);
		return result;
	} finally {
		if (!resumed) resumesUnderWay.delete(key);
	}
}

/**
 * Answers the service at once (it retries slow receivers), then outputs every parked task's
 * result; `ended` holds what is known of them (a task the service refused to show is read once
 * more, and its item fails).
 */
async function resume(
	context: IWebhookFunctions,
	connection: Connection,
	park: Park,
	mine: number,
	ended: Map<number, SeedanceTask>,
	{ wait, simplify }: ParkSettings,
): Promise<IWebhookResponseData> {
	answer(context, 200, { received: true, resumed: true });
	const startedAt = Date.parse(park.deadline) - wait.settings.maxWaitMs;
	const open: OpenTask[] = [...park.waiting].map(([itemIndex, taskId]) => {
		const known = ended.get(itemIndex);
		return { itemIndex, taskId, startedAt, last: known?.refused ? undefined : known };
	});
	const finished = await finishTasks(context, connection, open, wait);
	const resumedItems = finished.map((outcome): ItemOutcome => {
		if (!outcome.ok) return outcome;
		const json = {
			...outcome.item.json,
			callbackReceived: outcome.itemIndex === mine,
			callbackTimedOut: false,
		};
		return { ...outcome, item: { ...outcome.item, json } };
	});
	// Items parked as settled (an error item, a task that had already ended) pass through as they
	// are.
	const passing = park.items.flatMap((item, itemIndex): ItemOutcome[] =>
		park.waiting.has(itemIndex) ? [] : [{ itemIndex, ok: true, item }],
	);
	return {
		noWebhookResponse: true,
		workflowData: [
			leanItems(outputItems([...passing, ...resumedItems], context.getNode()), { simplify }),
		],
	};
}
