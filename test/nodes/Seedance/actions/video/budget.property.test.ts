/**
 * The budget is the execution's, not a node run's: generated chains of Generate nodes, each with
 * its own Max Credits per Execution, in n8n-core's real engine. Whatever the chain, an item is made
 * exactly when its estimate fits under its node's limit with what every earlier node run spent.
 */
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { checkProperty, fc } from '../../../../property';
import { FAST, useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 5 });

/** 480p, 4 s, no audio. */
const CREDITS = 8;

const chainArb = fc.record({
	items: fc.integer({ min: 1, max: 3 }),
	/** Each node's limit; 0 typed would mean no limit, so from 1 up. */
	limits: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
});

it('a chain of Generate nodes makes an item exactly when it fits with what the earlier runs spent', async () => {
	await checkProperty(
		'one budget across node runs',
		fc.asyncProperty(chainArb, async ({ items, limits }) => {
			emulator.reset();
			const names = limits.map((_, index) => `Generate ${index + 1}`);
			const nodes = limits.map((maxCredits, index) =>
				seedanceNode(
					{
						resource: 'video',
						operation: 'generate',
						prompt: `={{ "${names[index]} item " + $itemIndex }}`,
						resolution: '480p',
						duration: '4',
						waitForCompletion: false,
						options: { ...FAST, downloadVideo: false, maxCredits },
					},
					{ name: names[index], onError: 'continueRegularOutput' },
				),
			);
			const result = await runWorkflow(
				[itemsNode(Array.from({ length: items }, (_, n) => ({ json: { n } }))), ...nodes],
				{ credentials: credentials() },
			);
			// The model: one running total for the execution, each node's limit checked against it.
			let spent = 0;
			names.forEach((name, index) => {
				const made = result.output(name).map((item) => typeof item.json.taskId === 'string');
				const expected = Array.from({ length: items }, () => {
					const fits = spent + CREDITS <= limits[index];
					if (fits) spent += CREDITS;
					return fits;
				});
				if (JSON.stringify(made) !== JSON.stringify(expected))
					throw new Error(
						`${name} (limit ${limits[index]}) made ${JSON.stringify(made)}, expected ${JSON.stringify(expected)}`,
					);
			});
			if (emulator.count('create') !== spent / CREDITS)
				throw new Error(`${emulator.count('create')} creates for ${spent} credits`);
		}),
		25,
		{ timeLimitMs: 90_000 },
	);
}, 120_000);
