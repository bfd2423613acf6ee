/**
 * The resume webhook (waiting/resume.ts), in n8n-core's engine: Generate parks a real execution
 * (WorkflowExecute; parking itself is tested in park.test.ts), then the service's callbacks
 * reach the node's resume webhook in n8n-core's WebhookContext,
 * which is handed the waiting execution's run data as n8n's WaitingWebhooks hands it over.
 * The real-n8n round trip (database, WaitTracker, webhook server) is e2e scenario 3.
 */
import type { INode, INodeExecutionData, IRun } from 'n8n-workflow';

import { signCallbackUrl, withCallbackToken } from '../../../../nodes/shared/domain/callbackToken';
import { MAX_CALLBACK_BYTES } from '../../../../nodes/shared/domain/callbackBody';
import type { EmulatedTask } from '../../../emulator/server';
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { WebhookReceiver, parkGenerate } from '../../../harness/webhook';
import { FAST, leaks, useEmulator, waitFor } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 300, callbacks: 'none' });

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
	await receiver?.stop();
	receiver = undefined;
});

interface Parked {
	run: IRun;
	node: INode;
	tasks: EmulatedTask[];
	/** The resume URL with the token Generate added, pointed at this test's webhook server. */
	signedUrl: string;
	receiver: WebhookReceiver;
}

/**
 * Runs Generate in resume mode until it parks, then serves the parked execution's resume webhook.
 */
async function park(prompts: string[], options: Record<string, unknown> = {}): Promise<Parked> {
	const parked = await parkGenerate(credentials(), prompts, {
		...FAST,
		maxWaitTime: 60,
		...options,
	});
	receiver = parked.receiver;
	return { ...parked, tasks: [...emulator.tasks.values()] };
}

const finished = (task: EmulatedTask) => emulator.stateOf(task).state === 'succeeded';

/** The webhook answers the service first, then gathers its output: wait for that output. */
const resumed = async (webhook: WebhookReceiver) =>
	await waitFor(
		() => webhook.deliveries.some((delivery) => delivery.started),
		10_000,
		'the resumed output',
	);

describe('the resume webhook', () => {
	it('resumes on a signed callback of its task with that task as output, and no status request', async () => {
		const { tasks, signedUrl, receiver: webhook } = await park(['A paper boat']);
		await waitFor(() => finished(tasks[0]), 5000, 'the job');
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(tasks[0]))).toBe(200);
		expect(webhook.deliveries[0].body).toEqual({ received: true, resumed: true });
		await resumed(webhook);
		const [[item]] = webhook.executions;
		expect(item.json).toMatchObject({
			taskId: tasks[0].taskId,
			state: 'succeeded',
			callbackReceived: true,
			callbackTimedOut: false,
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(emulator.count('status')).toBe(1); // the callback confirmed with the service, nothing polled
		expect(leaks(webhook.deliveries, emulator.apiKey)).toBe(false);
	});

	it('takes a callback body sent as text, as the Seedance Trigger does', async () => {
		const { tasks, signedUrl, receiver: webhook } = await park(['A paper boat']);
		await waitFor(() => finished(tasks[0]), 5000, 'the job');
		expect(
			await emulator.postCallback(signedUrl, JSON.stringify(emulator.statusBody(tasks[0])), {
				'content-type': 'text/plain',
			}),
		).toBe(200);
		await resumed(webhook);
		expect(webhook.executions[0][0].json).toMatchObject({
			taskId: tasks[0].taskId,
			state: 'succeeded',
		});
	});

	it('refuses forged, foreign and malformed callbacks, keeps waiting on progress, and still resumes on the real one', async () => {
		const { tasks, signedUrl, receiver: webhook } = await park(['A paper boat [latency=1500]']);
		const [task] = tasks;
		const done = {
			data: {
				task_id: task.taskId,
				status: 'COMPLETED',
				output: { video_url: 'https://evil.example.com/v.mp4' },
			},
		};
		const unsigned = new URL(signedUrl);
		unsigned.searchParams.delete('seedance_token');
		const hostile: Array<[string, string, unknown, Record<string, string>?]> = [
			['no token', unsigned.toString(), done],
			['a forged token', withCallbackToken(unsigned.toString(), 'forged'), done],
			["another key's token", signCallbackUrl(unsigned.toString(), 'aio_another_key'), done],
			[
				'a task of someone else',
				signedUrl,
				{ data: { task_id: 'someone-elses-task', status: 'COMPLETED' } },
			],
			['no task id', signedUrl, { data: { status: 'COMPLETED' } }],
			['not JSON', signedUrl, 'not json at all', { 'content-type': 'text/plain' }],
			['a JSON array', signedUrl, [done]],
			['an oversized body', signedUrl, { ...done, padding: 'x'.repeat(MAX_CALLBACK_BYTES) }],
		];
		const statuses: Record<string, number | null> = {};
		for (const [what, url, body, headers] of hostile)
			statuses[what] = await emulator.postCallback(url, body, headers);
		expect(statuses).toEqual({
			'no token': 401,
			'a forged token': 403,
			"another key's token": 403,
			'a task of someone else': 409,
			'no task id': 400,
			'not JSON': 400,
			'a JSON array': 400,
			'an oversized body': 400,
		});
		// A progress callback is taken (200) but resumes nothing.
		expect(emulator.stateOf(task).state).not.toBe('succeeded');
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(task))).toBe(200);
		expect(webhook.executions).toHaveLength(0);

		await waitFor(() => finished(task), 5000, 'the job');
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(task))).toBe(200);
		await resumed(webhook);
		expect(webhook.executions[0][0].json).toMatchObject({
			taskId: task.taskId,
			state: 'succeeded',
			videoUrl: emulator.view(task).videoUrl,
		});
		expect(emulator.count('status')).toBe(1); // only the real callback reached the service check
	});

	it('with two items, the first callback resumes nothing; the last one resumes with both, paired, in order, polling nothing', async () => {
		const {
			tasks,
			signedUrl,
			receiver: webhook,
		} = await park(['First, slow [latency=1200]', 'Second, fast [latency=200]'], {
			downloadVideo: true,
		});
		const [slow, fast] = tasks;
		await waitFor(() => finished(fast), 5000, 'the fast job');
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(fast))).toBe(200);
		expect(webhook.deliveries[0].body).toEqual({
			received: true,
			resumed: false,
			message: 'Waiting for more tasks of this execution (1 not finished yet)',
		});
		expect(webhook.executions).toHaveLength(0);
		await waitFor(() => finished(slow), 5000, 'the slow job');
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(slow))).toBe(200);
		await resumed(webhook);
		const output: INodeExecutionData[] = webhook.executions[0];
		expect(
			output.map((item) => [
				item.json.taskId,
				item.json.state,
				item.json.callbackReceived,
				item.pairedItem,
			]),
		).toEqual([
			[slow.taskId, 'succeeded', true, { item: 0 }],
			[fast.taskId, 'succeeded', false, { item: 1 }],
		]);
		for (const item of output) expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		// The first callback looks at the task nothing was heard of (1 read); the last reads nothing and
		// resumes: the resume reads each task once, no polling loop.
		const reads = emulator.requests.filter((request) => request.route === 'status');
		expect(reads.filter((request) => request.path.includes(fast.taskId))).toHaveLength(1);
		expect(reads.filter((request) => request.path.includes(slow.taskId))).toHaveLength(2);
	});

	it('with 5 items whose callbacks come over time, resumes once, after the last, with every video', async () => {
		const latencies = [900, 200, 1500, 500, 1200];
		const {
			tasks,
			signedUrl,
			receiver: webhook,
		} = await park(
			latencies.map((latency, index) => `Clip ${index} [latency=${latency}]`),
			{ downloadVideo: true },
		);
		const byEnd = [...tasks].sort(
			(a, b) => latencies[tasks.indexOf(a)] - latencies[tasks.indexOf(b)],
		);
		for (const [index, task] of byEnd.entries()) {
			await waitFor(() => finished(task), 5000, `job ${task.taskId}`);
			expect(await emulator.postCallback(signedUrl, emulator.statusBody(task))).toBe(200);
			if (index < byEnd.length - 1) {
				expect(webhook.deliveries.at(-1)?.body).toMatchObject({ resumed: false });
				expect(webhook.executions).toHaveLength(0);
			}
		}
		await resumed(webhook);
		expect(webhook.executions).toHaveLength(1);
		const output = webhook.executions[0];
		expect(output.map((item) => [item.json.taskId, item.json.state])).toEqual(
			tasks.map((task) => [task.taskId, 'succeeded']),
		);
		for (const item of output) expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		expect(emulator.count('download')).toBe(5);
	});
});

describe('the resume webhook confirms a callback with the service', () => {
	it('an early signed "COMPLETED" with a foreign video resumes, and the resume waits for the real end and the real video', async () => {
		const {
			tasks,
			signedUrl,
			receiver: webhook,
		} = await park(['A paper boat [latency=1500]'], { downloadVideo: true, maxWaitTime: 300 });
		const [task] = tasks;
		const fake = {
			data: {
				task_id: task.taskId,
				status: 'COMPLETED',
				output: { video_url: 'http://127.0.0.1:9/internal.json' },
			},
		};
		expect(await emulator.postCallback(signedUrl, fake)).toBe(200);
		expect(webhook.deliveries[0].body).toEqual({ received: true, resumed: true });
		expect(finished(task)).toBe(false);
		// The claim costs the callback nothing; the resume reads the service until the task ends.
		await resumed(webhook);
		expect(finished(task)).toBe(true);
		const [[item]] = webhook.executions;
		expect(item.json).toMatchObject({
			taskId: task.taskId,
			state: 'succeeded',
			videoUrl: emulator.view(task).videoUrl,
		});
		expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
	});

	it('an early signed "COMPLETED" close to the deadline resumes with an error item naming the task (n8n would resume it at the deadline anyway)', async () => {
		const { tasks, signedUrl, receiver: webhook } = await park(['A paper boat [never]']);
		const [task] = tasks;
		const fake = { data: { task_id: task.taskId, status: 'COMPLETED' } };
		const before = emulator.count('status');
		expect(await emulator.postCallback(signedUrl, fake)).toBe(200);
		await resumed(webhook);
		const [[item]] = webhook.executions;
		expect(item.json).toMatchObject({
			taskId: task.taskId,
			error: expect.stringContaining(task.taskId),
		});
		expect(String(item.json.description)).toContain('Wait operation');
		expect(emulator.count('status') - before).toBe(1);
	});

	it('with the check off, the callback alone decides (and costs no status read)', async () => {
		const {
			tasks,
			signedUrl,
			receiver: webhook,
		} = await park(['A paper boat'], { confirmCallbacks: false });
		await waitFor(() => finished(tasks[0]), 5000, 'the job');
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(tasks[0]))).toBe(200);
		await resumed(webhook);
		expect(webhook.executions[0][0].json).toMatchObject({ state: 'succeeded' });
		expect(emulator.count('status')).toBe(0);
	});
});

describe('the resume webhook while a resume is under way', () => {
	it('resumes once: an early callback and its repeat get 200 and start nothing; the last one resumes', async () => {
		const {
			tasks,
			signedUrl,
			receiver: webhook,
		} = await park(['First, slow [latency=1500]', 'Second, fast [latency=200]'], {
			downloadVideo: true,
		});
		const [slow, fast] = tasks;
		await waitFor(() => finished(fast), 5000, 'the fast job');
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(fast))).toBe(200);
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(fast))).toBe(200);
		await waitFor(() => finished(slow), 5000, 'the slow job');
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(slow))).toBe(200);
		await resumed(webhook);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(webhook.deliveries).toHaveLength(3);
		expect(webhook.executions).toHaveLength(1);
		expect(webhook.executions[0].map((item) => [item.json.taskId, item.json.state])).toEqual([
			[slow.taskId, 'succeeded'],
			[fast.taskId, 'succeeded'],
		]);
	});
});

describe('a Wait node in resume mode, after a Generate in resume mode that does not wait', () => {
	const generateNoWait = () =>
		seedanceNode(
			{
				resource: 'video',
				operation: 'generate',
				prompt: '={{ $json.prompt }}',
				resolution: '480p',
				duration: '4',
				waitMode: 'resume',
				waitForCompletion: false,
				options: { ...FAST },
			},
			{ name: 'Generate' },
		);
	const waitNode = () =>
		seedanceNode(
			{
				resource: 'video',
				operation: 'wait',
				taskId: '={{ $json.taskId }}',
				waitMode: 'resume',
				options: { ...FAST, maxWaitTime: 60 },
			},
			{ name: 'Wait' },
		);

	it('Generate gives the service the resume URL and goes on; Wait reads once, pauses, and resumes on the callback', async () => {
		const wait = waitNode();
		const { run } = await runWorkflow(
			[itemsNode([{ json: { prompt: 'A paper boat [latency=1500]' } }]), generateNoWait(), wait],
			{ credentials: credentials() },
		);
		const [task] = emulator.tasks.values();
		expect(new URL(String(task.body.callback_url)).pathname).toMatch(/^\/webhook-waiting\/\d+$/);
		expect(run.status).toBe('waiting');
		expect(run.data.executionData!.nodeExecutionStack[0].node.name).toBe('Wait');
		expect(emulator.count('status')).toBe(1);

		receiver = new WebhookReceiver({ node: wait, credentials: credentials(), waiting: run.data });
		await receiver.start();
		const signedUrl = signCallbackUrl(receiver.productionUrl, emulator.apiKey);
		await waitFor(() => finished(task), 5000, 'the job');
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(task))).toBe(200);
		await resumed(receiver);
		expect(receiver.executions[0][0].json).toMatchObject({
			taskId: task.taskId,
			state: 'succeeded',
			callbackReceived: true,
		});
		expect(receiver.executions[0][0].binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		expect(emulator.count('status')).toBe(2); // the read before pausing, and the confirmation
	});

	it('does not pause for a task that has already ended: one read, and the result at once', async () => {
		const first = await runWorkflow(
			[itemsNode([{ json: { prompt: 'Quick [latency=100]' } }]), generateNoWait()],
			{ credentials: credentials() },
		);
		const [created] = first.output('Generate');
		const [task] = emulator.tasks.values();
		await waitFor(() => finished(task), 5000, 'the job');
		const { run, output } = await runWorkflow(
			[itemsNode([{ json: { taskId: created.json.taskId } }]), waitNode()],
			{ credentials: credentials() },
		);
		expect(run.status).toBe('success');
		expect(output('Wait')[0].json).toMatchObject({ taskId: task.taskId, state: 'succeeded' });
		expect(emulator.count('status')).toBe(1);
	});

	it('fails at once, without pausing, for a task the service does not know', async () => {
		const { run, errorOf } = await runWorkflow(
			[itemsNode([{ json: { taskId: 'no-such-task' } }]), waitNode()],
			{ credentials: credentials() },
		);
		expect(run.status).not.toBe('waiting');
		expect(errorOf('Wait')?.message).toContain('no-such-task');
	});
});
