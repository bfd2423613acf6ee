import type { IDataObject } from 'n8n-workflow';

import {
	createKey,
	creditsSpent,
	findCreate,
	recordCreate,
} from '../../../../nodes/Seedance/domain/ledger';

const body = { model: 'seedance-1-5-pro', prompt: 'a dancer', callback_url: 'https://a/?t=1' };

describe('the create ledger', () => {
	it('keys a create by run, item and request, not by its callback URL', () => {
		expect(createKey(0, 1, body)).toBe(createKey(0, 1, { ...body, callback_url: 'https://b/' }));
		expect(createKey(0, 1, body)).not.toBe(createKey(1, 1, body));
		expect(createKey(0, 1, body)).not.toBe(createKey(0, 2, body));
		expect(createKey(0, 1, body)).not.toBe(createKey(0, 1, { ...body, prompt: 'a singer' }));
	});

	it('remembers tasks and sums the credits spent', () => {
		const context: IDataObject = {};
		expect(findCreate(context, 'k1')).toBeUndefined();
		recordCreate(context, 'k1', { taskId: 't1', credits: 28 });
		recordCreate(context, 'k2', { credits: 8 });
		expect(findCreate(context, 'k1')).toEqual({ taskId: 't1', credits: 28 });
		expect(findCreate(context, 'k2')?.taskId).toBeUndefined();
		expect(creditsSpent(context)).toBe(36);
	});
});
