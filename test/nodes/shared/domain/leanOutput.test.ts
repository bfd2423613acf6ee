import { leanItems } from '../../../../nodes/shared/domain/leanOutput';
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
	const generate = (parameters: Record<string, unknown> = {}) =>
		seedanceNode({
			resource: 'video',
			operation: 'generate',
			prompt: 'A dancer',
			options: { ...FAST, downloadVideo: false },
			...parameters,
		});

	it('on by default: no raw answer; off keeps it', async () => {
		const items = itemsNode([{ json: {} }, { json: {} }]);
		const lean = await runWorkflow([items, generate()], { credentials: credentials() });
		const full = await runWorkflow([items, generate({ simplify: false })], {
			credentials: credentials(),
		});
		for (const output of lean.output('Seedance')) {
			expect(output.json).toMatchObject({ state: 'succeeded', videoUrl: expect.any(String) });
			expect(output.json).not.toHaveProperty('raw');
		}
		for (const output of full.output('Seedance')) expect(output.json.raw).toBeDefined();
		const leanBytes = JSON.stringify(lean.output('Seedance')).length;
		const fullBytes = JSON.stringify(full.output('Seedance')).length;
		expect(leanBytes).toBeLessThan(fullBytes);
	});

	it('reads Wait for Completion from the panel: off outputs the task at once', async () => {
		const result = await runWorkflow(
			[itemsNode([{ json: {} }]), generate({ waitForCompletion: false })],
			{ credentials: credentials() },
		);
		expect(result.output('Seedance')[0].json).toMatchObject({
			state: expect.stringMatching(/queued|running/),
		});
		expect(emulator.count('status')).toBe(0);
	});

	it('ignores wait settings left in Options (where no version keeps them)', async () => {
		const result = await runWorkflow(
			[
				itemsNode([{ json: {} }]),
				generate({ options: { ...FAST, downloadVideo: false, waitForCompletion: false } }),
			],
			{ credentials: credentials() },
		);
		expect(result.output('Seedance')[0].json).toMatchObject({ state: 'succeeded' });
	});
});
