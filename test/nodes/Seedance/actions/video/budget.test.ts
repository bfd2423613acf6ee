/**
 * The budget door and the strict reading of values from expressions, in n8n-core's real engine:
 * a limit that is not a number from 0 up never reads as "no limit", and values that differ
 * between items are refused, with 0 requests. Then generated attacks of odd expression types.
 */
import type { IExecuteFunctions, NodeOperationError } from 'n8n-workflow';

import {
	maxCreditsField,
	readMaxCredits,
	splitByBudget,
} from '../../../../../nodes/Seedance/actions/video/budget';
import type { Plan } from '../../../../../nodes/Seedance/actions/video/generatePlan';
import { SEEDANCE_MODEL } from '../../../../../nodes/Seedance/domain/generation';
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { checkProperty, fc } from '../../../../property';
import { FAST, useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

async function generate(
	items: Array<Record<string, unknown>>,
	{ waitForCompletion, ...options }: Record<string, unknown>,
) {
	const node = seedanceNode({
		resource: 'video',
		operation: 'generate',
		prompt: '={{ $json.prompt ?? "A dancer" }}',
		waitForCompletion: waitForCompletion ?? true,
		options: { ...FAST, downloadVideo: false, ...options },
	});
	return await runWorkflow([itemsNode(items.map((json) => ({ json }))), node], {
		credentials: credentials(),
	});
}

describe('Max Credits per Execution', () => {
	it('not added, or typed as 0: no limit', async () => {
		await generate([{}, {}], { waitForCompletion: false });
		await generate([{}, {}], { waitForCompletion: false, maxCredits: 0 });
		expect(emulator.count('create')).toBe(4);
	});

	it('a number written as text (a CSV column) is the limit: 56 makes two 28-credit videos of three, the third over budget', async () => {
		const ok = await generate([{ limit: '56' }, { limit: '56' }], {
			waitForCompletion: false,
			maxCredits: '={{ $json.limit }}',
		});
		expect(ok.errorOf('Seedance')).toBeUndefined();
		const refused = await generate([{ limit: '56' }, { limit: '56' }, { limit: '56' }], {
			waitForCompletion: false,
			maxCredits: '={{ $json.limit }}',
		});
		expect(refused.errorOf('Seedance')?.message).toBe(
			'Over budget: the video of item 3 (about 28 credits) was not made; this execution already uses 56 of its 56 credits',
		);
		// The failed node names the two it made, so a re-run can pick them up.
		expect(refused.errorOf('Seedance')?.description).toMatch(/finished in this run|still running/);
		expect(emulator.count('create')).toBe(4);
	});

	it('an expression that gives nothing names the field and what it got, and sends nothing', async () => {
		const result = await generate([{}], { maxCredits: '={{ $json.budget }}' });
		expect(result.errorOf('Seedance')?.message).toBe(
			'Max Credits per Execution must be a number from 0 to 10000000. Got nothing (the expression gave no value).',
		);
		expect(result.errorOf('Seedance')?.description).toContain('Nothing was sent');
		expect(emulator.requests).toHaveLength(0);
	});

	it('items that give different limits are refused, naming both values', async () => {
		const result = await generate([{ limit: 50 }, { limit: 100 }], {
			maxCredits: '={{ $json.limit }}',
		});
		expect(result.errorOf('Seedance')?.message).toContain(
			'Max Credits per Execution differs between items: item 1 gives number 50, item 2 number 100',
		);
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('Wait for Completion from an expression', () => {
	it('"false" (text) does not wait', async () => {
		const result = await generate([{}], { waitForCompletion: '={{ "false" }}' });
		expect(result.output('Seedance')[0].json.state).toMatch(/queued|running/);
		expect(emulator.count('status')).toBe(0);
	});

	it('0 is refused rather than read as "wait"', async () => {
		const result = await generate([{}], { waitForCompletion: '={{ 0 }}' });
		expect(result.errorOf('Seedance')?.message).toBe(
			'Wait for Completion must be true or false. Got number 0.',
		);
		expect(emulator.requests).toHaveLength(0);
	});
});

/** Values an expression can give, of every type the expression language makes. */
const oddValue = fc.oneof(
	fc.constantFrom<unknown>(
		null,
		'',
		' ',
		'abc',
		'1e3',
		'NaN',
		true,
		false,
		'true',
		'false',
		[],
		{},
	),
	fc.integer({ min: -100, max: 400 }),
	fc.double({ min: -10, max: 400, noNaN: true }),
	fc.integer({ min: 0, max: 400 }).map(String),
	fc.constantFrom(4, 8, 12, '4', '8', '12', '480p', '720p'),
);

/** The oracle of a limit: what a strict reader accepts (null: nothing was given). */
function strictLimit(value: unknown): number | 'invalid' {
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())
				? Number(value)
				: NaN;
	return Number.isFinite(number) && number >= 0 && number <= 10_000_000 ? number : 'invalid';
}

it('odd expression types are refused with 0 requests, or sent within the budget', async () => {
	await checkProperty(
		'odd expression values: refused with 0 requests or sent within budget',
		fc.asyncProperty(
			fc.array(
				fc.record({ limit: oddValue, duration: oddValue, resolution: oddValue, audio: oddValue }),
				{ minLength: 1, maxLength: 3 },
			),
			async (rows) => {
				emulator.reset();
				const node = seedanceNode({
					resource: 'video',
					operation: 'generate',
					prompt: 'A dancer',
					duration: '={{ $json.duration }}',
					resolution: '={{ $json.resolution }}',
					generateAudio: '={{ $json.audio }}',
					waitForCompletion: false,
					options: { ...FAST, maxCredits: '={{ $json.limit }}' },
				});
				const result = await runWorkflow([itemsNode(rows.map((json) => ({ json }))), node], {
					credentials: credentials(),
				});
				const creates = emulator.requests.filter((request) => request.route === 'create');
				const limits = rows.map((row) => strictLimit(row.limit));
				const sameLimit = limits.every((limit) => limit === limits[0]);
				if (limits[0] === 'invalid' || !sameLimit) {
					if (emulator.requests.length > 0)
						throw new Error(
							`a bad limit (${JSON.stringify(rows.map((row) => row.limit))}) sent requests`,
						);
					// Refused: for the limit, or for another bad value of the same items found first.
					if (!result.errorOf('Seedance')) throw new Error('a bad limit was not refused');
					return;
				}
				if (result.errorOf('Seedance') && emulator.requests.length > 0)
					throw new Error('the node failed after sending requests');
				const spent = creates.reduce((sum, request) => {
					const body = request.body as {
						resolution: string;
						duration: string;
						generateAudio: boolean;
					};
					const perSecond = body.resolution === '480p' ? 2 : 3.5;
					return sum + perSecond * Number(body.duration) * (body.generateAudio ? 2 : 1);
				}, 0);
				const limit = limits[0];
				if (limit !== 0 && spent > limit) throw new Error(`spent ${spent} over the limit ${limit}`);
				for (const request of creates) {
					const body = request.body as Record<string, unknown>;
					if (
						!['4', '8', '12'].includes(String(body.duration)) ||
						typeof body.generateAudio !== 'boolean'
					)
						throw new Error(`sent an unchecked value: ${JSON.stringify(body)}`);
				}
			},
		),
		60,
		{ timeLimitMs: 90_000 },
	);
}, 120_000);

describe('Max Credits per Execution counts every Seedance node of the execution', () => {
	const node = (name: string, maxCredits: number) =>
		seedanceNode(
			{
				resource: 'video',
				operation: 'generate',
				prompt: `={{ "${name} " + $json.n }}`,
				resolution: '480p',
				duration: '4',
				waitForCompletion: false,
				options: { ...FAST, maxCredits },
			},
			{ name, onError: 'continueRegularOutput' },
		);

	it('two Generate nodes share one budget: 24 credits make three 8-credit videos in all', async () => {
		const result = await runWorkflow(
			[itemsNode([{ json: { n: 1 } }, { json: { n: 2 } }]), node('First', 24), node('Second', 24)],
			{ credentials: credentials() },
		);
		expect(emulator.count('create')).toBe(3);
		expect(result.output('First').map((item) => item.json.executionCredits)).toEqual([16, 16]);
		const second = result.output('Second');
		expect(second[0].json.executionCredits).toBe(24);
		expect(second[1].json).toMatchObject({ error: expect.stringContaining('Over budget') });
		expect(second[1].json.taskId).toBeNull();
	});

	it('with Continue On Fail a refusal of the whole node is an error item per input item, never the input passed on', async () => {
		const result = await runWorkflow(
			[
				itemsNode([{ json: { n: 1 } }, { json: { n: 2 } }]),
				seedanceNode(
					{
						resource: 'video',
						operation: 'generate',
						prompt: 'x',
						waitForCompletion: '={{ $json.n === 1 }}',
						options: FAST,
					},
					{ onError: 'continueRegularOutput' },
				),
			],
			{ credentials: credentials() },
		);
		const output = result.output('Seedance');
		expect(output).toHaveLength(2);
		for (const [index, item] of output.entries()) {
			expect(item.json.n).toBeUndefined();
			expect(item.json.error).toEqual(expect.any(String));
			expect(item.pairedItem).toEqual({ item: index });
		}
		expect(emulator.requests).toHaveLength(0);
	});
});

// The budget door called directly: each of these pins a line that the engine tests above ran
// without checking (mutation testing, docs/mutation.md).
describe('the budget door, directly', () => {
	const contextWith = (typed: Record<string, unknown>) =>
		({
			getNode: () => ({
				id: 'n',
				name: 'Seedance',
				type: 'n8n-nodes-seedance.seedance',
				typeVersion: 1,
				position: [0, 0],
				parameters: { options: typed },
			}),
		}) as unknown as IExecuteFunctions;
	const context = contextWith({});
	const plan = (itemIndex: number, credits: number | null, request = {}): Plan => ({
		itemIndex,
		credits,
		request: {
			model: SEEDANCE_MODEL,
			prompt: 'p',
			aspectRatio: '16:9',
			resolution: '720p',
			duration: '4',
			generateAudio: false,
			fixedLens: false,
			...request,
		},
	});
	const indexes = (plans: Plan[]) => plans.map((each) => each.itemIndex);

	it('lets through, in input order, the creates that fit, and refuses the rest on their own items', () => {
		const split = splitByBudget(context, [plan(2, 8), plan(0, 8), plan(1, 8), plan(3, 8)], 20, 0);
		expect(indexes(split.fits)).toEqual([0, 1]);
		expect(split.refused.map(({ plan: { itemIndex } }) => itemIndex)).toEqual([2, 3]);
		const [{ error }] = split.refused as Array<{ error: NodeOperationError }>;
		expect(error.message).toBe(
			'Over budget: the video of item 3 (about 8 credits) was not made; this execution already uses 16 of its 20 credits',
		);
		expect(error.context.itemIndex).toBe(2);
		expect(error.description).toMatch(/^Nothing was sent for this item and it cost nothing/);
		expect(splitByBudget(context, [plan(0, 8)], 8, 0)).toEqual({ fits: [plan(0, 8)], refused: [] });
		expect(splitByBudget(context, [plan(0, 8)], null, 99)).toEqual({
			fits: [plan(0, 8)],
			refused: [],
		});
	});

	it('refuses a create it cannot price, naming the model or the Extra Body Fields', () => {
		const messageOf = (request: object) => {
			const [{ error }] = splitByBudget(context, [plan(4, null, request)], 100, 0)
				.refused as Array<{ error: NodeOperationError }>;
			expect(error.context.itemIndex).toBe(4);
			expect(error.description).toMatch(/^Max Credits per Execution is set/);
			return error.message;
		};
		const cannot = 'The node cannot estimate the credits of';
		expect(messageOf({ extraFields: { a: 1, b: 2 } })).toBe(
			`${cannot} a video with Extra Body Fields (a, b)`,
		);
		expect(messageOf({})).toBe(`${cannot} model "${SEEDANCE_MODEL}"`);
		expect(messageOf({ model: 'other', extraFields: { a: 1 } })).toBe(`${cannot} model "other"`);
	});

	it('reads 0 typed in the field (a number or its text) as no limit, and 0 from an expression as 0', () => {
		expect(readMaxCredits(context, {})).toBeNull();
		expect(readMaxCredits(contextWith({ maxCredits: 0 }), { maxCredits: 0 })).toBeNull();
		expect(readMaxCredits(contextWith({ maxCredits: '0' }), { maxCredits: 0 })).toBeNull();
		expect(readMaxCredits(contextWith({ maxCredits: '={{ 0 }}' }), { maxCredits: 0 })).toBe(0);
		expect(readMaxCredits(contextWith({ maxCredits: 30 }), { maxCredits: 30 })).toBe(30);
	});

	it('is a number field that says what a video costs and what 0 means', () => {
		expect(maxCreditsField).toMatchObject({
			type: 'number',
			hint: expect.stringContaining('about 28 credits'),
			description: expect.stringContaining('0 typed here means no limit'),
		});
	});
});
