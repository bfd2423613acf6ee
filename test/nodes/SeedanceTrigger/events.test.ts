import { eventMatches, isCallbackEvent } from '../../../nodes/SeedanceTrigger/events';

describe('eventMatches', () => {
	it.each([
		['anyTerminal', ['succeeded', 'failed', 'cancelled', 'expired'], []],
		['succeeded', ['succeeded'], ['failed', 'cancelled', 'expired']],
		['unsuccessful', ['failed', 'cancelled', 'expired'], ['succeeded']],
	] as const)('%s', (event, fires, ignores) => {
		for (const state of fires) expect(eventMatches(event, state)).toBe(true);
		for (const state of ignores) expect(eventMatches(event, state)).toBe(false);
	});
});

describe('isCallbackEvent', () => {
	it('knows the three choices of "Trigger On" and nothing else', () => {
		for (const event of ['anyTerminal', 'succeeded', 'unsuccessful'])
			expect(isCallbackEvent(event)).toBe(true);
		for (const other of ['everything', '', undefined, 1, 'SUCCEEDED'])
			expect(isCallbackEvent(other)).toBe(false);
	});
});
