/**
 * The in-memory store against n8n's DeduplicationHelper (n8n 2.41.1,
 * dist/deduplication/deduplication-helper.js, handleHashedItems / removeProcessed): within one
 * call it does not deduplicate.
 */
import type { ICheckProcessedContextData } from 'n8n-workflow';

import { deduplicationStore } from './deduplicator';

const context = {
	workflow: { id: 'model', active: false },
	node: { id: 'node' },
} as unknown as ICheckProcessedContextData;

beforeEach(() => deduplicationStore.clear());

// n8n builds `processedItemsSet` once from the stored row and never adds to it in the loop: an item
// twice in one call is new twice, and its digest is stored twice.
it('an item given twice in one call is new twice (and stored twice), as in n8n', async () => {
	await deduplicationStore.checkProcessedAndRecord(['other'], 'node', context, { mode: 'entries' });
	const answer = await deduplicationStore.checkProcessedAndRecord(['x', 'x'], 'node', context, {
		mode: 'entries',
	});
	expect(answer.new).toEqual(['x', 'x']);
	expect(await deduplicationStore.getProcessedDataCount('node', context)).toBe(3);
});

// n8n's removeProcessed takes out one occurrence (findIndex + splice) per item given.
it('removing an item stored twice takes one occurrence out, as in n8n', async () => {
	await deduplicationStore.checkProcessedAndRecord(['other'], 'node', context, { mode: 'entries' });
	await deduplicationStore.checkProcessedAndRecord(['x', 'x'], 'node', context, {
		mode: 'entries',
	});
	await deduplicationStore.removeProcessed(['x'], 'node', context);
	const answer = await deduplicationStore.checkProcessedAndRecord(['x'], 'node', context, {
		mode: 'entries',
	});
	expect(answer.processed).toEqual(['x']);
});
