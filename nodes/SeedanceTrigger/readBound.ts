import { sleep } from 'n8n-workflow';

import { BoundedMap } from '../shared/domain/boundedMemory';
import { REMEMBERED_TRIGGERS } from './deliveries';

/**
 * Reads per trigger and clock minute that confirmed no finished task (made-up or running task IDs,
 * service faults), reads under way counted: a flood cannot spend the account's rate limit.
 */
export const WASTED_READS_PER_MINUTE = 60;

const MINUTE_MS = 60_000;
const WAIT_STEP_MS = 50;

interface Window {
	minute: number;
	wasted: number;
	underWay: number;
}

/** Per trigger (`workflow/node`), in this process; the least recently used is forgotten first. */
const windows = new BoundedMap<string, Window>(REMEMBERED_TRIGGERS);

function windowOf(scope: string, now: number): Window {
	const minute = Math.floor(now / MINUTE_MS);
	let window = windows.get(scope);
	if (!window) window = { minute, wasted: 0, underWay: 0 };
	// Changed in place: reads under way hold it and settle into it.
	if (window.minute !== minute) Object.assign(window, { minute, wasted: 0 });
	windows.set(scope, window);
	return window;
}

export type ReadSlot =
	| { granted: true; settle(confirmedFinishedTask: boolean, now?: number): void }
	| { granted: false; spent: boolean; retryAfterSeconds: number };

/** One read now, or why not: the minute's wasted reads are spent, or reads under way fill it. */
export function tryReadSlot(scope: string, now = Date.now()): ReadSlot {
	const window = windowOf(scope, now);
	if (window.wasted + window.underWay >= WASTED_READS_PER_MINUTE)
		return {
			granted: false,
			spent: window.wasted >= WASTED_READS_PER_MINUTE,
			retryAfterSeconds: Math.max(1, Math.ceil(((window.minute + 1) * MINUTE_MS - now) / 1000)),
		};
	window.underWay++;
	let settled = false;
	return {
		granted: true,
		settle(confirmedFinishedTask, settledAt = Date.now()) {
			if (settled) return;
			settled = true;
			window.underWay--;
			// A read that began in an earlier minute counts in the minute it ended.
			if (!confirmedFinishedTask) windowOf(scope, settledAt).wasted++;
		},
	};
}

/** A read slot, waiting until `deadline` while only reads under way fill the minute (a burst). */
export async function takeReadSlot(scope: string, deadline: number): Promise<ReadSlot> {
	for (;;) {
		const slot = tryReadSlot(scope);
		if (slot.granted || slot.spent || Date.now() + WAIT_STEP_MS >= deadline) return slot;
		await sleep(WAIT_STEP_MS);
	}
}
