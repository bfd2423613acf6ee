import { sleep } from 'n8n-workflow';
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

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

/** Waits `ms` unless stopped; n8n-workflow 1.x's sleep ignores the signal, so waits are sliced. */
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

/** Settles a promise into a value or an error; a stop is thrown on, never an item's failure. */
export async function attempt<T>(promise: Promise<T>): Promise<Attempt<T>> {
	const settled = await promise.then(
		(value): Attempt<T> => ({ ok: true, value }),
		(error: unknown): Attempt<T> => ({ ok: false, error }),
	);
	if (!settled.ok && settled.error instanceof ExecutionStopped) throw new ExecutionStopped();
	return settled;
}

/** At most `limit` at once, in order; after a stop every input still runs (to take creates back). */
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
