import type { IExecuteFunctions } from 'n8n-workflow';

import { cancelSignalOf, pause } from '../../../shared/domain/timing';

/**
 * n8n's deduplication store reads and rewrites a node's whole row on every call, so two queue-mode
 * workers writing at once erase each other's entries. Creating a row is its one atomic step (the
 * row's key is unique), so the workflow's own row is a lock: it exists while one process writes.
 */
const LOCK = { mode: 'latestIncrementalKey' } as const;

/** Far below any number a Remove Duplicates node keeps: a row near it is one of ours. */
const FLOOR = -(2 ** 52);

export interface LockTiming {
	/** A lock seen held this long with no gap was left by a process that died: it is broken. */
	staleMs: number;
	/** A row that is not a lock (a Remove Duplicates node of the workflow) for this long: no lock. */
	foreignMs: number;
}

export const LOCK_TIMING: LockTiming = { staleMs: 30_000, foreignMs: 5_000 };

/** Workflows whose row belongs to a Remove Duplicates node: this process writes without a lock. */
const foreignRows = new Set<string>();

type Attempt = 'acquired' | 'held' | 'foreign' | Error;

async function tryAcquire(context: IExecuteFunctions): Promise<Attempt> {
	const stamp = FLOOR + Date.now();
	try {
		const answer = await context.helpers.checkProcessedAndRecord([FLOOR, stamp], 'workflow', LOCK);
		const fresh = new Set(answer.new.map(Number));
		// Only a new row takes FLOOR as new; an existing lock takes the later stamp (ours on its clock).
		if (fresh.has(FLOOR)) return 'acquired';
		return fresh.has(stamp) ? 'held' : 'foreign';
	} catch (error) {
		// A row saved in another mode is a Remove Duplicates node's; anything else is a row being made.
		if (/incompatible/i.test((error as Error).message ?? '')) return 'foreign';
		return error instanceof Error ? error : new Error(String(error));
	}
}

/**
 * Runs `work` while this workflow's lock row is held, so no other n8n process writes the store.
 * Only a `stoppable` wait ends at Stop: what a create became is written down even then.
 */
export async function withStoreLock<T>(
	context: IExecuteFunctions,
	work: () => Promise<T>,
	{ stoppable = false, timing = LOCK_TIMING }: { stoppable?: boolean; timing?: LockTiming } = {},
): Promise<T> {
	const workflow = String(context.getWorkflow().id ?? '');
	if (foreignRows.has(workflow)) return await work();
	let since = Date.now();
	let failingSince: number | undefined;
	for (let polls = 0; ; polls++) {
		const attempt = await tryAcquire(context);
		if (attempt === 'acquired') break;
		const now = Date.now();
		if (attempt instanceof Error) {
			// Two rows made at one instant: the other process won. A store that keeps failing: give up.
			failingSince ??= now;
			if (now - failingSince >= timing.staleMs) throw attempt;
			since = now;
		} else failingSince = undefined;
		if (attempt === 'foreign' && now - since >= timing.foreignMs) {
			foreignRows.add(workflow);
			return await work();
		}
		if (attempt === 'held' && now - since >= timing.staleMs) {
			await context.helpers.clearAllProcessedItems('workflow', LOCK);
			since = Date.now();
			continue;
		}
		const signal = stoppable ? cancelSignalOf(context) : undefined;
		await pause(Math.min(25 * 2 ** Math.min(polls, 3), 200), signal);
	}
	try {
		return await work();
	} finally {
		await context.helpers.clearAllProcessedItems('workflow', LOCK).catch(() => undefined);
	}
}
