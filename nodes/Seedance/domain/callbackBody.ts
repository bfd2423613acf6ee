import { jsonParse, type IDataObject } from 'n8n-workflow';

import { normalizeTask, type SeedanceTask } from './task';
import { checkTaskId } from './taskId';

/** A callback is a small task object (about 1 KB); anything this big is not one. */
export const MAX_CALLBACK_BYTES = 1024 * 1024;

export type CallbackReading = { ok: true; task: SeedanceTask } | { ok: false; reason: string };

/** The parts of n8n's (express) request a callback webhook reads. */
export interface CallbackRequest {
	body?: unknown;
	rawBody?: { length: number; toString(encoding?: string): string };
	headers: Record<string, string | string[] | undefined>;
}

/**
 * Size of the body as it arrived: the raw bytes n8n kept, or the declared length, or the parsed
 * body re-serialised.
 */
export function bodySize(request: CallbackRequest): number {
	if (request.rawBody) return request.rawBody.length;
	const declared = Number(request.headers['content-length']);
	if (Number.isFinite(declared) && declared >= 0) return declared;
	return typeof request.body === 'string'
		? request.body.length
		: JSON.stringify(request.body ?? '').length;
}

/** Text as JSON, or null when it is not JSON (then it is not a callback). */
const parseJson = (text: string): unknown => jsonParse<unknown>(text, { fallbackValue: null });

function isEmptyObject(value: unknown): boolean {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		Object.keys(value).length === 0
	);
}

/**
 * The JSON the service sent. n8n parses JSON bodies itself; a body sent as text (or a content
 * type n8n does not parse) arrives as a string or only as raw bytes, so those are parsed here.
 */
function jsonBodyOf(request: CallbackRequest): unknown {
	const { body, rawBody } = request;
	if (typeof body === 'string') return parseJson(body);
	if (body instanceof Uint8Array) return parseJson(Buffer.from(body).toString('utf8'));
	if ((body === undefined || isEmptyObject(body)) && rawBody && rawBody.length > 0)
		return parseJson(rawBody.toString('utf8'));
	return body;
}

/**
 * Why a callback's task id can name no task, or null. The id goes into the trigger's memory and
 * into a status request's path: the same rule as a typed Task ID (at most 200 characters, no
 * URL-changing characters, not `.`/`..`), so an unusable one is a 400 the service does not resend.
 */
function unusableTaskId(taskId: string): string | null {
	try {
		checkTaskId('Task ID', taskId);
		return null;
	} catch {
		return `The body names task "${taskId.slice(0, 60)}${taskId.length > 60 ? '…' : ''}" (${taskId.length} characters), which is no task ID: one holds at most 200 letters, digits and . _ : - and is not "." or ".."`;
	}
}

/**
 * Reads a callback body into the task model, or says why it is not one (both webhooks answer
 * that with 400): the Seedance Trigger's and the resume URL's, so they accept the same bodies.
 */
export function readCallback(request: CallbackRequest): CallbackReading {
	const size = bodySize(request);
	if (size > MAX_CALLBACK_BYTES)
		return {
			ok: false,
			reason: `The body is ${size} bytes; a task callback is at most ${MAX_CALLBACK_BYTES}`,
		};
	const body = jsonBodyOf(request);
	if (typeof body !== 'object' || body === null || Array.isArray(body))
		return { ok: false, reason: 'The body is not a JSON object' };
	const task = normalizeTask(body as IDataObject);
	if (!task) return { ok: false, reason: 'The body holds no task ID' };
	const unusable = unusableTaskId(task.taskId);
	if (unusable) return { ok: false, reason: unusable };
	return { ok: true, task };
}
