import { jsonParse, type IDataObject } from 'n8n-workflow';

import { normalizeTask, type SeedanceTask } from './task';
import { checkTaskId } from './taskId';

/** A callback is a small task object (about 1 KB); anything this big is not one. */
export const MAX_CALLBACK_BYTES = 1024 * 1024;

export type CallbackReading = { ok: true; task: SeedanceTask } | { ok: false; reason: string };

export interface CallbackRequest {
	body?: unknown;
	rawBody?: { length: number; toString(encoding?: string): string };
	headers: Record<string, string | string[] | undefined>;
}

/** The body's size as it arrived: n8n's raw bytes, the declared length, or the re-serialised body. */
export function bodySize(request: CallbackRequest): number {
	if (request.rawBody) return request.rawBody.length;
	const declared = Number(request.headers['content-length']);
	if (Number.isFinite(declared) && declared >= 0) return declared;
	return typeof request.body === 'string'
		? request.body.length
		: JSON.stringify(request.body ?? '').length;
}

const parseJson = (text: string): unknown => jsonParse<unknown>(text, { fallbackValue: null });

function isEmptyObject(value: unknown): boolean {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		Object.keys(value).length === 0
	);
}

/** The JSON sent: a text body, or one n8n does not parse, arrives as a string or raw bytes. */
function jsonBodyOf(request: CallbackRequest): unknown {
	const { body, rawBody } = request;
	if (typeof body === 'string') return parseJson(body);
	if (body instanceof Uint8Array) return parseJson(Buffer.from(body).toString('utf8'));
	if ((body === undefined || isEmptyObject(body)) && rawBody && rawBody.length > 0)
		return parseJson(rawBody.toString('utf8'));
	return body;
}

/** Why a callback's task id can name no task (same rule as a typed Task ID: a 400, never resent). */
function unusableTaskId(taskId: string): string | null {
	try {
		checkTaskId('Task ID', taskId);
		return null;
	} catch {
		return `The body names task "${taskId.slice(0, 60)}${taskId.length > 60 ? '…' : ''}" (${taskId.length} characters), which is no task ID: one holds at most 200 letters, digits and . _ : - and is not "." or ".."`;
	}
}

/** Reads a callback body into a task, or says why not (400); both webhooks accept the same bodies. */
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
