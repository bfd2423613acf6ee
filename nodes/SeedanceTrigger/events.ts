import type { TaskState } from '../Seedance/domain/task';

export type CallbackEvent = 'anyTerminal' | 'succeeded' | 'unsuccessful';

/** Whether a task in this (terminal) state is one the trigger was told to fire on. */
export function eventMatches(event: CallbackEvent, state: TaskState): boolean {
	if (event === 'succeeded') return state === 'succeeded';
	if (event === 'unsuccessful')
		return state === 'failed' || state === 'cancelled' || state === 'expired';
	return true;
}
