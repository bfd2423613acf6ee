import type { IDataObject } from 'n8n-workflow';

import {
	callbackDigestOf,
	createIdentity,
	addCredits,
	creditsSpent,
	findCreate,
	forgetCreate,
	recordCreate,
	settleCreate,
	type CreateInput,
} from '../../../../nodes/Seedance/domain/ledger';

const input: CreateInput = {
	itemIndex: 1,
	json: { prompt: 'a dancer' },
	pairedItem: { item: 1 },
	source: { previousNode: 'Read CSV', previousNodeOutput: 0, previousNodeRun: 0 },
};

describe('the create ledger', () => {
	it('names a create by its input item and where it came from, never by run index or body', () => {
		expect(createIdentity(input)).toBe(createIdentity({ ...input, json: { prompt: 'a dancer' } }));
		expect(createIdentity(input)).not.toBe(createIdentity({ ...input, itemIndex: 2 }));
		expect(createIdentity(input)).not.toBe(createIdentity({ ...input, json: { prompt: 'b' } }));
		expect(createIdentity(input)).not.toBe(createIdentity({ ...input, pairedItem: { item: 2 } }));
		// A loop's next pass: the same item from the next run of the node before.
		const nextPass = { ...input.source!, previousNodeRun: 1 };
		expect(createIdentity(input)).not.toBe(createIdentity({ ...input, source: nextPass }));
	});

	it('tells files apart by their stored id or their bytes', () => {
		const file = (data: string, id?: string) => ({ data: { data, mimeType: 'image/png', id } });
		const withFile = (binary: CreateInput['binary']) => createIdentity({ ...input, binary });
		expect(withFile(file('AAAA'))).toBe(withFile(file('AAAA')));
		expect(withFile(file('AAAA'))).not.toBe(withFile(file('BBBB')));
		expect(withFile(file('', 'filesystem-v2:1'))).not.toBe(withFile(file('', 'filesystem-v2:2')));
	});

	it('keeps a digest of the callback URL, not the URL and its token', () => {
		const url = 'https://n8n.example/webhook/abc/callback?seedance_token=secret-token-1234';
		const context: IDataObject = {};
		recordCreate(context, 'k', { taskId: 't', credits: 8, callbackDigest: callbackDigestOf(url) });
		expect(JSON.stringify(context)).not.toContain('secret-token');
		expect(findCreate(context, 'k')?.callbackDigest).toBe(callbackDigestOf(url));
		expect(callbackDigestOf(url)).not.toBe(callbackDigestOf(`${url}x`));
	});

	it('remembers tasks; the execution-wide sum of credits adds and takes back', () => {
		const context: IDataObject = {};
		expect(findCreate(context, 'k1')).toBeUndefined();
		recordCreate(context, 'k1', { taskId: 't1', credits: 28 });
		recordCreate(context, 'k2', { credits: 8 });
		expect(findCreate(context, 'k1')).toEqual({ taskId: 't1', credits: 28 });
		expect(findCreate(context, 'k2')?.taskId).toBeUndefined();
		const flow: IDataObject = {};
		addCredits(flow, 28);
		addCredits(flow, 8);
		addCredits(flow, -8);
		expect(creditsSpent(flow)).toBe(28);
		expect(creditsSpent({ seedanceCreditsSpent: 'x' })).toBe(0);
	});
});

// Each of these pins a line that the tests above ran without checking (mutation testing,
// docs/mutation.md).
describe('the create ledger, edges', () => {
	const withFile = (file: Record<string, unknown>) =>
		createIdentity({ ...input, binary: { data: { mimeType: 'image/png', data: '', ...file } } });

	it('is the same file after n8n moves it to the execution folder; a file name or output index counts', () => {
		const stored = (execution: string) => ({
			id: `filesystem-v2:workflows/1/executions/${execution}/binary_data/f1`,
		});
		expect(withFile(stored('temp'))).toBe(withFile(stored('390')));
		expect(withFile({ fileName: 'a.png' })).not.toBe(withFile({ fileName: 'b.png' }));
		expect(withFile({ data: undefined })).toBe(withFile({ data: '' }));
		const output1 = { ...input.source!, previousNodeOutput: 1 };
		expect(createIdentity(input)).not.toBe(createIdentity({ ...input, source: output1 }));
	});

	it('keeps its records and credits under fixed names, saved with the execution', () => {
		// Renamed, an execution saved before would be retried with its paid creates forgotten.
		const context: IDataObject = {};
		recordCreate(context, 'k', { credits: 8 });
		expect(Object.keys(context)).toEqual(['seedanceCreateRecords']);
		const flow: IDataObject = {};
		addCredits(flow, 8);
		expect(flow).toEqual({ seedanceCreditsSpent: 8 });
		expect(callbackDigestOf(undefined)).toBeUndefined();
		expect(callbackDigestOf('https://n8n.example/webhook-waiting/41')).toBe(
			'Z7xUtL0MRJKQXWL0Mzq1EJOul0ZAOwzhs22WeETelJ8',
		);
	});

	it('reads a damaged record store as empty, and no record that is not an object', () => {
		const nulled: IDataObject = { seedanceCreateRecords: null };
		expect(findCreate(nulled, 'k')).toBeUndefined();
		recordCreate(nulled, 'k', { credits: 8 });
		expect(findCreate(nulled, 'k')).toEqual({ credits: 8 });
		const odd: IDataObject = { seedanceCreateRecords: { text: 'x', empty: null } };
		expect(findCreate(odd, 'text')).toBeUndefined();
		expect(findCreate(odd, 'empty')).toBeUndefined();
	});

	it('settles and forgets only creates it recorded', () => {
		const context: IDataObject = {};
		recordCreate(context, 'k', { credits: 8 });
		settleCreate(context, 'k', { taskId: 't' });
		expect(findCreate(context, 'k')).toEqual({ taskId: 't', credits: 8 });
		settleCreate(context, 'other', { taskId: 'u' });
		expect(findCreate(context, 'other')).toBeUndefined();
		forgetCreate(context, 'other');
		forgetCreate(context, 'k');
		expect(findCreate(context, 'k')).toBeUndefined();
		expect(context).toEqual({ seedanceCreateRecords: {} });
	});
});
