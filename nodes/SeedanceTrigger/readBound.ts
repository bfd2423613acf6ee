import { REMEMBERED_TRIGGERS } from './deliveries';

/**
 * Reads a trigger may spend per clock minute on tasks the service does not know (made up by
 * whoever holds a callback URL), counting reads still under way: a flood of made-up task IDs
 * cannot spend the account's rate limit, while real tasks (known to the service) never count.
 */
export const UNKNOWN_TASK_READS_PER_MINUTE = 60;

const MINUTE_MS = 60_000;

interface Window {
	minute: number;
	unknown: number;
	underWay: number;
}

/** Per trigger (`workflow/node`), in this process; the least recently used is forgotten first. */
const windows = new Map<string, Window>();

function windowOf(scope: string, now: number): Window {
	const minute = Math.floor(now / MINUTE_MS);
	let window = windows.get(scope);
	windows.delete(scope);
	if (!window) window = { minute, unknown: 0, underWay: 0 };
	// Changed in place: reads under way hold it and settle into it.
	if (window.minute !== minute) Object.assign(window, { minute, unknown: 0 });
	windows.set(scope, window);
	if (windows.size > REMEMBERED_TRIGGERS) windows.delete(windows.keys().next().value as string);
	return window;
}

export type ReadSlot =
	| { granted: true; settle(taskWasKnown: boolean, now?: number): void }
	| { granted: false; retryAfterSeconds: number };

/** Asks for one read; the caller settles it with whether the service knew the task. */
export function takeReadSlot(scope: string, now = Date.now()): ReadSlot {
	const window = windowOf(scope, now);
	if (window.unknown + window.underWay >= UNKNOWN_TASK_READS_PER_MINUTE)
		return {
			granted: false,
			retryAfterSeconds: Math.max(1, Math.ceil(((window.minute + 1) * MINUTE_MS - now) / 1000)),
		};
	window.underWay++;
	let settled = false;
	return {
		granted: true,
		settle(taskWasKnown, settledAt = Date.now()) {
			if (settled) return;
			settled = true;
			window.underWay--;
			// A read that began in an earlier minute counts in the minute it ended.
			if (!taskWasKnown) windowOf(scope, settledAt).unknown++;
		},
	};
}
