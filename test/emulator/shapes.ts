/**
 * The response shapes the emulator can speak: the contract's default (enveloped, upper-case
 * status words, video at data.output.video_url) and each variant shared/api-contract.md lists.
 */
export type EmulatedState =
	'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired' | 'unknown';

export interface TaskView {
	taskId: string;
	state: EmulatedState;
	progress: number;
	videoUrl: string;
	error: string;
}

type Shape = (task: TaskView) => Record<string, unknown>;

const UPPER: Record<EmulatedState, string> = {
	queued: 'PENDING',
	running: 'IN_PROGRESS',
	succeeded: 'COMPLETED',
	failed: 'FAILED',
	cancelled: 'CANCELLED',
	expired: 'EXPIRED',
	unknown: 'RECALIBRATING',
};
const LOWER: Record<EmulatedState, string> = {
	queued: 'queued',
	running: 'processing',
	succeeded: 'succeeded',
	failed: 'failed',
	cancelled: 'canceled',
	expired: 'timeout',
	unknown: 'thinking',
};
const ALT: Record<EmulatedState, string> = {
	queued: 'submitted',
	running: 'generating',
	succeeded: 'success',
	failed: 'fail',
	cancelled: 'cancelled',
	expired: 'expired',
	unknown: 'paused_for_review',
};

const done = (task: TaskView) => task.state === 'succeeded';
const bad = (task: TaskView) =>
	task.state === 'failed' || task.state === 'cancelled' || task.state === 'expired';

export const SHAPES = {
	/** The contract's most likely shape (the default). */
	default: (task) => ({
		code: 200,
		message: 'success',
		data: {
			task_id: task.taskId,
			status: UPPER[task.state],
			progress: task.progress,
			output: done(task) ? { video_url: task.videoUrl } : null,
			error: bad(task) ? { message: task.error } : null,
		},
	}),
	/** Bare task object, camelCase id, `state`, video at top level. */
	bare: (task) => ({
		taskId: task.taskId,
		state: LOWER[task.state],
		progress: `${task.progress}%`,
		...(done(task) ? { video_url: task.videoUrl } : {}),
		...(bad(task) ? { error: task.error } : {}),
	}),
	/** `id`, lower-case words, result.video_url, fail_msg. */
	resultVideoUrl: (task) => ({
		id: task.taskId,
		status: ALT[task.state],
		...(done(task) ? { result: { video_url: task.videoUrl } } : {}),
		...(bad(task) ? { fail_msg: task.error } : {}),
	}),
	/** BytePlus-like: envelope, content.video_url. */
	content: (task) => ({
		code: 200,
		message: 'ok',
		data: {
			id: task.taskId,
			status: LOWER[task.state],
			...(done(task) ? { content: { video_url: task.videoUrl } } : {}),
			...(bad(task) ? { error: { message: task.error } } : {}),
		},
	}),
	/** kie.ai-like: `state`, a JSON string `resultJson`, failMsg. */
	resultJson: (task) => ({
		code: 200,
		msg: 'success',
		data: {
			taskId: task.taskId,
			state: ALT[task.state],
			...(done(task) ? { resultJson: JSON.stringify({ resultUrls: [task.videoUrl] }) } : {}),
			...(bad(task) ? { failMsg: task.error } : {}),
		},
	}),
	/** `urls` list, `done`. */
	urls: (task) => ({
		data: {
			id: task.taskId,
			status: task.state === 'succeeded' ? 'done' : ALT[task.state],
			urls: done(task) ? [task.videoUrl] : [],
			...(bad(task) ? { message: task.error } : {}),
		},
	}),
	/** `output` is the list of URLs; `finished`. */
	outputList: (task) => ({
		task_id: task.taskId,
		status: task.state === 'succeeded' ? 'finished' : LOWER[task.state],
		output: done(task) ? [task.videoUrl] : [],
		...(bad(task) ? { error: task.error } : {}),
	}),
	/** output.url and result.url. */
	outputUrl: (task) => ({
		code: 200,
		data: {
			task_id: task.taskId,
			status: task.state === 'succeeded' ? 'SUCCESS' : UPPER[task.state],
			...(done(task) ? { output: { url: task.videoUrl } } : {}),
			...(bad(task) ? { failMsg: task.error } : {}),
		},
	}),
	resultUrl: (task) => ({
		taskId: task.taskId,
		status: task.state === 'succeeded' ? 'completed' : LOWER[task.state],
		...(done(task) ? { result: { url: task.videoUrl } } : {}),
		...(bad(task) ? { error: { message: task.error } } : {}),
	}),
	/** data.video_url in the envelope. */
	dataVideoUrl: (task) => ({
		code: 200,
		message: 'success',
		data: {
			task_id: task.taskId,
			status: task.state === 'succeeded' ? 'completed' : LOWER[task.state],
			...(done(task) ? { video_url: task.videoUrl } : {}),
			...(bad(task) ? { error: task.error } : {}),
		},
	}),
} satisfies Record<string, Shape>;

export type ShapeName = keyof typeof SHAPES;
export const SHAPE_NAMES = Object.keys(SHAPES) as ShapeName[];

/** The create answer the service's docs confirm. */
export function createdBody(taskId: string): Record<string, unknown> {
	return { code: 200, message: 'success', data: { task_id: taskId, status: 'IN_PROGRESS' } };
}
