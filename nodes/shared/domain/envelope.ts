import type { IDataObject } from 'n8n-workflow';

export function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TASK_KEYS = ['task_id', 'taskId', 'id', 'status', 'state'];

/** Unwraps `{code, message, data: {...}}`; a bare task object is returned as it is. */
export function unwrapEnvelope(body: IDataObject): IDataObject {
	const data = body.data;
	if (!isObject(data)) return body;
	const bodyLooksLikeTask = TASK_KEYS.some((key) => key in body && key !== 'id');
	return bodyLooksLikeTask && !('code' in body) ? body : data;
}

/** Some gateways answer HTTP 200 with the real status in the envelope's `code`: that code, or null. */
export function envelopeErrorCode(body: IDataObject): number | null {
	return typeof body.code === 'number' && body.code >= 400 && !isObject(body.data)
		? body.code
		: null;
}

/** The service's own words in an error answer, whole: cut only after redaction, when quoted. */
export function serviceMessageOf(body: unknown): string | null {
	if (typeof body === 'string') return body.trim() || null;
	if (!isObject(body)) return null;
	const error = body.error;
	const candidates = [isObject(error) ? error.message : error, body.message, body.msg, body.detail];
	const found = candidates.find((value) => typeof value === 'string' && value.trim() !== '');
	return typeof found === 'string' ? found.trim() : null;
}
