/**
 * Ways around Max Credits that no table listed. Extra Body Fields are fields the node does not
 * know (kling-3's `sound` or `multi_shots`, a count of videos): with Seedance and a limit, the
 * estimate cannot vouch for them, so the request is refused with nothing sent. And 0 is "no limit"
 * only when typed in the field: an expression giving 0 (a remaining budget used up) is a limit.
 */
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

const generate = (options: Record<string, unknown>) =>
	runWorkflow(
		[
			itemsNode([{ json: {} }]),
			seedanceNode({
				resource: 'video',
				operation: 'generate',
				prompt: 'A dancer',
				waitForCompletion: false,
				options: { ...FAST, ...options },
			}),
		],
		{ credentials: credentials() },
	);

describe('Max Credits with Extra Body Fields', () => {
	it.each([['{"sound": true}'], ['{"n": 4}'], ['{"multi_shots": true}']])(
		'Seedance with %s and a limit of 28 is refused, nothing sent',
		async (extraBodyFields) => {
			const result = await generate({ maxCredits: 28, extraBodyFields });
			expect(result.errorOf('Seedance')?.message).toContain('cannot estimate');
			expect(result.errorOf('Seedance')?.message).toContain('Extra Body Fields');
			expect(emulator.requests).toHaveLength(0);
		},
	);

	it('without a limit they are sent, and the estimate says it does not know (null)', async () => {
		const result = await generate({ extraBodyFields: '{"sound": true}' });
		expect(emulator.requests[0].body).toMatchObject({ sound: true });
		expect(result.output('Seedance')[0].json.estimatedCredits).toBeNull();
	});

	it('an empty object is no extra field: priced as usual', async () => {
		const result = await generate({ maxCredits: 28, extraBodyFields: '{}' });
		expect(result.output('Seedance')[0].json.estimatedCredits).toBe(28);
	});
});

describe('Max Credits 0 from an expression', () => {
	it.each([['={{ $json.remaining }}'], ['={{ 0 }}'], ['={{ "0" }}']])(
		'%s giving 0 (a remaining budget used up) is a limit of 0, not "no limit": nothing sent',
		async (maxCredits) => {
			const result = await runWorkflow(
				[
					itemsNode([{ json: { remaining: 0 } }]),
					seedanceNode({
						resource: 'video',
						operation: 'generate',
						prompt: 'A dancer',
						waitForCompletion: false,
						options: { ...FAST, maxCredits },
					}),
				],
				{ credentials: credentials() },
			);
			expect(result.errorOf('Seedance')?.message).toContain('already uses 0 of its 0 credits');
			expect(emulator.requests).toHaveLength(0);
		},
	);
});
