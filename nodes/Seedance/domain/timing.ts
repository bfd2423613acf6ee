import { sleep } from 'n8n-workflow';
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

/** Thrown when the user stops the execution while the node waits or requests. */
export class ExecutionStopped extends Error {
	constructor() {
		super('The execution was stopped');
	}
}

export function cancelSignalOf(
	context: IExecuteFunctions | IWebhookFunctions,
): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

export function throwIfStopped(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new ExecutionStopped();
}

/**
 * Waits `ms` unless the execution is stopped first. n8n-workflow 2.x's sleep takes the signal;
 * 1.x's ignores it, so waits are cut into one-second slices that re-check the signal.
 */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
	const end = Date.now() + ms;
	for (;;) {
		throwIfStopped(signal);
		const left = end - Date.now();
		if (left <= 0) return;
		const interrupted = await sleep(signal ? Math.min(left, 1000) : left, signal).then(
			() => false,
			() => true,
		);
		if (interrupted) throw new ExecutionStopped();
	}
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Settles a promise into a value or an error. A stop of the execution is never an item's
 * failure: it is thrown on, so the whole node stops.
 */
export async function attempt<T>(promise: Promise<T>): Promise<Attempt<T>> {
	const settled = await promise.then(
		(value): Attempt<T> => ({ ok: true, value }),
		(error: unknown): Attempt<T> => ({ ok: false, error }),
	);
	if (!settled.ok && settled.error instanceof ExecutionStopped) throw new ExecutionStopped();
	return settled;
}

/**
 * Runs `worker` over `inputs` with at most `limit` at once; results keep the input order. A
 * failure (a stop) does not end the batch before every input had its turn: a create queued when
 * the execution stops is taken back by its worker, not left recorded as sent. Then the first
 * failure is thrown.
 */
export async function mapWithLimit<T, R>(
	inputs: readonly T[],
	limit: number,
	worker: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(inputs.length);
	const failures: unknown[] = [];
	let next = 0;
	const lanes = Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, async () => {
		while (next < inputs.length) {
			const index = next++;
			await worker(inputs[index], index).then(
				(result) => (results[index] = result),
				(error: unknown) => failures.push(error),
			);
		}
	});
	await Promise.all(lanes);
	if (failures.length > 0) throw failures[0];
	return results;
}
