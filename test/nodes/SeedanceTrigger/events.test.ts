import { eventMatches } from '../../../nodes/SeedanceTrigger/events';

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
