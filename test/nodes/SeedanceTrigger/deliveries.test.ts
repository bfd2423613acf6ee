import type { IDataObject } from 'n8n-workflow';

import {
	REMEMBERED_DELIVERIES,
	REMEMBER_FOR_DAYS,
	REMEMBERED_TRIGGERS,
	isFirstDelivery,
	wasDelivered,
} from '../../../nodes/SeedanceTrigger/deliveries';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('isFirstDelivery', () => {
	it('takes a task state once, per trigger', () => {
		const data: IDataObject = {};
		expect(isFirstDelivery(data, 'wf/a', 't1:succeeded')).toBe(true);
		expect(isFirstDelivery(data, 'wf/a', 't1:succeeded')).toBe(false);
		expect(isFirstDelivery(data, 'wf/a', 't1:failed')).toBe(true);
		expect(isFirstDelivery({}, 'wf/b', 't1:succeeded')).toBe(true);
	});

	it('remembers across restarts through static data alone', () => {
		const data: IDataObject = {};
		isFirstDelivery(data, 'wf/c', 't9:succeeded');
		const reloaded = JSON.parse(JSON.stringify(data)) as IDataObject;
		expect(isFirstDelivery(reloaded, 'wf/after-restart', 't9:succeeded')).toBe(false);
	});

	it('catches two copies arriving together, when both read the same stored data', () => {
		const stored: IDataObject = {};
		const first = isFirstDelivery(structuredClone(stored), 'wf/d', 't2:succeeded');
		const second = isFirstDelivery(structuredClone(stored), 'wf/d', 't2:succeeded');
		expect([first, second]).toEqual([true, false]);
	});

	it('refuses a replay that comes after 1,000 other deliveries, and after a restart', () => {
		let data: IDataObject = {};
		isFirstDelivery(data, 'wf/e', 'replayed:succeeded');
		for (let index = 0; index < 1000; index++) isFirstDelivery(data, 'wf/e', `t${index}:succeeded`);
		data = JSON.parse(JSON.stringify(data)) as IDataObject;
		expect(isFirstDelivery(data, 'wf/e-restarted', 'replayed:succeeded')).toBe(false);
	});

	/** Static data as it looks after `count` deliveries one minute apart, the first at `start`. */
	function storedAfter(count: number, start: number): IDataObject {
		const firstMinute = Math.floor(start / 60_000);
		const entries = Array.from({ length: count }, (_, index) => [
			`t${index}:succeeded`,
			firstMinute + index,
		]);
		return { deliveredTasks: Object.fromEntries(entries) as IDataObject };
	}

	it(`forgets after ${REMEMBER_FOR_DAYS} days or ${REMEMBERED_DELIVERIES} deliveries, oldest first`, () => {
		const start = Date.UTC(2026, 0, 1);
		const data: IDataObject = {};
		isFirstDelivery(data, 'wf/f', 'old:succeeded', start);
		isFirstDelivery(data, 'wf/f', 'newer:succeeded', start + DAY_MS);
		const later = start + (REMEMBER_FOR_DAYS + 0.5) * DAY_MS;
		isFirstDelivery(data, 'wf/f', 'today:succeeded', later);
		expect(Object.keys(data.deliveredTasks as object)).toEqual([
			'newer:succeeded',
			'today:succeeded',
		]);

		const full = storedAfter(REMEMBERED_DELIVERIES, start);
		const afterLast = start + REMEMBERED_DELIVERIES * 60_000;
		// 10,000 deliveries later, within the days kept: still a replay.
		expect(isFirstDelivery(full, 'wf/g', 't10000:succeeded', afterLast)).toBe(false);
		expect(isFirstDelivery(full, 'wf/g', 'next:succeeded', afterLast)).toBe(true);
		const kept = Object.keys(full.deliveredTasks as object);
		expect(kept).toHaveLength(REMEMBERED_DELIVERIES);
		expect(kept[0]).toBe('t1:succeeded');
		expect(kept.at(-1)).toBe('next:succeeded');
	});
});

describe('wasDelivered', () => {
	it('tells, from memory alone, whether a task was delivered in any finished state, within the bounds', () => {
		const data: IDataObject = {};
		const now = Date.now();
		expect(wasDelivered(data, 'wf/w', 't1', now)).toBe(false);
		isFirstDelivery(data, 'wf/w', 't1:failed', now);
		expect(wasDelivered(data, 'wf/w', 't1', now)).toBe(true);
		const reloaded = JSON.parse(JSON.stringify(data)) as IDataObject;
		expect(wasDelivered(reloaded, 'wf/after-restart', 't1', now)).toBe(true);
		expect(wasDelivered(reloaded, 'wf/after-restart', 't2', now)).toBe(false);
		// Past the memory's bound of days: read again (README: the real bounds).
		expect(
			wasDelivered(reloaded, 'wf/after-restart', 't1', now + (REMEMBER_FOR_DAYS + 1) * DAY_MS),
		).toBe(false);
	});
});

describe('the memory this process keeps', () => {
	it('puts every delivery it knows into the static data each recording request saves', () => {
		// Two requests load the same saved data; the one that records first saves last.
		const saved = { deliveredTasks: { 'before:succeeded': Math.floor(Date.now() / 60_000) } };
		const first: IDataObject = structuredClone(saved);
		const second: IDataObject = structuredClone(saved);
		expect(isFirstDelivery(first, 'wf/m', 'a:succeeded')).toBe(true);
		expect(isFirstDelivery(second, 'wf/m', 'b:succeeded')).toBe(true);
		const lastSave = JSON.parse(JSON.stringify(first)) as IDataObject;
		expect(Object.keys(lastSave.deliveredTasks as object)).toEqual([
			'before:succeeded',
			'a:succeeded',
			'b:succeeded',
		]);
	});

	it('merges what another process saved, oldest first, within the bounds', () => {
		const now = Date.UTC(2026, 5, 1);
		const minute = Math.floor(now / 60_000);
		const mine: IDataObject = {};
		isFirstDelivery(mine, 'wf/n', 'mine:succeeded', now);
		const theirs: IDataObject = {
			deliveredTasks: {
				'older:failed': minute - 10,
				'expired:succeeded': minute - (REMEMBER_FOR_DAYS + 1) * 24 * 60,
				'mine:succeeded': minute,
			},
		};
		expect(wasDelivered(theirs, 'wf/n', 'older', now)).toBe(true);
		expect(wasDelivered(theirs, 'wf/n', 'expired', now)).toBe(false);
		isFirstDelivery(theirs, 'wf/n', 'next:succeeded', now);
		expect(Object.keys(theirs.deliveredTasks as object)).toEqual([
			'older:failed',
			'mine:succeeded',
			'next:succeeded',
		]);
	});

	it(`keeps the memory of at most ${REMEMBERED_TRIGGERS} triggers; a forgotten one reads its static data again`, () => {
		const data: IDataObject = {};
		isFirstDelivery(data, 'wf/first', 'x:succeeded');
		for (let index = 0; index < REMEMBERED_TRIGGERS; index++)
			isFirstDelivery({}, `wf/other-${index}`, 'y:succeeded');
		expect(isFirstDelivery({}, 'wf/first', 'x:succeeded')).toBe(true);
		expect(isFirstDelivery(structuredClone(data), 'wf/first', 'x:succeeded')).toBe(false);
	});
});

describe('the bounds, to the minute', () => {
	const start = Date.UTC(2026, 2, 1, 12, 0, 30);
	const lastDay = start + REMEMBER_FOR_DAYS * DAY_MS;
	const minute = Math.floor(start / 60_000);

	it(`remembers a delivery through its ${REMEMBER_FOR_DAYS}th day, to the minute, and not a minute longer`, () => {
		const data: IDataObject = {};
		isFirstDelivery(data, 'wf/edge', 'old:succeeded', start);
		expect(wasDelivered(data, 'wf/edge', 'old', lastDay)).toBe(true);
		isFirstDelivery(data, 'wf/edge', 'other:succeeded', lastDay);
		expect(Object.keys(data.deliveredTasks as object)).toEqual([
			'old:succeeded',
			'other:succeeded',
		]);
		expect(wasDelivered(data, 'wf/edge', 'old', lastDay + 60_000)).toBe(false);
		expect(isFirstDelivery(data, 'wf/edge', 'old:succeeded', lastDay + 60_000)).toBe(true);
	});

	it('merges what another process saved on the last minute it is kept', () => {
		const theirs: IDataObject = { deliveredTasks: { 'old:succeeded': minute } };
		expect(wasDelivered(theirs, 'wf/edge-merge', 'old', lastDay)).toBe(true);
	});

	it('merges no entry that is not a delivery minute, nor one that has expired', () => {
		const now = start + DAY_MS;
		const theirs: IDataObject = {
			deliveredTasks: {
				'kept:succeeded': minute,
				'bad:succeeded': 'yesterday',
				'null:failed': null,
				'expired:succeeded': minute - REMEMBER_FOR_DAYS * 24 * 60 - 1,
			},
		};
		expect(isFirstDelivery(theirs, 'wf/odd-entries', 'next:succeeded', now)).toBe(true);
		expect(Object.keys(theirs.deliveredTasks as object)).toEqual([
			'kept:succeeded',
			'next:succeeded',
		]);
	});

	it('ignores saved deliveries that are no object of task states (a list)', () => {
		const now = start + DAY_MS;
		const data: IDataObject = { deliveredTasks: [minute, minute] };
		expect(isFirstDelivery(data, 'wf/list', 'next:succeeded', now)).toBe(true);
		expect(data.deliveredTasks).toEqual({ 'next:succeeded': Math.floor(now / 60_000) });
	});

	it(`keeps ${REMEMBERED_DELIVERIES} deliveries when merging another process's, even when only asked`, () => {
		// Theirs fill the bound; one more of this process's: the oldest of theirs goes.
		const firstMinute = minute;
		const theirs: IDataObject = {
			deliveredTasks: Object.fromEntries(
				Array.from({ length: REMEMBERED_DELIVERIES }, (_, index) => [
					`t${index}:succeeded`,
					firstMinute + index,
				]),
			) as IDataObject,
		};
		const now = start + REMEMBERED_DELIVERIES * 60_000;
		isFirstDelivery({}, 'wf/full-merge', 'mine:succeeded', now);
		expect(wasDelivered(theirs, 'wf/full-merge', 't0', now)).toBe(false);
		expect(wasDelivered(theirs, 'wf/full-merge', 't1', now)).toBe(true);
		expect(wasDelivered(theirs, 'wf/full-merge', 'mine', now)).toBe(true);
	});

	it(`keeps the memory of ${REMEMBERED_TRIGGERS} triggers, the one used last kept longest`, () => {
		isFirstDelivery({}, 'wf/lru-first', 'x:succeeded');
		for (let index = 0; index < REMEMBERED_TRIGGERS - 1; index++)
			isFirstDelivery({}, `wf/lru-other-${index}`, 'y:succeeded');
		// 32 triggers now: the first is still remembered, and using it makes it the newest.
		expect(wasDelivered({}, 'wf/lru-first', 'x')).toBe(true);
		isFirstDelivery({}, 'wf/lru-one-more', 'y:succeeded');
		expect(isFirstDelivery({}, 'wf/lru-first', 'x:succeeded')).toBe(false);
		expect(isFirstDelivery({}, 'wf/lru-other-0', 'y:succeeded')).toBe(true);
	});
});
