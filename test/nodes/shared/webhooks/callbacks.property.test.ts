/**
 * Generated attacks on both callback webhooks (the Seedance Trigger's and a parked execution's
 * resume URL), in n8n-core's real webhook context against the emulator: random tokens (right,
 * wrong, made for another URL, missing), random bodies (any shape, status words of any case,
 * unknown words, progress), duplicates, replays and floods, random service faults (429, 5xx,
 * resets, a body that drips in slowly). Checked for every inbound callback: what it costs in requests with the key, that it is
 * answered within 5 s, that 200 means started (or rightly ignored), and that no finished task is
 * lost once its real callback comes.
 */
import { signCallbackUrl } from '../../../../nodes/shared/domain/callbackToken';
import type { Fault, RequestRecord } from '../../../emulator/server';
import { parkGenerate, TriggerReceiver, type WebhookReceiver } from '../../../harness/webhook';
import { FAST, createEmulatedTask, useEmulator, waitFor } from '../../../helpers';
import { checkProperty, fc } from '../../../property';

const { emulator, credentials } = useEmulator({ latencyMs: 30, callbacks: 'none' });
const secret = () => emulator.apiKey;

type TokenKind = 'right' | 'wrong' | 'otherPath' | 'missing';
type TaskName = 'done' | 'failed' | 'running' | 'foreign';

const PROGRESS_WORDS = ['in_progress', 'queued', 'pending', 'processing', 'running', 'submitted'];
const TERMINAL_WORDS = [
	'succeeded',
	'completed',
	'complete',
	'successful',
	'ready',
	'failed',
	'error',
];

const word = fc.oneof(
	fc.mixedCase(fc.constantFrom(...PROGRESS_WORDS, ...TERMINAL_WORDS)),
	fc.string({ maxLength: 10 }),
);

interface Inbound {
	token: TokenKind;
	task: TaskName;
	/** A status word, or a body of any shape. */
	body: { word: string; envelope: boolean; progress?: number } | { anything: unknown };
	fault: Fault | null;
	/** Copies sent at once (a flood). */
	copies: number;
}

const inbound: fc.Arbitrary<Inbound> = fc.record({
	token: fc.oneof(
		{ weight: 4, arbitrary: fc.constant<TokenKind>('right') },
		{ weight: 1, arbitrary: fc.constantFrom<TokenKind>('wrong', 'otherPath', 'missing') },
	),
	task: fc.constantFrom<TaskName>('done', 'failed', 'running', 'foreign'),
	body: fc.oneof(
		{
			weight: 5,
			arbitrary: fc.record(
				{ word, envelope: fc.boolean(), progress: fc.integer({ min: 0, max: 100 }) },
				{ requiredKeys: ['word', 'envelope'] },
			),
		},
		{ weight: 1, arbitrary: fc.record({ anything: fc.anything({ maxDepth: 2 }) }) },
	),
	fault: fc.oneof(
		{ weight: 4, arbitrary: fc.constant(null) },
		{
			weight: 1,
			arbitrary: fc.constantFrom<Fault>(
				{ kind: 'status', code: 429, retryAfter: '2' },
				{ kind: 'status', code: 500 },
				{ kind: 'status', code: 503 },
				{ kind: 'reset' },
				// Headers at once, then the body 4 bytes every 400 ms: 7 s in all.
				{
					kind: 'drip',
					chunkBytes: 4,
					everyMs: 400,
					body: Buffer.from(JSON.stringify({ data: { task_id: 'x', status: 'RUNNING' } })),
				},
			),
		},
	),
	copies: fc.oneof(
		{ weight: 4, arbitrary: fc.constant(1) },
		{ weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) },
	),
});

function urlFor(base: string, kind: TokenKind): string {
	const url = new URL(base);
	if (kind === 'right') return signCallbackUrl(base, secret());
	if (kind === 'wrong') url.searchParams.set('seedance_token', 'forged-token');
	if (kind === 'otherPath') {
		const other = new URL(signCallbackUrl('https://collector.example/hooks/seedance', secret()));
		url.searchParams.set('seedance_token', other.searchParams.get('seedance_token')!);
	}
	return url.toString();
}

function bodyFor(item: Inbound, taskId: string): unknown {
	if ('anything' in item.body) return item.body.anything;
	const task = { task_id: taskId, status: item.body.word, progress: item.body.progress };
	return item.body.envelope ? { code: 200, message: 'success', data: task } : task;
}

const isProgressWord = (item: Inbound) =>
	!('anything' in item.body) && PROGRESS_WORDS.includes(item.body.word.toLowerCase());

interface Step {
	statuses: Array<number | null>;
	ms: number;
	reads: RequestRecord[];
	faulted: number;
}

/** Sends one inbound callback (all its copies at once); the fault goes to its first read. */
async function send(url: string, body: unknown, item: Inbound): Promise<Step> {
	const first = emulator.requests.length;
	let faulted = 0;
	emulator.faultSource = (route) => {
		if (route !== 'status' || !item.fault || faulted > 0) return undefined;
		faulted++;
		return item.fault;
	};
	const started = Date.now();
	const statuses = await Promise.all(
		Array.from({ length: item.copies }, async () => await emulator.postCallback(url, body)),
	);
	const ms = Date.now() - started;
	emulator.faultSource = undefined;
	const reads = emulator.requests.slice(first).filter((request) => request.route === 'status');
	return { statuses, ms, reads, faulted };
}

/** The tasks every run names: created once per test, ended (or not) at the service. */
let ids: Record<TaskName, string>;
async function makeTasks(): Promise<void> {
	const made = {
		done: await createEmulatedTask(emulator, 'done', 'https://unused.example/cb'),
		failed: await createEmulatedTask(emulator, 'x [fail]', 'https://unused.example/cb'),
		running: await createEmulatedTask(emulator, 'x [never]', 'https://unused.example/cb'),
	};
	ids = { ...made, foreign: 'someone_elses_task' };
	await waitFor(
		() =>
			emulator.stateOf(emulator.tasks.get(made.done)!).state === 'succeeded' &&
			emulator.stateOf(emulator.tasks.get(made.failed)!).state === 'failed',
		5000,
		'the jobs',
	);
}

/** What the service would really send for a finished task. */
const realBody = (taskId: string) => emulator.statusBody(emulator.tasks.get(taskId)!);

describe('generated inbound callbacks', () => {
	it('at the Seedance Trigger: at most one read each, none for a wrong token, a duplicate or progress; within 5 s; 200 only when started or rightly ignored; no finished task lost', async () => {
		await makeTasks();
		await checkProperty(
			'trigger inbound callbacks',
			fc.asyncProperty(fc.array(inbound, { minLength: 1, maxLength: 6 }), async (sequence) => {
				// Without the download: its execution is recorded once the file is in, after the 200.
				const trigger = new TriggerReceiver(
					{ event: 'anyTerminal', options: { downloadVideo: false } },
					credentials(),
				);
				await trigger.start();
				const startedTasks = () =>
					new Set(trigger.executions.map((items) => String(items[0].json.taskId)));
				try {
					for (const item of sequence) {
						const taskId = ids[item.task];
						const before = startedTasks();
						const step = await send(
							urlFor(trigger.productionUrl, item.token),
							bodyFor(item, taskId),
							item,
						);
						expect(step.ms).toBeLessThan(5000);
						expect(step.reads.length).toBeLessThanOrEqual(item.copies);
						if (item.token !== 'right') {
							expect(step.reads).toHaveLength(0);
							for (const status of step.statuses)
								expect(status).toBe(item.token === 'missing' ? 401 : 403);
							continue;
						}
						if ('anything' in item.body) continue;
						if (isProgressWord(item) || before.has(taskId)) expect(step.reads).toHaveLength(0);
						// 200 for a task that has ended at the service: it started (now or before), or the
						// claim was progress and its real callback is still to come.
						const ended = item.task === 'done' || item.task === 'failed';
						if (ended && !isProgressWord(item) && step.statuses.includes(200))
							expect(startedTasks().has(taskId)).toBe(true);
						if (!ended) expect(startedTasks().has(taskId)).toBe(false);
					}
					// The real callbacks: each finished task has started exactly once, nothing else has.
					for (const name of ['done', 'failed'] as const) {
						const url = urlFor(trigger.productionUrl, 'right');
						expect(await emulator.postCallback(url, realBody(ids[name]))).toBe(200);
					}
					const counts = trigger.executions.map((items) => String(items[0].json.taskId)).sort();
					expect(counts).toEqual([ids.done, ids.failed].sort());
				} finally {
					await trigger.stop();
				}
			}),
			25,
		);
	}, 60_000);

	it('at a parked execution: no read for a wrong token, progress or another task; at most one for a callback that resumes nothing; within 5 s; resumes once, with what the service says', async () => {
		const resumeInbound = fc.record({
			second: fc.constantFrom('ends', 'never'),
			sequence: fc.array(
				fc.record({ item: inbound, which: fc.constantFrom('A', 'B', 'foreign') }),
				{ minLength: 1, maxLength: 6 },
			),
		});
		await checkProperty(
			'resume inbound callbacks',
			fc.asyncProperty(resumeInbound, async ({ second, sequence }) => {
				emulator.reset();
				const parked = await parkGenerate(
					credentials(),
					['A [latency=20]', second === 'ends' ? 'B [latency=40]' : 'B [never]'],
					{ ...FAST, downloadVideo: false },
				);
				const receiver: WebhookReceiver = parked.receiver;
				try {
					const [a, b] = [...emulator.tasks.values()];
					const taskIds = { A: a.taskId, B: b.taskId, foreign: 'someone_elses_task' };
					const endedIds = new Set([a.taskId, ...(second === 'ends' ? [b.taskId] : [])]);
					await waitFor(
						() =>
							[...endedIds].every(
								(id) => emulator.stateOf(emulator.tasks.get(id)!).state === 'succeeded',
							),
						5000,
						'the jobs',
					);
					for (const { item, which } of sequence) {
						const taskId = taskIds[which as keyof typeof taskIds];
						const firstDelivery = receiver.deliveries.length;
						const firstRequest = emulator.requests.length;
						const step = await send(
							urlFor(receiver.productionUrl, item.token),
							bodyFor(item, taskId),
							item,
						);
						expect(step.ms).toBeLessThan(5000);
						const resumedHere = receiver.deliveries
							.slice(firstDelivery)
							.some((delivery) => (delivery.body as { resumed?: boolean })?.resumed === true);
						if (item.token !== 'right') {
							expect(step.reads).toHaveLength(0);
							for (const status of step.statuses)
								expect(status).toBe(item.token === 'missing' ? 401 : 403);
							continue;
						}
						if ('anything' in item.body) {
							expect(step.reads).toHaveLength(0);
							continue;
						}
						if (which === 'foreign' || isProgressWord(item)) expect(step.reads).toHaveLength(0);
						// A callback that resumes nothing: one read at most (each copy is a callback). The one
						// that resumes answers first, then reads each task once more at most.
						if (resumedHere) {
							await waitFor(() => receiver.executions.length === 1, 5000, 'the resume');
							const all = emulator.requests.slice(firstRequest);
							expect(
								all.filter((request) => request.route === 'status').length,
							).toBeLessThanOrEqual(item.copies + 2);
						} else expect(step.reads.length).toBeLessThanOrEqual(item.copies);
					}
					// The real callbacks of the tasks that ended: the park resumes once if all ended, else never.
					for (const id of endedIds)
						await emulator.postCallback(urlFor(receiver.productionUrl, 'right'), realBody(id));
					if (second === 'ends')
						await waitFor(() => receiver.executions.length === 1, 5000, 'the resume');
					await new Promise((resolve) => setTimeout(resolve, 20));
					expect(receiver.executions.length).toBeLessThanOrEqual(1);
					// A resume outputs what the service says, whatever the callbacks claimed: a task that
					// never ends is never a success.
					for (const items of receiver.executions) {
						expect(items.map((item) => item.json.taskId)).toEqual([a.taskId, b.taskId]);
						if (second === 'never') expect(items[1].json.state).not.toBe('succeeded');
					}
					if (second === 'never' && receiver.executions.length === 1)
						expect(
							sequence.some(({ item, which }) => which === 'B' && item.token === 'right'),
						).toBe(true);
				} finally {
					await receiver.stop();
				}
			}),
			15,
		);
	}, 90_000);
});
