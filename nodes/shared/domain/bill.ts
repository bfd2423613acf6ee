import type {
	IDataObject,
	IExecuteFunctions,
	IWebhookFunctions,
	IWorkflowExecutionCustomData,
} from 'n8n-workflow';

import { isTerminal, type TaskState } from './task';
import { ExecutionStopped, pause } from './timing';

/** A task this run holds (created, picked up or waited on), named by a stop: it runs on, charged. */
export interface HeldTask {
	taskId: string;
	/** The input item (0-based) the task belongs to, when known. */
	itemIndex: number | null;
	state: TaskState | null;
}

interface Bill {
	tasks: Map<string, HeldTask>;
	/** Create requests sent and not answered yet: a stop waits for their task IDs. */
	creating: Set<Promise<unknown>>;
	/** Create requests sent and then cut off by the stop (n8n 2.x aborts them): no task ID. */
	cut: number;
}

type Context = IExecuteFunctions | IWebhookFunctions;

/** Where the node's execution context keeps the tasks of runs that have not ended (a stop). */
export const TASKS_IN_HAND_KEY = 'seedanceTasksInHand';

// Keyed by the node's context object: one per run of the node (or per tool call).
const bills = new WeakMap<object, Bill>();

function billOf(context: Context): Bill {
	let bill = bills.get(context);
	if (!bill) {
		bill = { tasks: new Map(), creating: new Set(), cut: 0 };
		bills.set(context, bill);
	}
	return bill;
}

/** The record n8n saves with the execution, even when it is stopped (webhook calls have none). */
function savedRecord(context: Context): IDataObject | undefined {
	if (!('getContext' in context)) return undefined;
	const node = context.getContext('node');
	const stored = node[TASKS_IN_HAND_KEY];
	if (typeof stored === 'object' && stored !== null && !Array.isArray(stored))
		return stored as IDataObject;
	const fresh: IDataObject = {};
	node[TASKS_IN_HAND_KEY] = fresh;
	return fresh;
}

export function holdTask(
	context: Context,
	taskId: string,
	itemIndex?: number,
	state?: TaskState,
): void {
	const { tasks } = billOf(context);
	const known = tasks.get(taskId);
	const held: HeldTask = {
		taskId,
		itemIndex: itemIndex ?? known?.itemIndex ?? null,
		state: state ?? known?.state ?? null,
	};
	tasks.set(taskId, held);
	const record = savedRecord(context);
	if (record) record[taskId] = { item: held.itemIndex, state: held.state };
	if (!known) showInCustomData(context, [...tasks.keys()]);
}

/** The execution's custom data key that lists the task IDs of the node's latest run. */
export const CUSTOM_DATA_KEY = 'seedanceTasks';

/** n8n logs an error for a custom data value longer than this (and cuts it at 512). */
const CUSTOM_DATA_MAX = 255;

export function customDataValue(taskIds: string[]): string {
	const all = taskIds.join(', ');
	if (all.length <= CUSTOM_DATA_MAX) return all;
	const suffix = ` ... (${taskIds.length} in all)`;
	const shown: string[] = [];
	for (const taskId of taskIds) {
		if ([...shown, taskId].join(', ').length + suffix.length > CUSTOM_DATA_MAX) break;
		shown.push(taskId);
	}
	return `${shown.join(', ')}${suffix}`;
}

/** Custom data outlives a stop (n8n restores older execution data); 2.x gives it to nodes, 1.x not. */
function showInCustomData(context: Context, taskIds: string[]): void {
	if (!('getContext' in context)) return;
	try {
		const customData =
			'customData' in context && context.customData
				? context.customData
				: (
						context.getWorkflowDataProxy(0).$execution as {
							customData?: IWorkflowExecutionCustomData;
						}
					)?.customData;
		customData?.set(CUSTOM_DATA_KEY, customDataValue(taskIds));
	} catch {
		// Custom data is full (10 keys) or not offered here (a sub-node's call): the error still names them.
	}
}

/** Follows a sent create until answered, or cut by the stop (a paid task whose ID never came). */
export function holdCreate<T>(context: Context, sending: Promise<T>): Promise<T> {
	const bill = billOf(context);
	const settled = sending.then(
		() => undefined,
		(error: unknown) => {
			if (error instanceof ExecutionStopped) bill.cut++;
		},
	);
	bill.creating.add(settled);
	void settled.then(() => bill.creating.delete(settled));
	return sending;
}

/** Takes this run's tasks out of the saved record: the run ended and said what became of them. */
export function releaseTasks(context: Context): void {
	const record = savedRecord(context);
	if (!record) return;
	for (const taskId of billOf(context).tasks.keys()) delete record[taskId];
	if ('getContext' in context && Object.keys(record).length === 0)
		delete context.getContext('node')[TASKS_IN_HAND_KEY];
}

export interface HeldAtStop {
	tasks: HeldTask[];
	/** Create requests cut off by the stop or still unanswered after `graceMs`: their videos may exist. */
	unanswered: number;
}

/** What this run holds at a stop; paid creates are never cut, their answers awaited up to graceMs. */
export async function heldAtStop(context: Context, graceMs: number): Promise<HeldAtStop> {
	const bill = billOf(context);
	if (bill.creating.size > 0) {
		const done = new AbortController();
		await Promise.race([
			Promise.all([...bill.creating]),
			pause(graceMs, done.signal).catch(() => {}),
		]);
		done.abort();
	}
	const tasks = [...bill.tasks.values()].sort(
		(a, b) => (a.itemIndex ?? Infinity) - (b.itemIndex ?? Infinity),
	);
	return { tasks, unanswered: bill.cut + bill.creating.size };
}

/** How many task IDs a stop's description lists; the rest are counted (all are in the context). */
export const LISTED_AT_MOST = 20;

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

function named(tasks: HeldTask[]): string {
	const shown = tasks
		.slice(0, LISTED_AT_MOST)
		.map((task) =>
			task.itemIndex === null ? task.taskId : `${task.taskId} (item ${task.itemIndex + 1})`,
		);
	const more = tasks.length - shown.length;
	return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** The stop as a non-programmer reads it: which tasks keep running and are charged, and what to do. */
export function describeStop(held: HeldAtStop): { message: string; description: string } {
	const running = held.tasks.filter((task) => task.state === null || !isTerminal(task.state));
	const succeeded = held.tasks.filter((task) => task.state === 'succeeded');
	const ended = held.tasks.filter(
		(task) => task.state !== null && isTerminal(task.state) && task.state !== 'succeeded',
	);
	const message =
		held.tasks.length > 0
			? `Stopped while waiting for ${plural(held.tasks.length, 'video', 'videos')}`
			: held.unanswered > 0
				? `Stopped while creating ${plural(held.unanswered, 'video', 'videos')}`
				: 'The execution was stopped while waiting for Seedance';
	const notes = [
		running.length
			? `${running.length === 1 ? 'It keeps' : 'They keep'} running at API in One and ${running.length === 1 ? 'is' : 'are'} charged when finished: task ${running.length === 1 ? 'ID' : 'IDs'} ${named(running)}.`
			: '',
		succeeded.length
			? `Finished (and charged) before the stop, video not saved: ${named(succeeded)}.`
			: '',
		ended.length ? `Failed or expired (not charged): ${named(ended)}.` : '',
		held.unanswered
			? `${plural(held.unanswered, 'request', 'requests')} to create a video got no answer before the stop: ${held.unanswered === 1 ? 'that video' : 'those videos'} may exist and be charged; check the task list in your API in One dashboard.`
			: '',
		running.length || succeeded.length
			? 'Pick them up with the Wait operation (Task ID) instead of generating again, which pays again.'
			: '',
		held.tasks.length === 0 && !held.unanswered
			? 'No video task was created in this run, so nothing is charged.'
			: '',
	].filter(Boolean);
	return { message, description: notes.join(' ') };
}
