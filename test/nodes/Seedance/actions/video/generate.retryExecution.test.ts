/**
 * n8n's "Retry execution" in n8n-core's real engine: the saved execution data (as the database
 * gives it back) run again from the failed node. The pay-once record travels in that data, so a
 * create already made, or whose answer was lost, is not paid again.
 */
import type {
	IConnections,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { itemsNode, nodeTypes, runWorkflowGraph, seedanceNode } from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 100 });

/** Emits its items as given (a stored binary's reference included), as a Webhook node hands them on. */
class RawItems implements INodeType {
	description = {
		displayName: 'Raw Items',
		name: 'rawItems',
		group: ['input'],
		version: 1,
		description: 'Emits items verbatim',
		defaults: { name: 'Raw Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [JSON.parse(this.getNodeParameter('items', 0) as string) as INodeExecutionData[]];
	}
}
nodeTypes.register('test.rawItems', new RawItems());

const chain = (nodes: INode[]): IConnections =>
	Object.fromEntries(
		nodes
			.slice(0, -1)
			.map((node, index) => [
				node.name,
				{ main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] },
			]),
	);

async function runThenRetry(nodes: INode[], between: (saved: string) => string = (saved) => saved) {
	const first = await runWorkflowGraph(nodes, chain(nodes), { credentials: credentials() });
	expect(first.errorOf('Seedance')).toBeDefined();
	const saved = JSON.parse(between(JSON.stringify(first.run))) as typeof first.run;
	return await runWorkflowGraph(nodes, chain(nodes), {
		credentials: credentials(),
		retryOf: saved,
	});
}

const generate = () =>
	seedanceNode({
		resource: 'video',
		operation: 'generate',
		prompt: '={{ $json.prompt }} at {{ $now.toMillis() }}',
		options: { ...FAST, downloadVideo: false },
	});

describe('Pay once: Retry execution', () => {
	it('a task made by the failed execution is picked up, not paid again', async () => {
		const retried = await runThenRetry([
			itemsNode([{ json: { prompt: 'one [fail]' } }]),
			generate(),
		]);
		expect(retried.errorOf('Seedance')?.message).toContain('failed');
		expect(emulator.count('create')).toBe(1);
	});

	it('a create whose answer was lost is not sent again', async () => {
		emulator.inject('create', { kind: 'resetAfterCreate' });
		const retried = await runThenRetry([itemsNode([{ json: { prompt: 'one' } }]), generate()]);
		expect(emulator.count('create')).toBe(1);
		expect(retried.errorOf('Seedance')?.message).toContain('may already have created');
	});

	it('an item carrying a file stored by a webhook (n8n renames it to the execution when it ends) is the same item', async () => {
		const webhook: INode = {
			id: 'webhook',
			name: 'Webhook',
			type: 'test.rawItems',
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				items: JSON.stringify([
					{
						json: { prompt: 'one' },
						binary: {
							data: {
								id: 'filesystem-v2:workflows/7/executions/temp/binary_data/0b6b0c2e-5d1f-4c55-9c61-8b3f0f6f2a11',
								mimeType: 'image/png',
								fileName: 'upload.png',
								fileSize: '12 kB',
								data: 'filesystem-v2',
							},
						},
					},
				]),
			},
		};
		emulator.inject('create', { kind: 'resetAfterCreate' });
		// n8n's restoreBinaryDataId: a webhook's files get the execution's id in their path when it ends.
		const retried = await runThenRetry([webhook, generate()], (saved) =>
			saved.replaceAll('/executions/temp/', '/executions/390/'),
		);
		expect(emulator.count('create')).toBe(1);
		expect(retried.errorOf('Seedance')?.message).toContain('may already have created');
	});
});
