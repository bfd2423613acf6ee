import type { IDataObject } from 'n8n-workflow';

import { REMEMBERED_DELIVERIES, isFirstDelivery } from '../../../nodes/SeedanceTrigger/deliveries';

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

	it('keeps a bounded memory, forgetting the oldest first', () => {
		const data: IDataObject = {};
		for (let index = 0; index <= REMEMBERED_DELIVERIES; index++)
			isFirstDelivery(data, 'wf/e', `t${index}:succeeded`);
		const list = data.recentDeliveries as string[];
		expect(list).toHaveLength(REMEMBERED_DELIVERIES);
		expect(list[0]).toBe('t1:succeeded');
		expect(isFirstDelivery(data, 'wf/e', `t${REMEMBERED_DELIVERIES}:succeeded`)).toBe(false);
	});
});
