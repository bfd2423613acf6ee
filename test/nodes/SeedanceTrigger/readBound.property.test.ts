/**
 * The trigger's read bound: whatever mix of callbacks, reads under way and time, the reads of
 * tasks the service did not know stay within the bound per minute, and real tasks never use it up.
 */
import { REMEMBERED_TRIGGERS } from '../../../nodes/SeedanceTrigger/deliveries';
import {
	tryReadSlot,
	WASTED_READS_PER_MINUTE as BOUND,
} from '../../../nodes/SeedanceTrigger/readBound';
import { checkProperty, fc } from '../../property';

type Step =
	| { kind: 'callback' }
	| { kind: 'answer'; which: number; known: boolean }
	| { kind: 'time'; ms: number };

// Mostly callbacks and answers (a quarter of tasks real), time moving now and then: floods that
// reach the bound within a minute, and minutes that end with reads under way.
const step: fc.Arbitrary<Step> = fc.oneof(
	{ arbitrary: fc.constant({ kind: 'callback' as const }), weight: 50 },
	{
		arbitrary: fc.record({
			kind: fc.constant('answer' as const),
			which: fc.nat(),
			known: fc.integer({ min: 0, max: 3 }).map((roll) => roll === 0),
		}),
		weight: 40,
	},
	{ arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.nat(70_000) }), weight: 1 },
);

const minuteOf = (at: number) => Math.floor(at / 60_000);
let scopes = 0;

describe('reads of unknown tasks per trigger and minute', () => {
	it('are granted exactly while the minute has room, and a refusal names the next minute', async () => {
		await checkProperty(
			'read bound',
			fc.property(
				fc.array(step, { minLength: 300, maxLength: 1200 }),
				fc.nat(10 ** 12),
				(steps, start) => {
					const scope = `wf/${++scopes}`;
					let now = start;
					const underWay: Array<(known: boolean, at: number) => void> = [];
					const unknownByMinute = new Map<number, number>();
					for (const next of steps) {
						if (next.kind === 'time') now += next.ms;
						else if (next.kind === 'callback') {
							const slot = tryReadSlot(scope, now);
							// This minute's unknown tasks and the reads under way leave room, or not.
							const unknown = unknownByMinute.get(minuteOf(now)) ?? 0;
							expect(slot.granted).toBe(unknown + underWay.length < BOUND);
							if (slot.granted) underWay.push(slot.settle);
							else {
								// Spent: no wait helps before the next minute; else reads under way may end.
								expect(slot.spent).toBe(unknown >= BOUND);
								const nextMinute = (minuteOf(now) + 1) * 60_000;
								expect(now + slot.retryAfterSeconds * 1000).toBeGreaterThanOrEqual(nextMinute);
								expect(slot.retryAfterSeconds).toBeLessThanOrEqual(60);
							}
						} else if (underWay.length > 0) {
							const [settle] = underWay.splice(next.which % underWay.length, 1);
							settle(next.known, now);
							// A second settle of the same read changes nothing.
							if (next.which % 2 === 1) settle(next.known, now);
							if (!next.known)
								unknownByMinute.set(minuteOf(now), (unknownByMinute.get(minuteOf(now)) ?? 0) + 1);
						}
					}
					for (const count of unknownByMinute.values()) expect(count).toBeLessThanOrEqual(BOUND);
				},
			),
			100,
		);
	});

	it('are never refused to real tasks read one after another, however many', async () => {
		await checkProperty(
			'real tasks pass',
			fc.property(fc.integer({ min: 1, max: 1000 }), fc.nat(10 ** 12), (count, start) => {
				const scope = `wf/${++scopes}`;
				for (let callback = 0; callback < count; callback++) {
					const slot = tryReadSlot(scope, start + callback);
					expect(slot.granted).toBe(true);
					if (slot.granted) slot.settle(true, start + callback);
				}
			}),
			50,
		);
	});

	// The windows are kept for the 32 most recently used triggers: a busy trigger keeps its count
	// while others come and go, and the memory stays bounded however many triggers there are.
	it('are counted for the most recently used triggers, the least recently used forgotten first', () => {
		const now = 5 * 60_000;
		const spend = (scope: string) => {
			for (let read = 0; read < BOUND; read++) {
				const slot = tryReadSlot(scope, now);
				if (slot.granted) slot.settle(false, now);
			}
		};
		const refused = (scope: string) => !tryReadSlot(scope, now).granted;
		const busy = `lru/${++scopes}`;
		spend(busy);
		// With the busy one, as many triggers as are remembered: it still is.
		for (let other = 1; other < REMEMBERED_TRIGGERS; other++)
			tryReadSlot(`lru/${++scopes}/${other}`, now);
		expect(refused(busy)).toBe(true);
		// Used last (just now), it outlives the older ones when newer triggers come.
		for (let other = 1; other < REMEMBERED_TRIGGERS; other++)
			tryReadSlot(`lru/${++scopes}/new`, now);
		expect(refused(busy)).toBe(true);
		// Once as many newer ones came, it is forgotten: a new window.
		for (let other = 0; other < REMEMBERED_TRIGGERS; other++)
			tryReadSlot(`lru/${++scopes}/last`, now);
		expect(refused(busy)).toBe(false);
	});
});
