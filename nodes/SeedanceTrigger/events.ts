import { describeValue } from '../shared/domain/invalidParameter';
import type { TaskState } from '../shared/domain/task';

const CALLBACK_EVENTS = ['anyTerminal', 'succeeded', 'unsuccessful'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

export const isCallbackEvent = (value: unknown): value is CallbackEvent =>
	(CALLBACK_EVENTS as readonly unknown[]).includes(value);

/** What is wrong with a "Trigger On" value that is none of its choices (from an expression). */
export const unknownEventMessage = (value: unknown): string =>
	`"Trigger On" is ${describeValue(value)}, which is not one of its choices`;

/** Whether a task in this (terminal) state is one the trigger was told to fire on. */
export function eventMatches(event: CallbackEvent, state: TaskState): boolean {
	if (event === 'succeeded') return state === 'succeeded';
	if (event === 'unsuccessful')
		return state === 'failed' || state === 'cancelled' || state === 'expired';
	return true;
}
