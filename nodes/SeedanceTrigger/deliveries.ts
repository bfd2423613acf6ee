import type { IDataObject } from 'n8n-workflow';

/**
 * How many recent deliveries the trigger remembers; a duplicate arrives within minutes, not
 * thousands of tasks later.
 */
export const REMEMBERED_DELIVERIES = 1000;

const STATIC_DATA_KEY = 'recentDeliveries';

/**
 * Deliveries seen by this n8n process, per trigger node. The workflow's static data is the
 * memory that survives restarts, but n8n loads and saves it per request, so two copies of one
 * callback arriving at the same moment would both find it empty; this catches those.
 */
const inProcess = new Map<string, Set<string>>();

function remember(list: string[], key: string): string[] {
	const next = [...list, key];
	return next.length > REMEMBERED_DELIVERIES
		? next.slice(next.length - REMEMBERED_DELIVERIES)
		: next;
}

/**
 * Records a delivery (`taskId:state`) and tells whether it is the first one. The same task
 * reaching the same state twice is a duplicate; the same task reaching another state is not.
 */
export function isFirstDelivery(staticData: IDataObject, scope: string, key: string): boolean {
	const stored = Array.isArray(staticData[STATIC_DATA_KEY])
		? (staticData[STATIC_DATA_KEY] as unknown[]).filter(
				(entry): entry is string => typeof entry === 'string',
			)
		: [];
	const seen = inProcess.get(scope) ?? new Set<string>();
	inProcess.set(scope, seen);
	if (stored.includes(key) || seen.has(key)) return false;
	staticData[STATIC_DATA_KEY] = remember(stored, key);
	seen.add(key);
	if (seen.size > REMEMBERED_DELIVERIES) seen.delete(seen.values().next().value as string);
	return true;
}
