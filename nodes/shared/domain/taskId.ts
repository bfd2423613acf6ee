import { InvalidParameter } from './invalidParameter';

/** Longest task ID accepted; the service's are about 20 characters. */
const MAX_TASK_ID_LENGTH = 200;

/** Characters a task ID may hold: nothing that changes the URL it is put in (/ ? # % spaces). */
const TASK_ID = /^[A-Za-z0-9._:-]+$/;

/** Checks a task ID before it goes into a request path (`.` or `..` would reach other routes). */
export function checkTaskId(field: string, value: unknown): string {
	const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (!text) {
		throw new InvalidParameter(
			field,
			`${field} is empty`,
			'Enter the ID of a task, e.g. {{ $json.taskId }} after a Generate node.',
		);
	}
	if (text.length > MAX_TASK_ID_LENGTH || !TASK_ID.test(text) || /^\.+$/.test(text)) {
		throw new InvalidParameter(
			field,
			`${field} "${text.slice(0, 60)}" is not a task ID`,
			'A task ID holds letters, digits and . _ : - only, as in the taskId field Generate outputs.',
		);
	}
	return text;
}
