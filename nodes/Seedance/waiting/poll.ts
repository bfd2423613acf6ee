import { NodeOperationError } from 'n8n-workflow';
import type { NodeApiError } from 'n8n-workflow';

import {
	fetchTask,
	isPassingFault,
	type Connection,
	type SeedanceContext,
} from '../../shared/transport';
import { isTerminal, type SeedanceTask } from '../../shared/domain/task';
import {
	attempt,
	cancelSignalOf,
	mapWithLimit,
	pause,
	throwIfStopped,
} from '../../shared/domain/timing';

export interface PollSettings {
	/** How long to wait for each task, from when it was submitted. */
	maxWaitMs: number;
	minIntervalMs: number;
	maxIntervalMs: number;
	concurrency: number;
	requestTimeoutMs: number;
}

export interface OpenTask {
	itemIndex: number;
	taskId: string;
	/** When the task was submitted (epoch ms); its deadline counts from here. */
	startedAt: number;
	last?: SeedanceTask;
}

export type TaskOutcome =
	| { ok: true; task: SeedanceTask; statusReads: number }
	| {
			ok: false;
			error: NodeApiError | NodeOperationError;
			taskId: string;
			last?: SeedanceTask;
			statusReads: number;
	  };

/** The longest gap between two reads of a task, as a multiple of the poll interval. */
export const MAX_INTERVAL_FACTOR = 15;

/** Reads aim a little past the predicted end: a read that lands at 99% costs one more read. */
const AIM_PAST_END = 1.02;

/** When to read a task again: at its predicted end when it reports progress, else backing off. */
export function nextPollDelay(task: OpenTask, now: number, settings: PollSettings): number {
	const elapsed = Math.max(0, now - task.startedAt);
	const progress = task.last?.progress;
	const wanted =
		progress !== null && progress !== undefined && progress > 0 && progress < 100
			? ((elapsed * (100 - progress)) / progress) * AIM_PAST_END
			: elapsed * 0.25;
	const bounded = Math.min(settings.maxIntervalMs, Math.max(settings.minIntervalMs, wanted));
	const untilDeadline = task.startedAt + settings.maxWaitMs - now;
	return Math.max(0, Math.min(bounded, untilDeadline));
}

export function terminalFailure(
	context: SeedanceContext,
	task: SeedanceTask,
	itemIndex: number,
): NodeOperationError {
	const reason = task.error ? `: ${task.error}` : '';
	const verb =
		task.state === 'expired' ? 'expired' : task.state === 'cancelled' ? 'was cancelled' : 'failed';
	return new NodeOperationError(
		context.getNode(),
		`Seedance task ${task.taskId} ${verb}${reason}`,
		{
			itemIndex,
			description:
				task.state === 'expired'
					? `The service gave up on task ${task.taskId} (status "${task.rawStatus}"). Generate the video again.`
					: `The service reported status "${task.rawStatus}" for task ${task.taskId}. Credits are charged for successful videos only. Adjust the prompt or image and generate again.`,
		},
	);
}

function timeoutFailure(
	context: SeedanceContext,
	task: OpenTask,
	settings: PollSettings,
	lastReadError?: Error,
): NodeOperationError {
	const state = task.last
		? `"${task.last.rawStatus || task.last.state}"${task.last.progress !== null ? ` at ${task.last.progress}%` : ''}`
		: 'unknown';
	const lastRead = lastReadError ? ` The last status check failed: ${lastReadError.message}.` : '';
	return new NodeOperationError(
		context.getNode(),
		`Seedance task ${task.taskId} did not finish within ${Math.round(settings.maxWaitMs / 1000)} seconds`,
		{
			itemIndex: task.itemIndex,
			description: `Its last status was ${state}.${lastRead} The task keeps running at the service and will be charged if it succeeds: to pick it up later, use the Wait operation with task ID ${task.taskId} instead of generating again, or raise "Max Wait Time".`,
		},
	);
}

/** Waits for many tasks in one shared loop, reading the due ones (bounded), until each ends. */
export async function awaitTasks(
	context: SeedanceContext,
	connection: Connection,
	tasks: OpenTask[],
	settings: PollSettings,
): Promise<Map<number, TaskOutcome>> {
	const signal = cancelSignalOf(context);
	const outcomes = new Map<number, TaskOutcome>();
	const reads = new Map<number, number>();
	// A task whose state is already known is read next on schedule, not at once.
	const nextAt = new Map<number, number>(
		tasks.map((task) => [
			task.itemIndex,
			task.last ? Date.now() + nextPollDelay(task, Date.now(), settings) : Date.now(),
		]),
	);
	let open = tasks.filter((task) => !(task.last && isTerminal(task.last.state)));
	for (const task of tasks) {
		if (task.last && isTerminal(task.last.state))
			outcomes.set(task.itemIndex, settle(context, task, 0));
	}

	while (open.length > 0) {
		throwIfStopped(signal);
		const now = Date.now();
		const due = open.filter((task) => (nextAt.get(task.itemIndex) ?? now) <= now);
		if (due.length === 0) {
			const soonest = Math.min(...open.map((task) => nextAt.get(task.itemIndex) ?? now));
			await pause(soonest - now, signal);
			continue;
		}
		await mapWithLimit(due, settings.concurrency, async (task) => {
			const deadline = task.startedAt + settings.maxWaitMs;
			reads.set(task.itemIndex, (reads.get(task.itemIndex) ?? 0) + 1);
			const read = await attempt(
				fetchTask(context, connection, task.taskId, {
					timeoutMs: settings.requestTimeoutMs,
					itemIndex: task.itemIndex,
					deadline,
				}),
			);
			if (!read.ok) {
				const failedAt = Date.now();
				// A fault that outlasted one read's retries (rate limit, outage) is not the task's end.
				if (isPassingFault(read.error) && failedAt < deadline) {
					nextAt.set(
						task.itemIndex,
						failedAt + Math.min(settings.maxIntervalMs, deadline - failedAt),
					);
					return;
				}
				const error = isPassingFault(read.error)
					? timeoutFailure(context, task, settings, read.error as Error)
					: (read.error as NodeApiError);
				outcomes.set(task.itemIndex, {
					ok: false,
					error,
					taskId: task.taskId,
					last: task.last,
					statusReads: reads.get(task.itemIndex) ?? 0,
				});
				return;
			}
			task.last = read.value;
			const readAt = Date.now();
			if (isTerminal(task.last.state)) {
				outcomes.set(task.itemIndex, settle(context, task, reads.get(task.itemIndex) ?? 0));
			} else if (readAt >= deadline) {
				outcomes.set(task.itemIndex, {
					ok: false,
					error: timeoutFailure(context, task, settings),
					taskId: task.taskId,
					last: task.last,
					statusReads: reads.get(task.itemIndex) ?? 0,
				});
			} else {
				nextAt.set(task.itemIndex, readAt + nextPollDelay(task, readAt, settings));
			}
		});
		open = open.filter((task) => !outcomes.has(task.itemIndex));
	}
	return outcomes;
}

function settle(context: SeedanceContext, task: OpenTask, statusReads: number): TaskOutcome {
	const last = task.last as SeedanceTask;
	if (last.state === 'succeeded') return { ok: true, task: last, statusReads };
	return {
		ok: false,
		error: terminalFailure(context, last, task.itemIndex),
		taskId: task.taskId,
		last,
		statusReads,
	};
}
