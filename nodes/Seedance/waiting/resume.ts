import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { isTerminal, type SeedanceTask } from '../domain/task';
import { isPassingFault, type Connection } from '../transport';
import { answer, confirmWithService, receiveCallback } from './callbacks';
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
}

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
 * `connectionInputData`, without an accessor.
 */
function readPark(context: IWebhookFunctions): Park {
	const raw = (context as unknown as { connectionInputData?: unknown }).connectionInputData;
	const items = Array.isArray(raw) ? (raw as INodeExecutionData[]) : [];
	const waiting = new Map<number, string>();
	let deadline = '';
	items.forEach((item, itemIndex) => {
		if (!isParked(item.json)) return;
		waiting.set(itemIndex, item.json.taskId);
		deadline = item.json.waitDeadline;
	});
	return { items, waiting, deadline };
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

/**
 * A callback to the resume URL. Only a signed callback about a task this very park waits for
 * resumes it (others get 401/403/400/409 and the execution keeps waiting), and only once every
 * other task of the park has ended too.
 */
export async function resumeFromCallback(
	context: IWebhookFunctions,
): Promise<IWebhookResponseData> {
	const received = await receiveCallback(context);
	if (received.refused) return received.refused;
	const { connection } = received;
	let { task } = received;
	const park = readPark(context);
	const mine = [...park.waiting].find(([, taskId]) => taskId === task.taskId)?.[0];
	if (mine === undefined)
		return answer(context, 409, {
			message: `Task ${task.taskId} is not waited for by this execution`,
		});
	if (!isTerminal(task.state)) return { webhookResponse: { received: true, resumed: false } };
	const wait = readWaitOptions(
		context,
		waitParameters((name, fallback) => context.getNodeParameter(name, fallback)),
		0,
	);
	if (wait.confirmCallbacks) {
		const confirmed = await confirmWithService(context, connection, task);
		if (confirmed.refused) return confirmed.refused;
		// The service says it has not ended: an early or forged claim; keep waiting for the real one.
		if (!isTerminal(confirmed.task.state))
			return { webhookResponse: { received: true, resumed: false } };
		task = confirmed.task;
	}

	// A batch resumes once, on the callback that finds every other task of the park ended. The
	// others are read from the service (free): webhook processes share no memory.
	const others = await readOtherTasks(context, connection, park, mine, wait);
	if (others.running > 0)
		return answer(context, 200, {
			received: true,
			resumed: false,
			message: `Waiting for ${others.running} more task(s) of this execution`,
		});

	const key = parkKey(context, park);
	if (resumesUnderWay.has(key))
		return answer(context, 200, {
			received: true,
			resumed: false,
			message: 'This execution is already resuming',
		});
	resumesUnderWay.add(key);
	if (resumesUnderWay.size > MAX_REMEMBERED_RESUMES)
		resumesUnderWay.delete(resumesUnderWay.values().next().value as string);
	let resumed = false;
	try {
		others.ended.set(mine, task);
		const result = await resume(context, connection, park, mine, others.ended, wait);
		resumed = true;
		return result;
	} finally {
		if (!resumed) resumesUnderWay.delete(key);
	}
}

/**
 * Reads the park's other tasks once: which have ended (by item index), and how many still run. A
 * task the service refuses to show (e.g. unknown) counts as ended: its item fails on resume.
 */
async function readOtherTasks(
	context: IWebhookFunctions,
	connection: Connection,
	park: Park,
	mine: number,
	wait: WaitOptions,
): Promise<{ ended: Map<number, SeedanceTask>; running: number }> {
	const others = [...park.waiting]
		.filter(([itemIndex]) => itemIndex !== mine)
		.map(([itemIndex, taskId]) => ({ itemIndex, taskId }));
	const reads = await readTasksOnce(context, connection, others, {
		concurrency: wait.settings.concurrency,
		timeoutMs: wait.settings.requestTimeoutMs,
	});
	const ended = new Map<number, SeedanceTask>();
	let running = 0;
	for (const { ref, read } of reads) {
		if (read.ok && isTerminal(read.value.state)) ended.set(ref.itemIndex, read.value);
		else if (read.ok || isPassingFault(read.error)) running++;
	}
	return { ended, running };
}

/**
 * Answers the service at once (it retries slow receivers), then outputs every parked task's
 * result; `ended` holds what is already known of them, the rest is read once more.
 */
async function resume(
	context: IWebhookFunctions,
	connection: Connection,
	park: Park,
	mine: number,
	ended: Map<number, SeedanceTask>,
	wait: WaitOptions,
): Promise<IWebhookResponseData> {
	answer(context, 200, { received: true, resumed: true });
	const startedAt = Date.parse(park.deadline) - wait.settings.maxWaitMs;
	const open: OpenTask[] = [...park.waiting].map(([itemIndex, taskId]) => ({
		itemIndex,
		taskId,
		startedAt,
		last: ended.get(itemIndex),
	}));
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
			leanItems(outputItems([...passing, ...resumedItems], context.getNode()), {
				simplify: context.getNodeParameter('simplify', false) === true,
			}),
		],
	};
}
