/**
 * Idempotency Keys across executions, in n8n-core's real engine with n8n's deduplication store
 * (test/harness/deduplicator.ts): a later execution that reaches a key already paid for picks up
 * its task; a key whose create may have been made is never sent again; racing runs make one video.
 */
import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';

import { deduplicationStore } from '../../../../harness/deduplicator';
import { keyedGenerate } from '../../../../harness/keyedGenerate';
import { itemsNode, runWorkflow } from '../../../../harness/n8n';
import { checkProperty, fc } from '../../../../property';
import { useEmulator } from '../../../../helpers';
import type { Fault } from '../../../../emulator/server';
import { keyDigest, lostEntry } from '../../../../../nodes/Seedance/domain/keyRecords';
import { Seedance } from '../../../../../nodes/Seedance/Seedance.node';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

beforeEach(() => deduplicationStore.clear());

/** Keyed by day and prompt, as the daily pipeline's rows are. */
const keyed = (options: IDataObject = {}, settings: Partial<INode> = {}) =>
	keyedGenerate({ idempotencyKey: '={{ $json.day }} {{ $json.prompt }}', ...options }, settings);

const rows = (...prompts: string[]) => prompts.map((prompt) => ({ json: { day: 'mon', prompt } }));

async function run(node: INode, items: Array<{ json: Record<string, unknown> }>) {
	return await runWorkflow([itemsNode(items), node], { credentials: credentials() });
}

describe('Idempotency Key', () => {
	it('a second execution picks up every task the first paid for: 0 new creates, same task IDs', async () => {
		const node = keyed();
		const first = await run(node, rows('a', 'b', 'c'));
		const second = await run(node, rows('a', 'b', 'c'));
		expect(emulator.count('create')).toBe(3);
		expect(second.output('Seedance').map((item) => item.json.taskId)).toEqual(
			first.output('Seedance').map((item) => item.json.taskId),
		);
		expect(second.output('Seedance').map((item) => item.json.pickedUpByKey)).toEqual([
			true,
			true,
			true,
		]);
		expect(second.output('Seedance')[0].json.executionCredits).toBe(0);
		// Each task is read once, when its key is found; the pick-up uses that read.
		expect(emulator.count('status')).toBe(3);
	});

	it('a re-run whose first read of a paid task fails reads it again when it picks it up', async () => {
		const node = keyed();
		const first = await run(node, rows('a'));
		emulator.inject('status', { kind: 'status', code: 400 });
		const second = await run(node, rows('a'));
		expect(second.output('Seedance')[0].json).toMatchObject({
			taskId: first.output('Seedance')[0].json.taskId,
			pickedUpByKey: true,
		});
		expect(emulator.count('status')).toBe(2);
		expect(emulator.count('create')).toBe(1);
	});

	it('a re-run with a new row makes only the new one; a new key makes a new video', async () => {
		const node = keyed();
		await run(node, rows('a', 'b'));
		await run(node, rows('a', 'b', 'c'));
		expect(emulator.count('create')).toBe(3);
		await run(node, [{ json: { day: 'tue', prompt: 'a' } }]);
		expect(emulator.count('create')).toBe(4);
	});

	it('a re-run waits for the video and gives a fresh link (the pick-up reads the task again)', async () => {
		const node = keyed();
		await run(node, rows('a'));
		const again = await run(keyedFrom(node, { downloadVideo: false }, true), rows('a'));
		expect(again.output('Seedance')[0].json).toMatchObject({
			state: 'succeeded',
			pickedUpByKey: true,
		});
		expect(String(again.output('Seedance')[0].json.videoUrl)).toMatch(/^http/);
		expect(emulator.count('create')).toBe(1);
	});

	it.each(['fail', 'cancel', 'expire'])(
		'a key whose task ended at the service unpaid ([%s]) is made anew by the re-run, then picked up',
		async (marker) => {
			const node = keyed({ idempotencyKey: '={{ $json.id }}' }, { onError: 'continueErrorOutput' });
			const waiting = keyedFrom(node, { downloadVideo: false }, true);
			const first = await run(waiting, [{ json: { id: 'row-1', prompt: `x [${marker}]` } }]);
			expect(first.outputs('Seedance')[1]).toHaveLength(1);
			const fixed = [{ json: { id: 'row-1', prompt: 'x fixed' } }];
			const second = await run(waiting, fixed);
			expect(second.output('Seedance')[0].json).toMatchObject({ state: 'succeeded' });
			expect(second.output('Seedance')[0].json.pickedUpByKey).toBeUndefined();
			const third = await run(waiting, fixed);
			expect(third.output('Seedance')[0].json).toMatchObject({
				state: 'succeeded',
				pickedUpByKey: true,
				taskId: second.output('Seedance')[0].json.taskId,
			});
			expect(emulator.count('create')).toBe(2);
		},
	);

	it('two re-runs racing on a key whose task failed make one new video', async () => {
		const node = keyed({ idempotencyKey: '={{ $json.id }}' }, { onError: 'continueErrorOutput' });
		const waiting = keyedFrom(node, { downloadVideo: false }, true);
		await run(waiting, [{ json: { id: 'row-1', prompt: 'x [fail]' } }]);
		const fixed = [{ json: { id: 'row-1', prompt: 'x fixed' } }];
		const [one, two] = await Promise.all([run(waiting, fixed), run(waiting, fixed)]);
		expect(emulator.count('create')).toBe(2);
		expect(two.output('Seedance')[0].json.taskId).toBe(one.output('Seedance')[0].json.taskId);
	});

	it('without a key nothing changes: every execution creates', async () => {
		const node = keyed();
		delete (node.parameters.options as Record<string, unknown>).idempotencyKey;
		await run(node, rows('a'));
		await run(node, rows('a'));
		expect(emulator.count('create')).toBe(2);
	});

	it('a create whose answer was lost is never sent again by a later execution', async () => {
		const node = keyed();
		emulator.inject('create', { kind: 'resetAfterCreate' });
		const first = await run(node, rows('a'));
		expect(first.errorOf('Seedance')).toBeDefined();
		const second = await run(node, rows('a'));
		expect(second.errorOf('Seedance')?.message).toContain('may already exist');
		expect(second.errorOf('Seedance')?.description).toContain('Existing Task ID');
		expect(emulator.count('create')).toBe(1);
	});

	it('a create the service certainly refused frees its key: the re-run makes the video', async () => {
		const node = keyed();
		emulator.inject('create', { kind: 'status', code: 400 });
		const first = await run(node, rows('a'));
		expect(first.errorOf('Seedance')).toBeDefined();
		const second = await run(node, rows('a'));
		expect(second.errorOf('Seedance')).toBeUndefined();
		expect(emulator.count('create')).toBe(2);
		expect(emulator.tasks.size).toBe(1);
	});

	it('two executions racing on one key make one video, both output it', async () => {
		const node = keyed();
		const [one, two] = await Promise.all([run(node, rows('a', 'b')), run(node, rows('a', 'b'))]);
		expect(emulator.tasks.size).toBe(2);
		expect(two.output('Seedance').map((item) => item.json.taskId)).toEqual(
			one.output('Seedance').map((item) => item.json.taskId),
		);
	});

	it('two items with one key in a batch: the second is refused before anything is sent', async () => {
		const node = keyed({}, { onError: 'continueErrorOutput' });
		const result = await run(node, rows('a', 'a'));
		const [made, refused] = result.outputs('Seedance');
		expect(made).toHaveLength(1);
		expect(refused[0].json.error).toContain('Items 1 and 2 have the same Idempotency Key');
		expect(emulator.count('create')).toBe(1);
	});

	// Plain case names: Stryker picks a mutant's tests by a pattern of their names.
	it.each([
		[
			'a missing value',
			'={{ $json.missing }}',
			'Idempotency Key is empty',
			'Give every item a key',
		],
		['null', '={{ null }}', 'Idempotency Key is empty', 'Give every item a key'],
		['spaces only', '={{ "   " }}', 'Idempotency Key is empty', 'Give every item a key'],
		[
			'1001 characters',
			'={{ "x".repeat(1001) }}',
			'longer than 1000 characters',
			'Use a shorter key',
		],
	])('a key of %s is refused with 0 requests', async (_, idempotencyKey, message, advice) => {
		const result = await run(keyed({ idempotencyKey }), rows('a'));
		expect(result.errorOf('Seedance')?.message).toContain(message);
		expect(result.errorOf('Seedance')?.message).toContain(advice);
		expect(emulator.requests).toHaveLength(0);
	});

	it('a number key (a row ID read from a number column) is a key: the re-run picks its video up', async () => {
		const node = keyed({ idempotencyKey: '={{ $json.id }}' });
		const row = [{ json: { id: 42, prompt: 'a' } }];
		expect((await run(node, row)).errorOf('Seedance')).toBeUndefined();
		expect((await run(node, row)).output('Seedance')[0].json.pickedUpByKey).toBe(true);
		expect(emulator.count('create')).toBe(1);
	});

	it('a key of exactly 1000 characters is kept, and spaces around a key are not part of it', async () => {
		const long = 'x'.repeat(1000);
		const first = await run(
			keyed({ idempotencyKey: `={{ "${long}" }}` }, { id: 'edges' }),
			rows('a'),
		);
		expect(first.errorOf('Seedance')).toBeUndefined();
		const padded = await run(
			keyed({ idempotencyKey: `={{ "  ${long}  " }}` }, { id: 'edges' }),
			rows('a'),
		);
		expect(padded.output('Seedance')[0].json.pickedUpByKey).toBe(true);
		expect(emulator.count('create')).toBe(1);
	});

	it('a task ID the store cannot keep marks its key as maybe made: a re-run refuses it, never pays again', async () => {
		emulator.inject('create', {
			kind: 'body',
			body: Buffer.from('{"code":200,"message":"success","data":{"task_id":"task+42"}}'),
			contentType: 'application/json',
		});
		const node = keyed();
		const first = await run(node, rows('a'));
		expect(first.output('Seedance')[0].json.taskId).toBe('task+42');
		expect(deduplicationStore.holds(node.id, lostEntry(keyDigest('mon a')))).toBe(true);
		const again = await run(node, rows('a'));
		expect(again.errorOf('Seedance')?.message).toContain('may already exist');
		expect(emulator.count('create')).toBe(1);
	});

	it('over budget frees the key: a later execution with room makes that row', async () => {
		const node = keyed({ maxCredits: 8 }, { onError: 'continueErrorOutput' });
		const first = await run(node, rows('a', 'b'));
		expect(first.outputs('Seedance')[1][0].json.error).toContain('Over budget');
		const second = await run(node, rows('a', 'b'));
		expect(second.outputs('Seedance')[0]).toHaveLength(2);
		expect(emulator.count('create')).toBe(2);
	});
});

/** The same node (same ID, so the same keys), other options. */
function keyedFrom(node: INode, options: Record<string, unknown>, wait: boolean): INode {
	return {
		...node,
		parameters: {
			...node.parameters,
			waitForCompletion: wait,
			options: { ...(node.parameters.options as object), ...options } as never,
		},
	};
}

const faultArb = fc.option(
	fc.constantFrom<Fault>(
		{ kind: 'status', code: 500 },
		{ kind: 'status', code: 429, retryAfter: '0' },
		{ kind: 'status', code: 400 },
		{ kind: 'reset' },
		{ kind: 'resetAfterCreate' },
		{ kind: 'malformed' },
	),
	{ freq: 2 },
);

it('generated runs of keyed rows, with faults and concurrent re-runs: never two tasks for one key', async () => {
	await checkProperty(
		'one video per key across executions',
		fc.asyncProperty(
			fc.array(
				fc.record({
					rows: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1 }),
					faults: fc.array(faultArb, { maxLength: 4 }),
					together: fc.boolean(),
				}),
				{ minLength: 1, maxLength: 4 },
			),
			async (executions) => {
				emulator.reset();
				deduplicationStore.clear();
				const node = keyed();
				const faults: Array<Fault | null> = executions.flatMap((execution) => execution.faults);
				emulator.faultSource = (route) =>
					route === 'create' ? (faults.shift() ?? undefined) : undefined;
				for (let index = 0; index < executions.length; index++) {
					const execution = executions[index];
					const next = executions[index + 1];
					if (execution.together && next) {
						await Promise.all([run(node, rows(...execution.rows)), run(node, rows(...next.rows))]);
						index++;
					} else await run(node, rows(...execution.rows));
				}
				for (const prompt of ['a', 'b', 'c', 'd']) {
					const tasks = [...emulator.tasks.values()].filter((task) => task.body.prompt === prompt);
					if (tasks.length > 1) throw new Error(`key "mon ${prompt}" made ${tasks.length} tasks`);
				}
			},
		),
		25,
		{ timeLimitMs: 90_000 },
	);
}, 120_000);

describe('the field a user fills in', () => {
	it('is a text option named as saved workflows have it, empty by default, with words that say what a key does', () => {
		const option = new Seedance().description.properties
			.flatMap((property) => property.options ?? [])
			.find((option) => 'name' in option && option.name === 'idempotencyKey') as INodeProperties;
		expect(option).toMatchObject({ displayName: 'Idempotency Key', type: 'string', default: '' });
		expect(option.placeholder).toContain('{{');
		expect(option.description).toMatch(/key already paid for picks up its task/);
		expect(option.hint).toMatch(/new key makes a new video/);
	});
});
