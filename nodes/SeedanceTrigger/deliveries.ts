import type { IDataObject } from 'n8n-workflow';

import { TERMINAL_STATES } from '../Seedance/domain/task';

/**
 * How long a finished task is remembered. A finished task never changes again, so any later
 * callback for it is a replay; the service's own retries come within seconds.
 */
export const REMEMBER_FOR_DAYS = 30;

/** Upper bound on remembered deliveries, so static data stays small (about 40 bytes each). */
export const REMEMBERED_DELIVERIES = 20_000;

const STATIC_DATA_KEY = 'deliveredTasks';
const MINUTE_MS = 60_000;

/**
 * Deliveries seen by this n8n process, per trigger node. The workflow's static data is the
 * memory that survives restarts, but n8n loads and saves it per request, so two copies of one
 * callback arriving at the same moment would both find it empty; this catches those.
 */
const inProcess = new Map<string, Set<string>>();

/**
 * `task:state` -> minute first delivered. Keys keep insertion order (they are never integer-like),
 * so the oldest is always first and forgetting never needs a sort.
 */
function storedDeliveries(staticData: IDataObject): Record<string, number> {
	const current = staticData[STATIC_DATA_KEY];
	return current && typeof current === 'object' && !Array.isArray(current)
		? (current as Record<string, number>)
		: {};
}

function forgetOld(stored: Record<string, number>, oldestMinute: number): void {
	let count = Object.keys(stored).length;
	for (const key in stored) {
		const minute = stored[key];
		if (count <= REMEMBERED_DELIVERIES && typeof minute === 'number' && minute >= oldestMinute)
			break;
		delete stored[key];
		count--;
	}
}

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
	const nowMinute = Math.floor(now / MINUTE_MS);
	const oldestMinute = nowMinute - REMEMBER_FOR_DAYS * 24 * 60;
	const stored = storedDeliveries(staticData);
	const seen = inProcess.get(scope) ?? new Set<string>();
	inProcess.set(scope, seen);
	const firstSeen = stored[key];
	const remembered = typeof firstSeen === 'number' && firstSeen >= oldestMinute;
	if (remembered || seen.has(key)) return false;
	delete stored[key];
	stored[key] = nowMinute;
	forgetOld(stored, oldestMinute);
	// Assigned again so n8n sees the change and saves it.
	staticData[STATIC_DATA_KEY] = stored;
	seen.add(key);
	if (seen.size > REMEMBERED_DELIVERIES) seen.delete(seen.values().next().value as string);
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
	const oldestMinute = Math.floor(now / MINUTE_MS) - REMEMBER_FOR_DAYS * 24 * 60;
	const stored: Record<string, unknown> = storedDeliveries(staticData);
	const seen = inProcess.get(scope);
	return TERMINAL_STATES.some((state) => {
		const key = `${taskId}:${state}`;
		const minute = stored[key];
		return (typeof minute === 'number' && minute >= oldestMinute) || seen?.has(key) === true;
	});
}
