import type { IDataObject } from 'n8n-workflow';

import { BoundedMap } from '../shared/domain/boundedMemory';
import { TERMINAL_STATES } from '../shared/domain/task';

/**
 * How long a finished task is remembered. A finished task never changes again, so any later
 * callback for it is a replay; the service's own retries come within seconds.
 */
export const REMEMBER_FOR_DAYS = 30;

/** Upper bound on remembered deliveries, so static data stays small (about 40 bytes each). */
export const REMEMBERED_DELIVERIES = 20_000;

/** Triggers whose memory this process keeps (least recently used forgotten first). */
export const REMEMBERED_TRIGGERS = 32;

const STATIC_DATA_KEY = 'deliveredTasks';
const MINUTE_MS = 60_000;

type Memory = Record<string, number>;

/**
 * This process's memory per trigger (`workflow/node`): `task:state` -> minute first delivered,
 * oldest first (keys are never integer-like, so they keep insertion order).
 *
 * n8n loads a workflow's static data per request and saves it whole when the request ends: the
 * last save wins. So every request that records a delivery puts this very object into its static
 * data, and whichever request saves last writes every delivery this process knows.
 */
const memories = new BoundedMap<string, Memory>(REMEMBERED_TRIGGERS);

function storedDeliveries(staticData: IDataObject): Memory {
	const current = staticData[STATIC_DATA_KEY];
	return current && typeof current === 'object' && !Array.isArray(current)
		? (current as Memory)
		: {};
}

function forgetOld(memory: Memory, oldestMinute: number): void {
	let count = Object.keys(memory).length;
	for (const key in memory) {
		const minute = memory[key];
		if (count <= REMEMBERED_DELIVERIES && typeof minute === 'number' && minute >= oldestMinute)
			break;
		delete memory[key];
		count--;
	}
}

/**
 * The trigger's memory, with what this request loaded merged in (after a restart, or what another
 * n8n process saved). Changed in place only: earlier requests hold it in their static data.
 */
function memoryOf(staticData: IDataObject, scope: string, oldestMinute: number): Memory {
	const memory = memories.get(scope) ?? {};
	memories.set(scope, memory);
	const stored = storedDeliveries(staticData);
	if (stored === memory) return memory;
	let added = false;
	for (const key in stored) {
		const minute = stored[key];
		if (typeof minute !== 'number' || minute < oldestMinute || key in memory) continue;
		memory[key] = minute;
		added = true;
	}
	if (added) {
		// Oldest first again, so forgetting stays a walk from the front.
		const entries = Object.entries(memory).sort((a, b) => a[1] - b[1]);
		for (const [key] of entries) delete memory[key];
		for (const [key, minute] of entries) memory[key] = minute;
		forgetOld(memory, oldestMinute);
	}
	return memory;
}

function remembers(memory: Memory, key: string, oldestMinute: number): boolean {
	const minute = memory[key];
	return typeof minute === 'number' && minute >= oldestMinute;
}

const oldestMinuteAt = (now: number) => Math.floor(now / MINUTE_MS) - REMEMBER_FOR_DAYS * 24 * 60;

/**
 * Records a delivery (`taskId:state`) and tells whether it is the first one. The same task
 * reaching the same state twice is a duplicate; the same task reaching another state is not.
 */
export function isFirstDelivery(
	staticData: IDataObject,
	scope: string,
	key: string,
	now = Date.now(),
): boolean {
	const oldestMinute = oldestMinuteAt(now);
	const memory = memoryOf(staticData, scope, oldestMinute);
	if (remembers(memory, key, oldestMinute)) return false;
	delete memory[key];
	memory[key] = Math.floor(now / MINUTE_MS);
	forgetOld(memory, oldestMinute);
	// Assigned, so n8n sees a change and saves; the shared object, so the last save has it all.
	staticData[STATIC_DATA_KEY] = memory;
	return true;
}

/**
 * Whether a task was already delivered in a finished state (any: a finished task never changes).
 * Reads memory only, so a replay is turned away before any request is sent.
 */
export function wasDelivered(
	staticData: IDataObject,
	scope: string,
	taskId: string,
	now = Date.now(),
): boolean {
	const oldestMinute = oldestMinuteAt(now);
	const memory = memoryOf(staticData, scope, oldestMinute);
	return TERMINAL_STATES.some((state) => remembers(memory, `${taskId}:${state}`, oldestMinute));
}
