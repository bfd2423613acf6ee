/**
 * What the resume webhook (waiting/resume.ts) answers the service, in n8n-core's engine: the body
 * of each answer, and a callback whose status word the node does not know (read at once).
 */
import { RESUME_WEBHOOK } from '../../../../nodes/Seedance/waiting/resume';
import type { EmulatedTask } from '../../../emulator/server';
import { itemsNode, runWorkflow } from '../../../harness/n8n';
import { WebhookReceiver, parkGenerate, resumeModeGenerate } from '../../../harness/webhook';
import { callbackSecretOf, signCallbackUrl } from '../../../../nodes/shared/domain/callbackToken';
import { FAST, useEmulator, waitFor } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 300, callbacks: 'none' });

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
	await receiver?.stop();
	receiver = undefined;
});

async function park(prompt: string) {
	const parked = await parkGenerate(credentials(), [prompt], { ...FAST, maxWaitTime: 60 });
	receiver = parked.receiver;
	const [task] = [...emulator.tasks.values()];
	return { ...parked, task };
}

const claim = (task: EmulatedTask, status: string) => ({ data: { task_id: task.taskId, status } });
const lastAnswer = (webhook: WebhookReceiver) => webhook.deliveries.at(-1)!.body;

it('is the webhook n8n restarts a waiting execution with: POST to the resume URL, answered at once', () => {
	expect(RESUME_WEBHOOK).toEqual({
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		path: '',
		restartWebhook: true,
	});
});

it('says what it did with each callback: another task, progress, a task still running', async () => {
	const { task, signedUrl, receiver: webhook } = await park('A paper boat [latency=3000]');
	expect(
		await emulator.postCallback(signedUrl, claim({ ...task, taskId: 'other' }, 'COMPLETED')),
	).toBe(409);
	expect(lastAnswer(webhook)).toEqual({
		message: 'Task other is not waited for by this execution',
	});
	expect(await emulator.postCallback(signedUrl, claim(task, 'IN_PROGRESS'))).toBe(200);
	expect(lastAnswer(webhook)).toEqual({ received: true, resumed: false });
	// A status word it does not know may mean finished: the service is asked at once.
	expect(await emulator.postCallback(signedUrl, claim(task, 'FINALIZED'))).toBe(200);
	expect(lastAnswer(webhook)).toEqual({
		received: true,
		resumed: false,
		message: expect.stringMatching(
			new RegExp(`^API in One says task ${task.taskId} is (queued|running); waiting for its end$`),
		),
	});
	expect(webhook.executions).toHaveLength(0);
});

it('a status word it does not know: asks to be called again while the service fails, resumes once the service says it ended', async () => {
	const { task, signedUrl, receiver: webhook } = await park('A paper boat');
	await waitFor(() => emulator.stateOf(task).state === 'succeeded', 5000, 'the job');
	emulator.inject(
		'status',
		...Array.from({ length: 6 }, () => ({ kind: 'status' as const, code: 502 })),
	);
	expect(await emulator.postCallback(signedUrl, claim(task, 'FINALIZED'))).toBe(503);
	expect(webhook.executions).toHaveLength(0);
	emulator.faults.status.length = 0;
	const reads = emulator.count('status');
	expect(await emulator.postCallback(signedUrl, claim(task, 'FINALIZED'))).toBe(200);
	expect(lastAnswer(webhook)).toEqual({ received: true, resumed: true });
	await waitFor(() => webhook.executions.length === 1, 10_000, 'the resumed output');
	expect(webhook.executions[0][0].json).toMatchObject({
		taskId: task.taskId,
		state: 'succeeded',
		callbackReceived: true,
	});
	// Read once for the callback; the resume does not read a task it knows has ended.
	expect(emulator.count('status') - reads).toBe(1);
});

it('a status word it does not know, for a task the service no longer shows: 409, the execution keeps waiting', async () => {
	const { task, signedUrl, receiver: webhook } = await park('A paper boat [latency=3000]');
	emulator.tasks.delete(task.taskId);
	expect(await emulator.postCallback(signedUrl, claim(task, 'FINALIZED'))).toBe(409);
	expect(lastAnswer(webhook)).toEqual({
		message: `Task ${task.taskId} is unknown to API in One for this credential`,
	});
	expect(webhook.executions).toHaveLength(0);
});

it('copies of a callback arriving while its read is under way share that read', async () => {
	const { task, signedUrl, receiver: webhook } = await park('A paper boat [latency=60000]');
	// The first copy's read is answered after 3 s: the other two arrive meanwhile.
	emulator.inject('status', {
		kind: 'drip',
		headersAfterMs: 3000,
		chunkBytes: 65536,
		everyMs: 10,
		body: Buffer.from(JSON.stringify(emulator.statusBody(task))),
	});
	const reads = emulator.count('status');
	const answers = await Promise.all(
		[1, 2, 3].map(async () => await emulator.postCallback(signedUrl, claim(task, 'FINALIZED'))),
	);
	expect(answers).toEqual([200, 200, 200]);
	expect(emulator.count('status') - reads).toBe(1);
	expect(lastAnswer(webhook)).toMatchObject({
		message: expect.stringMatching(/waiting for its end/),
	});
	expect(webhook.executions).toHaveLength(0);
});

describe('resumes once', () => {
	async function parkTwo(prompts = ['A paper boat', 'A kite']) {
		const parked = await parkGenerate(credentials(), prompts, {
			...FAST,
			maxWaitTime: 60,
			downloadVideo: false,
		});
		receiver = parked.receiver;
		const tasks = [...emulator.tasks.values()];
		await waitFor(() => emulator.stateOf(tasks[0]).state === 'succeeded', 5000, 'the first job');
		return { ...parked, tasks };
	}

	it('a task found ended is not read again for a replay of its callback', async () => {
		const {
			tasks,
			signedUrl,
			receiver: webhook,
		} = await parkTwo(['A paper boat', 'A kite [never]']);
		// A status word it does not know is read at once: the task is found ended.
		expect(await emulator.postCallback(signedUrl, claim(tasks[0], 'FINALIZED'))).toBe(200);
		const reads = emulator.count('status');
		expect(await emulator.postCallback(signedUrl, claim(tasks[0], 'FINALIZED'))).toBe(200);
		expect(emulator.count('status')).toBe(reads);
		expect(lastAnswer(webhook)).toEqual({
			received: true,
			resumed: false,
			message: 'Waiting for more tasks of this execution (1 not finished yet)',
		});
	});

	it('a look at a task the service no longer shows resumes with that item failed, naming its task', async () => {
		const { tasks, signedUrl, receiver: webhook } = await parkTwo();
		emulator.tasks.delete(tasks[1].taskId);
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(tasks[0]))).toBe(200);
		expect(lastAnswer(webhook)).toEqual({ received: true, resumed: true });
		await waitFor(() => webhook.executions.length === 1, 10_000, 'the resumed output');
		const [first, second] = webhook.executions[0];
		expect(first.json).toMatchObject({ taskId: tasks[0].taskId, state: 'succeeded' });
		// Simplify is on by default: the resumed items leave out the raw answer.
		expect(first.json).not.toHaveProperty('raw');
		expect(String(second.json.error)).toContain(tasks[1].taskId);
	});

	it('the two last callbacks arriving at once resume it once', async () => {
		const { tasks, signedUrl, receiver: webhook } = await parkTwo();
		await waitFor(() => emulator.stateOf(tasks[1]).state === 'succeeded', 5000, 'the jobs');
		const answers = await Promise.all(
			tasks.map(async (task) => await emulator.postCallback(signedUrl, emulator.statusBody(task))),
		);
		expect(answers).toEqual([200, 200]);
		await waitFor(() => webhook.executions.length === 1, 10_000, 'the resumed output');
		const bodies = webhook.deliveries.map((delivery) => delivery.body);
		expect(bodies).toContainEqual({ received: true, resumed: true });
		expect(bodies.filter((body) => (body as { resumed?: boolean }).resumed)).toHaveLength(1);
		expect(bodies).toContainEqual({
			received: true,
			resumed: false,
			message: 'This execution is already resuming',
		});
		expect(webhook.executions[0]).toHaveLength(2);
	});

	it('callbacks after it has resumed (from the other task, a replay) resume nothing more and read nothing', async () => {
		const { tasks, signedUrl, receiver: webhook } = await parkTwo();
		await waitFor(() => emulator.stateOf(tasks[1]).state === 'succeeded', 5000, 'the jobs');
		// The first callback looks at the other task, finds it ended, and resumes.
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(tasks[0]))).toBe(200);
		await waitFor(() => webhook.executions.length === 1, 10_000, 'the resumed output');
		const reads = emulator.count('status');
		for (const task of [tasks[1], tasks[0]]) {
			expect(await emulator.postCallback(signedUrl, emulator.statusBody(task))).toBe(200);
			expect(lastAnswer(webhook)).toEqual({
				received: true,
				resumed: false,
				message: 'This execution is already resuming',
			});
		}
		expect(emulator.count('status')).toBe(reads);
		expect(webhook.executions).toHaveLength(1);
	});
});

it('resumes with the items that were settled when it parked (a refused prompt, on error: continue) in their places', async () => {
	const node = {
		...resumeModeGenerate({ ...FAST, maxWaitTime: 60, downloadVideo: false }),
		onError: 'continueRegularOutput' as const,
	};
	const { run } = await runWorkflow(
		[
			itemsNode([{ json: { prompt: 'A city [refuse]' } }, { json: { prompt: 'A paper boat' } }]),
			node,
		],
		{ credentials: credentials() },
	);
	receiver = new WebhookReceiver({ node, credentials: credentials(), waiting: run.data });
	await receiver.start();
	const signedUrl = signCallbackUrl(
		receiver.productionUrl,
		callbackSecretOf(credentials().seedanceApi),
	);
	const [task] = [...emulator.tasks.values()];
	await waitFor(() => emulator.stateOf(task).state === 'succeeded', 5000, 'the job');
	expect(await emulator.postCallback(signedUrl, emulator.statusBody(task))).toBe(200);
	await waitFor(() => receiver!.executions.length === 1, 10_000, 'the resumed output');
	const [refused, made] = receiver.executions[0];
	expect(String(refused.json.error)).toMatch(/refused/i);
	expect(refused.pairedItem).toEqual({ item: 0 });
	expect(made.json).toMatchObject({
		taskId: task.taskId,
		state: 'succeeded',
		callbackReceived: true,
	});
});
