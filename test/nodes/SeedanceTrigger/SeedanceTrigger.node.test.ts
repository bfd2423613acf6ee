import {
	callbackSecretOf,
	callbackToken,
	signCallbackUrl,
} from '../../../nodes/shared/domain/callbackToken';
import { SAMPLE_MP4 } from '../../emulator/server';
import { SHAPE_NAMES } from '../../emulator/shapes';
import { runWorkflow, itemsNode, seedanceNode } from '../../harness/n8n';
import { TriggerReceiver, WebhookReceiver } from '../../harness/webhook';
import { createEmulatedTask, leaks, useEmulator, waitFor } from '../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 100 });

let receiver: TriggerReceiver;

async function startTrigger(
	parameters: Record<string, unknown> = {},
	credentialOverrides: Record<string, unknown> = {},
): Promise<TriggerReceiver> {
	const store = credentials();
	// What starts an execution is read without the download (it answers first); a new trigger,
	// whose default downloads, is started by startNewTrigger.
	const options = { downloadVideo: false, ...(parameters.options as object | undefined) };
	receiver = new TriggerReceiver(
		{ event: 'anyTerminal', ...parameters, options },
		{ seedanceApi: { ...store.seedanceApi, ...credentialOverrides } },
	);
	await receiver.start();
	return receiver;
}

/** A Seedance Trigger as the panel adds it: no parameter set. */
async function startNewTrigger(): Promise<TriggerReceiver> {
	receiver = new TriggerReceiver({}, credentials());
	await receiver.start();
	return receiver;
}

afterEach(async () => {
	await receiver?.stop();
});

/** The URL Generate would hand the service for this trigger. */
function signed(
	url: string,
	credential: Record<string, unknown> = credentials().seedanceApi,
): string {
	return signCallbackUrl(url, callbackSecretOf(credential as never));
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Seedance Trigger: what starts an execution', () => {
	it.each(SHAPE_NAMES)('reads the %s callback body into the task model', async (shape) => {
		emulator.options.shape = shape;
		const trigger = await startTrigger({ simplify: false });
		const taskId = await createEmulatedTask(emulator, 'a dancer', signed(trigger.productionUrl));
		await waitFor(() => trigger.executions.length === 1, 5000, 'the execution');
		const [[item]] = trigger.executions;
		const view = emulator.view(emulator.tasks.get(taskId)!);
		expect(item.json).toMatchObject({
			taskId,
			state: 'succeeded',
			videoUrl: view.videoUrl,
			error: null,
			raw: emulator.statusBody(emulator.tasks.get(taskId)!),
		});
		expect(trigger.deliveries[0]).toMatchObject({
			status: 200,
			body: { message: 'Workflow was started' },
		});
	});

	it.each([
		['anyTerminal', ['succeeded', 'failed', 'cancelled', 'expired']],
		['succeeded', ['succeeded']],
		['unsuccessful', ['failed', 'cancelled', 'expired']],
	])('filter "%s" fires on %j only', async (event, fires) => {
		const trigger = await startTrigger({ event });
		const url = signed(trigger.productionUrl);
		const ids = {
			succeeded: await createEmulatedTask(emulator, 'ok', url),
			failed: await createEmulatedTask(emulator, 'x [fail]', url),
			cancelled: await createEmulatedTask(emulator, 'x [cancel]', url),
			expired: await createEmulatedTask(emulator, 'x [expire]', url),
		};
		await waitFor(
			() =>
				trigger.deliveries.length === 4 &&
				trigger.deliveries.every((delivery) => delivery.status !== 0),
			5000,
			'four callbacks',
		);
		const started = trigger.executions.map(([item]) => [item.json.state, item.json.taskId]);
		expect(started.sort()).toEqual(
			fires.map((state) => [state, ids[state as keyof typeof ids]]).sort(),
		);
		// Ignored callbacks are still answered 200, or the service would retry them.
		expect(trigger.deliveries.every((delivery) => delivery.status === 200)).toBe(true);
		const failed = trigger.executions.find(([item]) => item.json.state === 'failed');
		if (failed) expect(failed[0].json.error).toBe('Content moderation rejected the prompt');
	});

	it('starts nothing on progress callbacks, once on the terminal one', async () => {
		emulator.options.callbacks = 'everyChange';
		const trigger = await startTrigger();
		const taskId = await createEmulatedTask(
			emulator,
			'a dancer [latency=400]',
			signed(trigger.productionUrl),
		);
		await waitFor(() => trigger.executions.length === 1, 5000, 'the execution');
		await settle(200);
		expect(trigger.deliveries.length).toBeGreaterThanOrEqual(2);
		expect(trigger.executions).toHaveLength(1);
		expect(trigger.executions[0][0].json).toMatchObject({ taskId, state: 'succeeded' });
		const progress = trigger.deliveries.filter((delivery) => !delivery.started);
		expect(
			progress.every(
				(delivery) =>
					delivery.status === 200 && (delivery.body as { started: boolean }).started === false,
			),
		).toBe(true);
	});

	it('starts one execution for a callback delivered twice, and for two copies arriving at once', async () => {
		emulator.options.callbackCopies = 2;
		const trigger = await startTrigger();
		const taskId = await createEmulatedTask(emulator, 'a dancer', signed(trigger.productionUrl));
		await waitFor(
			() =>
				trigger.deliveries.length === 2 &&
				trigger.deliveries.every((delivery) => delivery.status !== 0),
			5000,
			'both copies',
		);
		expect(trigger.executions).toHaveLength(1);
		expect(trigger.deliveries[1]).toMatchObject({
			status: 200,
			body: { started: false, reason: expect.stringMatching(`task ${taskId} .*already delivered`) },
		});
		expect(trigger.savedStaticData).toEqual({
			'node:Seedance Trigger': { deliveredTasks: { [`${taskId}:succeeded`]: expect.any(Number) } },
		});

		// Three copies of another task's callback at the same instant.
		emulator.options.callbacks = 'none';
		const racingId = await createEmulatedTask(
			emulator,
			'racing [latency=100]',
			signed(trigger.productionUrl),
		);
		const racing = emulator.tasks.get(racingId)!;
		await waitFor(() => emulator.stateOf(racing).state === 'succeeded', 5000, 'the racing job');
		const statuses = await Promise.all(
			[1, 2, 3].map(
				async () =>
					await emulator.postCallback(signed(trigger.productionUrl), emulator.statusBody(racing)),
			),
		);
		expect(statuses).toEqual([200, 200, 200]);
		expect(trigger.executions.filter(([item]) => item.json.taskId === racingId)).toHaveLength(1);
		// The two that lost the race read the task too, and say so with its state (a copy arriving
		// after the winner recorded it is refused before any read, without the state).
		const raced = trigger.deliveries
			.slice(-3)
			.map((delivery) => delivery.body as { started?: boolean; reason?: string });
		expect(raced.filter((body) => body.started === false)).toHaveLength(2);
		for (const body of raced.filter((body) => body.started === false))
			expect(body.reason).toMatch(
				new RegExp(`^task ${racingId} (succeeded )?was already delivered$`),
			);
	});
});

describe('Seedance Trigger: activation', () => {
	it.each(['anyTerminal', 'succeeded', 'unsuccessful'])(
		'activates with Trigger On "%s"',
		async (event) => {
			await expect(
				new TriggerReceiver({ event }, credentials()).activate(),
			).resolves.toBeUndefined();
		},
	);

	it('refuses to activate when an expression gives Trigger On a value that is none of its choices', async () => {
		const activation = new TriggerReceiver(
			{ event: "={{ 'everything' }}" },
			credentials(),
		).activate();
		await expect(activation).rejects.toThrow(
			'"Trigger On" is the text "everything", which is not one of its choices',
		);
		await expect(activation).rejects.toMatchObject({
			description: expect.stringContaining('Choose Any Finished Task, Video Ready or Task Failed'),
		});
	});
});

describe('Seedance Trigger: what it refuses', () => {
	const body = {
		data: {
			task_id: 'forged-task',
			status: 'COMPLETED',
			output: { video_url: 'https://evil.example.com/v.mp4' },
		},
	};

	it('answers 401 to a callback without a token and 403 to a wrong or forged one, starting nothing', async () => {
		const trigger = await startTrigger();
		const url = trigger.productionUrl;
		const otherKeyToken = signed(url, { apiKey: 'aio_someone_else' });
		expect(await emulator.postCallback(url, body)).toBe(401);
		expect(await emulator.postCallback(`${url}?seedance_token=guess`, body)).toBe(403);
		expect(await emulator.postCallback(`${url}?seedance_token=`, body)).toBe(403);
		expect(await emulator.postCallback(otherKeyToken, body)).toBe(403);
		expect(await emulator.postCallback(`${signed(url)}&seedance_token=again`, body)).toBe(403);
		expect(trigger.executions).toHaveLength(0);
		expect(trigger.deliveries.map((delivery) => delivery.status)).toEqual([
			401, 403, 403, 403, 403,
		]);
		expect(leaks(trigger.deliveries, emulator.apiKey)).toBe(false);
		expect(leaks(trigger.deliveries, callbackToken(emulator.apiKey, trigger.productionUrl))).toBe(
			false,
		);
	});

	it('checks the Callback Secret of the credential when one is set', async () => {
		const unconfirmed = { options: { confirmWithService: false } };
		const trigger = await startTrigger(unconfirmed, { callbackSecret: 'team-secret-123' });
		expect(await emulator.postCallback(signed(trigger.productionUrl), body)).toBe(403);
		expect(
			await emulator.postCallback(
				signed(trigger.productionUrl, { apiKey: 'x', callbackSecret: 'team-secret-123' }),
				body,
			),
		).toBe(200);
		// The trigger answers before it downloads the video, then starts the execution.
		await waitFor(() => trigger.executions.length === 1, 5000, 'the execution');
		expect(trigger.executions).toHaveLength(1);
	});

	it.each([
		['not JSON', 'this is not json', 'application/json', 'The body is not a JSON object'],
		['HTML as text', '<html>oops</html>', 'text/html', 'The body is not a JSON object'],
		['a JSON array', '[{"task_id":"t"}]', 'application/json', 'The body is not a JSON object'],
		[
			'no task id',
			'{"data":{"status":"COMPLETED"}}',
			'application/json',
			'The body holds no task ID',
		],
		[
			'absurdly large',
			JSON.stringify({ task_id: 't', status: 'COMPLETED', padding: 'x'.repeat(2 * 1024 * 1024) }),
			'application/json',
			'bytes; a task callback is at most',
		],
	])('answers 400 to %s and starts nothing', async (_name, text, contentType, reason) => {
		const trigger = await startTrigger();
		expect(
			await emulator.postCallback(signed(trigger.productionUrl), text, {
				'content-type': contentType,
			}),
		).toBe(400);
		expect(trigger.executions).toHaveLength(0);
		expect((trigger.deliveries[0].body as { message: string }).message).toContain(reason);
	});

	it('keeps the token out of the output when the service echoes the callback URL (unconfirmed)', async () => {
		// Simplify off: the raw callback, where the echoed URL sits, is output too.
		const trigger = await startTrigger({ simplify: false, options: { confirmWithService: false } });
		const url = signed(trigger.productionUrl);
		expect(
			await emulator.postCallback(url, {
				task_id: 'echo',
				status: 'success',
				video_url: 'https://cdn.example.com/v.mp4',
				callback_url: url,
			}),
		).toBe(200);
		// The trigger answers before it downloads the video, then starts the execution.
		await waitFor(() => trigger.executions.length === 1, 5000, 'the execution');
		expect(trigger.executions).toHaveLength(1);
		expect(leaks(trigger.executions, callbackToken(emulator.apiKey, trigger.productionUrl))).toBe(
			false,
		);
		expect(JSON.stringify(trigger.executions)).toContain('[redacted]');
	});
});

describe('Seedance Trigger: callbacks are claims, the service is the truth', () => {
	async function finishedTask(prompt = 'a dancer [latency=100]') {
		emulator.options.callbacks = 'none';
		const taskId = await createEmulatedTask(emulator, prompt, 'http://127.0.0.1:9/unused');
		const task = emulator.tasks.get(taskId)!;
		await waitFor(() => emulator.stateOf(task).state === 'succeeded', 5000, 'the job');
		return task;
	}

	it('a signed callback for a task the service does not know starts nothing (409)', async () => {
		const trigger = await startTrigger();
		const body = {
			data: {
				task_id: 'made-up',
				status: 'COMPLETED',
				output: { video_url: 'http://127.0.0.1:9/x' },
			},
		};
		expect(await emulator.postCallback(signed(trigger.productionUrl), body)).toBe(409);
		expect(trigger.executions).toHaveLength(0);
	});

	it('a signed "COMPLETED" for a task still running starts nothing', async () => {
		const trigger = await startTrigger();
		emulator.options.callbacks = 'none';
		const taskId = await createEmulatedTask(
			emulator,
			'slow [latency=5000]',
			'http://127.0.0.1:9/unused',
		);
		const body = {
			data: { task_id: taskId, status: 'COMPLETED', output: { video_url: 'http://127.0.0.1:9/x' } },
		};
		expect(await emulator.postCallback(signed(trigger.productionUrl), body)).toBe(200);
		expect(trigger.deliveries[0].body).toMatchObject({
			started: false,
			reason: expect.stringMatching(
				new RegExp(`^API in One says task ${taskId} is (queued|running)$`),
			),
		});
		expect(trigger.executions).toHaveLength(0);
	});

	it('takes the state and the video link from the service, not the body; a replay with another state is a duplicate', async () => {
		const trigger = await startTrigger({ options: { downloadVideo: true } });
		const task = await finishedTask();
		const foreign = {
			data: {
				task_id: task.taskId,
				status: 'COMPLETED',
				output: { video_url: 'http://127.0.0.1:9/internal.json' },
			},
		};
		expect(await emulator.postCallback(signed(trigger.productionUrl), foreign)).toBe(200);
		await waitFor(() => trigger.executions.length === 1, 5000, 'the execution');
		const [[item]] = trigger.executions;
		expect(item.json).toMatchObject({
			taskId: task.taskId,
			state: 'succeeded',
			videoUrl: emulator.view(task).videoUrl,
		});
		expect(Buffer.from(item.binary!.data.data, 'base64').equals(SAMPLE_MP4)).toBe(true);

		const replay = {
			data: { task_id: task.taskId, status: 'FAILED', error: { message: 'replayed' } },
		};
		expect(await emulator.postCallback(signed(trigger.productionUrl), replay)).toBe(200);
		expect(trigger.executions).toHaveLength(1);
	});

	it('asks the caller to try again (503) while the service cannot confirm', async () => {
		const trigger = await startTrigger();
		const task = await finishedTask();
		emulator.inject(
			'status',
			...Array.from({ length: 6 }, () => ({ kind: 'status' as const, code: 502 })),
		);
		expect(
			await emulator.postCallback(signed(trigger.productionUrl), emulator.statusBody(task)),
		).toBe(503);
		expect(trigger.executions).toHaveLength(0);
	});
});

describe('Generate -> callback -> Seedance Trigger', () => {
	it("a new trigger's output carries the task Generate created, and its video", async () => {
		const trigger = await startNewTrigger();
		const generate = seedanceNode({
			resource: 'video',
			operation: 'generate',
			prompt: 'A dancer spinning in the rain',
			callbackUrl: trigger.productionUrl,
			waitForCompletion: false,
		});
		// Generate runs on the n8n the trigger lives on (its webhook base URL).
		const run = await runWorkflow([itemsNode([{ json: {} }]), generate], {
			credentials: credentials(),
			webhookBase: `${new URL(trigger.productionUrl).origin}/`,
		});
		expect(run.errorOf('Seedance')).toBeUndefined();
		const taskId = run.output('Seedance')[0].json.taskId;
		// Generate signed the URL it was given.
		const sentCallback = new URL(String(emulator.tasks.get(String(taskId))!.body.callback_url));
		expect(sentCallback.searchParams.get('seedance_token')).toBe(
			callbackToken(emulator.apiKey, sentCallback.toString()),
		);
		expect(leaks(run.output('Seedance'), emulator.apiKey)).toBe(false);

		await waitFor(() => trigger.executions.length === 1, 5000, 'the execution');
		const [[item]] = trigger.executions;
		expect(item.json).toMatchObject({ taskId, state: 'succeeded', rawStatus: 'COMPLETED' });
		const bytes = Buffer.from(item.binary!.data.data, 'base64');
		expect(bytes.equals(SAMPLE_MP4)).toBe(true);
		expect(item.binary!.data).toMatchObject({
			mimeType: 'video/mp4',
			fileName: `${String(taskId)}.mp4`,
		});
		// Answered before the download, so a slow download cannot make the service retry.
		expect(trigger.deliveries[0]).toMatchObject({
			status: 200,
			body: { received: true, started: true },
		});
		expect(leaks(trigger.executions, emulator.apiKey)).toBe(false);
	});

	it('keeps to its Max Video Size: a larger video is not downloaded, the workflow starts with the reason', async () => {
		emulator.options.downloadBytes = 2 * 1024 * 1024;
		const trigger = await startTrigger({ options: { downloadVideo: true, maxVideoSize: 1 } });
		await createEmulatedTask(emulator, 'a long shot', signed(trigger.productionUrl));
		await waitFor(() => trigger.executions.length === 1, 10_000, 'the execution');
		const [[item]] = trigger.executions;
		expect(item.binary).toBeUndefined();
		expect(String(item.json.downloadError)).toMatch(/1 MB/);
	});

	it('still starts the workflow, with the reason, when the video cannot be downloaded', async () => {
		const trigger = await startTrigger({ options: { downloadVideo: true } });
		await createEmulatedTask(emulator, 'a dancer [expire-url]', signed(trigger.productionUrl));
		await waitFor(() => trigger.executions.length === 1, 10_000, 'the execution');
		const [[item]] = trigger.executions;
		expect(item.binary).toBeUndefined();
		expect(item.json).toMatchObject({ state: 'succeeded' });
		expect(String(item.json.downloadError)).toMatch(/expired|403|refused/i);
	});
});

describe('Seedance Trigger: what each answer says, and what it keeps', () => {
	const finished = (taskId: string, status = 'COMPLETED') => ({
		data: { task_id: taskId, status, output: { video_url: 'http://127.0.0.1:9/x.mp4' } },
	});

	it('says why it started nothing: progress, a status word it does not know (unconfirmed), another event, a duplicate', async () => {
		const trigger = await startTrigger({
			event: 'succeeded',
			options: { confirmWithService: false },
		});
		const url = signed(trigger.productionUrl);
		const reasons = [];
		for (const body of [
			finished('t-progress', 'IN_PROGRESS'),
			finished('t-odd', 'FINALIZED'),
			finished('t-failed', 'FAILED'),
			finished('t-ok'),
			finished('t-ok'),
		]) {
			expect(await emulator.postCallback(url, body)).toBe(200);
			reasons.push((trigger.deliveries.at(-1)!.body as { reason?: string }).reason);
		}
		expect(reasons).toEqual([
			'task t-progress is running; the trigger starts on finished tasks only',
			'task t-odd says "FINALIZED", which is no known finished state, and "Confirm With API in One" is off',
			'task t-failed failed; this trigger fires on "succeeded"',
			undefined,
			'task t-ok was already delivered',
		]);
		expect(trigger.deliveries.map((delivery) => delivery.body)).toContainEqual({
			received: true,
			started: false,
			reason: reasons[0],
		});
		expect(trigger.executions.map(([item]) => item.json.taskId)).toEqual(['t-ok']);
	});

	it('remembers a finished task another event skipped: its replays cost no read', async () => {
		const trigger = await startTrigger({ event: 'succeeded' });
		emulator.options.callbacks = 'none';
		const taskId = await createEmulatedTask(emulator, 'x [fail]', 'http://127.0.0.1:9/unused');
		const task = emulator.tasks.get(taskId)!;
		await waitFor(() => emulator.stateOf(task).state === 'failed', 5000, 'the job');
		const reads = emulator.count('status');
		for (let copy = 0; copy < 3; copy++)
			expect(
				await emulator.postCallback(signed(trigger.productionUrl), emulator.statusBody(task)),
			).toBe(200);
		expect(emulator.count('status') - reads).toBe(1);
		expect(trigger.executions).toHaveLength(0);
	});

	it('tells a refused caller where callbacks belong', async () => {
		const trigger = await startTrigger();
		expect(await emulator.postCallback(trigger.productionUrl, finished('t-1'))).toBe(401);
		expect((trigger.deliveries[0].body as { message: string }).message).toMatch(
			/: send callbacks to the URL the Seedance node gave the service$/,
		);
	});

	it('keeps the memories of two workflows apart even when their trigger nodes share an ID (a workflow imported twice)', async () => {
		const twins = [0, 1].map(
			() =>
				new WebhookReceiver({
					node: {
						id: 'imported-trigger',
						name: 'Seedance Trigger',
						type: 'n8n-nodes-seedance.seedanceTrigger',
						parameters: {
							event: 'anyTerminal',
							options: { confirmWithService: false, downloadVideo: false },
						},
						credentials: { seedanceApi: { id: '1', name: 'Seedance account' } },
					},
					credentials: credentials(),
				}),
		);
		try {
			for (const twin of twins) {
				await twin.start();
				expect(await emulator.postCallback(signed(twin.productionUrl), finished('t-shared'))).toBe(
					200,
				);
			}
			expect(twins.map((twin) => twin.executions.length)).toEqual([1, 1]);
		} finally {
			for (const twin of twins) await twin.stop();
		}
	});

	it('outputs the lean task by default, and the raw body with Simplify off', async () => {
		for (const simplify of [true, false]) {
			const trigger = await startTrigger({ simplify, options: { confirmWithService: false } });
			expect(
				await emulator.postCallback(signed(trigger.productionUrl), finished(`t-${simplify}`)),
			).toBe(200);
			expect('raw' in trigger.executions[0][0].json).toBe(!simplify);
			await trigger.stop();
		}
	});

	it('downloads only a video that succeeded, and says so when a succeeded task has no link', async () => {
		const trigger = await startNewTrigger();
		const url = signed(trigger.productionUrl);
		emulator.options.callbacks = 'none';
		const failedId = await createEmulatedTask(emulator, 'x [fail]', 'http://127.0.0.1:9/unused');
		const failed = emulator.tasks.get(failedId)!;
		await waitFor(() => emulator.stateOf(failed).state === 'failed', 5000, 'the job');
		expect(await emulator.postCallback(url, emulator.statusBody(failed))).toBe(200);
		const [[item]] = trigger.executions;
		expect(item.json).toMatchObject({ taskId: failedId, state: 'failed' });
		expect(item.json.downloadError).toBeUndefined();
		expect(item.binary).toBeUndefined();
		await trigger.stop();

		const unconfirmed = await startTrigger({
			options: { confirmWithService: false, downloadVideo: true },
		});
		const noLink = { data: { task_id: 't-no-link', status: 'COMPLETED' } };
		expect(await emulator.postCallback(signed(unconfirmed.productionUrl), noLink)).toBe(200);
		await waitFor(() => unconfirmed.executions.length === 1, 5000, 'the execution');
		expect(unconfirmed.executions[0][0].json).toMatchObject({
			taskId: 't-no-link',
			state: 'succeeded',
			downloadError: 'The task has no video link',
		});
	});
});
