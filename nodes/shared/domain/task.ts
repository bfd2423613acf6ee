import { jsonParse, type IDataObject } from 'n8n-workflow';

import { isObject, unwrapEnvelope } from './envelope';

/** The six states every status word of the service (and of comparable services) maps to. */
export type TaskState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

/** One task as the node outputs it, whatever shape the service answered with. */
export interface SeedanceTask extends IDataObject {
	taskId: string;
	state: TaskState;
	rawStatus: string;
	progress: number | null;
	videoUrl: string | null;
	error: string | null;
	raw: IDataObject;
}

const STATE_WORDS: Record<TaskState, string[]> = {
	queued: ['pending', 'queued', 'queuing', 'waiting', 'submitted', 'created', 'in_queue'],
	running: ['processing', 'running', 'in_progress', 'generating'],
	succeeded: [
		'completed',
		'complete',
		'succeeded',
		'success',
		'successful',
		'done',
		'finished',
		'succeed',
		'ready',
	],
	failed: ['failed', 'fail', 'failure', 'error'],
	cancelled: ['cancelled', 'canceled'],
	expired: ['expired', 'timeout'],
};

const STATE_BY_WORD = new Map<string, TaskState>(
	(Object.entries(STATE_WORDS) as Array<[TaskState, string[]]>).flatMap(([state, words]) =>
		words.map((word) => [word, state] as [string, TaskState]),
	),
);

export const TERMINAL_STATES: readonly TaskState[] = [
	'succeeded',
	'failed',
	'cancelled',
	'expired',
];

export function isTerminal(state: TaskState): boolean {
	return TERMINAL_STATES.includes(state);
}

const wordKey = (word: string) =>
	word
		.trim()
		.toLowerCase()
		.replace(/[\s-]+/g, '_');

/** Maps a status word to a state; unknown ones are running, so a wait polls to its deadline. */
export function stateFromWord(word: string): TaskState {
	return STATE_BY_WORD.get(wordKey(word)) ?? 'running';
}

/** Whether a status word is known; a callback with an unknown one is read, never dropped. */
export function isKnownStatusWord(word: string): boolean {
	return STATE_BY_WORD.has(wordKey(word));
}

function firstString(...candidates: unknown[]): string | null {
	for (const candidate of candidates) {
		if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim();
		if (typeof candidate === 'number' && Number.isFinite(candidate)) return String(candidate);
	}
	return null;
}

function firstStringOfList(value: unknown): string | null {
	return Array.isArray(value) ? firstString(...value) : null;
}

function parseResultJson(value: unknown): IDataObject | null {
	if (isObject(value)) return value;
	if (typeof value !== 'string') return null;
	const parsed = jsonParse<unknown>(value, { fallbackValue: null });
	return isObject(parsed) ? parsed : null;
}

function findVideoUrl(task: IDataObject): string | null {
	const output = task.output;
	const result = isObject(task.result) ? task.result : {};
	const content = isObject(task.content) ? task.content : {};
	const outputObject = isObject(output) ? output : {};
	const resultJson = parseResultJson(task.resultJson) ?? {};
	return firstString(
		outputObject.video_url,
		task.video_url,
		task.videoUrl,
		result.video_url,
		outputObject.url,
		result.url,
		content.video_url,
		typeof output === 'string' ? output : null,
		firstStringOfList(output),
		firstStringOfList(task.urls),
		firstStringOfList(task.resultUrls),
		firstStringOfList(resultJson.resultUrls),
		firstStringOfList(outputObject.urls),
	);
}

function findProgress(task: IDataObject): number | null {
	const raw = task.progress ?? task.percent;
	const value = typeof raw === 'string' ? parseFloat(raw) : raw;
	if (typeof value !== 'number' || !Number.isFinite(value)) return null;
	// Some services report 0..1 rather than 0..100.
	const percent =
		value > 0 && value <= 1 && typeof raw === 'number' && !Number.isInteger(raw)
			? value * 100
			: value;
	return Math.max(0, Math.min(100, percent));
}

function findError(task: IDataObject, state: TaskState): string | null {
	const error = task.error;
	const fromError = isObject(error)
		? firstString(error.message, error.msg, error.code)
		: firstString(error);
	const explicit = firstString(
		fromError,
		task.fail_msg,
		task.failMsg,
		task.error_message,
		task.errorMessage,
	);
	if (explicit) return explicit;
	// A bare `message` is an error only on a task that did not succeed ("success" is not an error).
	return state === 'failed' || state === 'cancelled' || state === 'expired'
		? firstString(task.message, task.msg)
		: null;
}

/** Any task response (create, status, callback; enveloped or bare) as the task model, or null. */
export function normalizeTask(body: unknown, knownTaskId?: string): SeedanceTask | null {
	if (!isObject(body)) return null;
	const task = unwrapEnvelope(body);
	const taskId = firstString(task.task_id, task.taskId, task.id, knownTaskId);
	if (!taskId) return null;
	const rawStatus = firstString(task.status, task.state, task.task_status, task.taskStatus) ?? '';
	const videoUrl = findVideoUrl(task);
	// No status word at all: a body that already carries the video is a finished task.
	const state = rawStatus ? stateFromWord(rawStatus) : videoUrl ? 'succeeded' : 'queued';
	return {
		taskId,
		state,
		rawStatus,
		progress: state === 'succeeded' ? 100 : findProgress(task),
		videoUrl,
		error: findError(task, state),
		raw: body,
	};
}
