import { leanItems } from '../../../../nodes/Seedance/waiting/leanOutput';
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { FAST, useEmulator } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 200 });

describe('leanItems', () => {
	const item = {
		json: { taskId: 't1', state: 'succeeded', raw: { data: { big: 'answer' } } },
		binary: { data: { data: '', mimeType: 'video/mp4' } },
		pairedItem: { item: 0 },
	};

	it('leaves out raw when simplifying, binary data only for an agent', () => {
		expect(leanItems([item], { simplify: false })).toEqual([item]);
		expect(leanItems([item], { simplify: true })).toEqual([
			{ ...item, json: { taskId: 't1', state: 'succeeded' } },
		]);
		expect(leanItems([item], { simplify: true, jsonOnly: true })).toEqual([
			{ json: { taskId: 't1', state: 'succeeded' }, pairedItem: { item: 0 } },
		]);
	});
});

describe('Simplify in a workflow', () => {
	const generate = (typeVersion: number, parameters: Record<string, unknown> = {}) =>
		seedanceNode(
			{
				resource: 'video',
				operation: 'generate',
				prompt: 'A dancer',
				options: { ...FAST, downloadVideo: false },
				...parameters,
			},
			{ typeVersion },
		);

	it('a new node (1.1) outputs no raw answer; a saved version 1 node keeps it', async () => {
		const items = itemsNode([{ json: {} }, { json: {} }]);
		const lean = await runWorkflow([items, generate(1.1)], { credentials: credentials() });
		const full = await runWorkflow([items, generate(1)], { credentials: credentials() });
		for (const output of lean.output('Seedance')) {
			expect(output.json).toMatchObject({ state: 'succeeded', videoUrl: expect.any(String) });
			expect(output.json).not.toHaveProperty('raw');
		}
		for (const output of full.output('Seedance')) expect(output.json.raw).toBeDefined();
		const leanBytes = JSON.stringify(lean.output('Seedance')).length;
		const fullBytes = JSON.stringify(full.output('Seedance')).length;
		expect(leanBytes).toBeLessThan(fullBytes);
	});

	it('Simplify off in 1.1 keeps the raw answer', async () => {
		const result = await runWorkflow(
			[itemsNode([{ json: {} }]), generate(1.1, { simplify: false })],
			{
				credentials: credentials(),
			},
		);
		expect(result.output('Seedance')[0].json.raw).toBeDefined();
	});

	it('version 1.1 reads Wait for Completion from the panel: off outputs the task at once', async () => {
		const result = await runWorkflow(
			[itemsNode([{ json: {} }]), generate(1.1, { waitForCompletion: false })],
			{ credentials: credentials() },
		);
		expect(result.output('Seedance')[0].json).toMatchObject({
			state: expect.stringMatching(/queued|running/),
		});
		expect(emulator.count('status')).toBe(0);
	});
});
