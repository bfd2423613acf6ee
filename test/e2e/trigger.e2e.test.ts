/**
 * Journey: the Seedance Trigger served by `n8n start`: a Generate's callback starts one execution.
 * The package inside real n8n installs (each version of N8N_VERSIONS) against the emulator on
 * loopback; every claim checked in what n8n itself recorded (its database and binary data store).
 */
import {
	callbackToken,
	signCallbackUrl,
	withCallbackToken,
} from '../../nodes/shared/domain/callbackToken';
import { Emulator, SAMPLE_MP4 } from '../emulator/server';
import { createEmulatedTask } from '../helpers';
import { freePort, type RealN8n } from '../harness/realN8n';
import { eachRealN8n } from './journey';
import { example, outputOf, tasksUpTo, until } from './workflows';

const TRIGGER_WEBHOOK_ID = '6a1f6a8e-5eed-4a2c-9d1e-000000000001';
const LOAD_WEBHOOK_ID = '6a1f6a8e-5eed-4a2c-9d1e-00000000100a';
const LOAD_CALLBACKS = Number(process.env.E2E_LOAD_CALLBACKS ?? 1000);
const BURST_WEBHOOK_ID = '6a1f6a8e-5eed-4a2c-9d1e-00000000200b';
const BURST_WORKFLOW_ID = 'e2eBurstTrig01';
const BURST_CALLBACKS = 50;

const emulator = new Emulator({ latencyMs: 1500 });

eachRealN8n(emulator, (version, current) => {
	let n8n: RealN8n;
	const triggerPath = `${TRIGGER_WEBHOOK_ID}/callback`;
	let port = 0;
	const burstPath = `${BURST_WEBHOOK_ID}/callback`;
	const webhookPaths = [triggerPath, `${LOAD_WEBHOOK_ID}/callback`, burstPath];

	beforeAll(async () => {
		n8n = current();
		port = await freePort();
		// `n8n execute` below runs with the WEBHOOK_URL `n8n start` will serve: Generate signs only
		// URLs of its own n8n.
		n8n.port = port;
		// Workflow B: the example trigger, and a second one without download for the load test.
		await n8n.importWorkflow(example('callback-trigger.json'));
		const load = example('callback-trigger.json');
		load.id = 'e2eLoadTrig001';
		load.name = 'E2E load trigger';
		Object.assign(load.nodes[0], {
			webhookId: LOAD_WEBHOOK_ID,
			// Made-up tasks measure n8n's intake: the check with the service and the download are off.
			parameters: {
				event: 'anyTerminal',
				options: { confirmWithService: false, downloadVideo: false },
			},
		});
		await n8n.importWorkflow(load);
		// A trigger as the panel adds it: every parameter at its default.
		const burst = example('callback-trigger.json');
		Object.assign(burst, { id: BURST_WORKFLOW_ID, name: 'E2E new trigger, burst' });
		Object.assign(burst.nodes[0], { webhookId: BURST_WEBHOOK_ID, parameters: {} });
		await n8n.importWorkflow(burst);
		for (const id of ['seedanceTrigger1', 'e2eLoadTrig001', BURST_WORKFLOW_ID])
			await n8n.activate(id);
		// Workflow A: the example Generate, pointed at this n8n's trigger URL.
		const generating = example('generate-with-callback.json');
		Object.assign(generating.nodes[1].parameters as Record<string, unknown>, {
			callbackUrl: `http://127.0.0.1:${port}/webhook/${triggerPath}`,
		});
		await n8n.importWorkflow(generating);
	});

	/**
	 * One more finished task's callback to the example trigger, after everything under test was
	 * answered: its execution closes the check (see tasksUpTo).
	 */
	async function sentinel(signedUrl: string): Promise<string> {
		const task = await finishedTask('Sentinel [latency=100]', signedUrl);
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(task))).toBe(200);
		return task.taskId;
	}

	/** A task made at the service with this callback URL, once the service has finished it. */
	async function finishedTask(prompt: string, callbackUrl: string) {
		const task = emulator.tasks.get(await createEmulatedTask(emulator, prompt, callbackUrl))!;
		await until(
			async () => emulator.stateOf(task).state,
			(state) => state === 'succeeded',
			10_000,
			`the job "${prompt}"`,
		);
		return task;
	}

	it('2. The callback of a Generate starts exactly one execution of the trigger workflow; forged and duplicate callbacks start none', async () => {
		// Workflow A runs (n8n execute) and ends; the service calls back later, once n8n serves
		// webhooks.
		emulator.holdCallbacks = true;
		const generated = await n8n.execute('seedanceCallGen1');
		expect(generated.status).toBe('success');
		const [created] = outputOf(generated.data, 'Start video');
		await n8n.start(port, webhookPaths);
		emulator.holdCallbacks = false;
		const executions = await until(
			() => n8n.executions('seedanceTrigger1'),
			(rows) =>
				rows.length >= 1 && rows.every((row) => row.status === 'success' || row.status === 'error'),
			60_000,
			'the trigger execution',
		);
		expect(executions).toHaveLength(1);
		expect(executions[0].status).toBe('success');
		const task = emulator.tasks.get(String(created.json.taskId))!;
		expect(emulator.tasks.size).toBe(1);
		const run = await n8n.runOf(executions[0].id);
		const [item] = outputOf(run, 'Seedance Trigger');
		expect(item.json).toMatchObject({ taskId: task.taskId, state: 'succeeded' });
		expect(n8n.binaryBytes(item.binary!.data).equals(SAMPLE_MP4)).toBe(true);

		const signedUrl = String(task.body.callback_url);
		expect(new URL(signedUrl).searchParams.get('seedance_token')).toBe(
			callbackToken(emulator.apiKey, signedUrl),
		);
		const delivered = emulator.callbacks.find((callback) => callback.url === signedUrl)!;
		const plainUrl = n8n.webhookUrl(triggerPath);
		expect(await emulator.postCallback(plainUrl, delivered.body)).toBe(401);
		expect(await emulator.postCallback(withCallbackToken(plainUrl, 'forged'), delivered.body)).toBe(
			403,
		);
		expect(
			await emulator.postCallback(signCallbackUrl(plainUrl, 'aio_another_key'), delivered.body),
		).toBe(403);
		// The right key's token, made for another URL (another host's): opens nothing here.
		const elsewhere = new URL(
			signCallbackUrl('https://collector.example/hooks/seedance', emulator.apiKey),
		).searchParams.get('seedance_token')!;
		expect(
			await emulator.postCallback(withCallbackToken(plainUrl, elsewhere), delivered.body),
		).toBe(403);
		expect(await emulator.postCallback(signedUrl, delivered.body)).toBe(200);
		expect(
			await emulator.postCallback(signedUrl, 'not json at all', { 'content-type': 'text/plain' }),
		).toBe(400);
		const last = await sentinel(signedUrl);
		expect(await tasksUpTo(n8n, 'seedanceTrigger1', 0, last)).toEqual([task.taskId, last]);
	});

	it('2b. The same signed callback 5 times at once starts one execution, and again after a restart none; a made-up task none', async () => {
		const before = (await n8n.executions('seedanceTrigger1')).length;
		emulator.holdCallbacks = true;
		const signedUrl = signCallbackUrl(n8n.webhookUrl(triggerPath), emulator.apiKey);
		const task = await finishedTask('Concurrent [latency=200]', signedUrl);
		const { taskId } = task;
		const statuses = await Promise.all(
			Array.from(
				{ length: 5 },
				async () => await emulator.postCallback(signedUrl, emulator.statusBody(task)),
			),
		);
		expect(statuses).toEqual([200, 200, 200, 200, 200]);
		const rows = await until(
			() => n8n.executions('seedanceTrigger1'),
			(found) => found.length > before && found.every((row) => row.status !== 'running'),
			30_000,
			'the execution',
		);
		expect(rows.length - before).toBe(1);
		const first = await sentinel(signedUrl);
		expect(await tasksUpTo(n8n, 'seedanceTrigger1', before, first)).toEqual([taskId, first]);

		// The workflow is activated anew when n8n starts again (start() waits until the trigger's
		// path answers); the delivery is remembered.
		await n8n.stop();
		await n8n.start(port, webhookPaths, triggerPath);
		expect(await emulator.postCallback(signedUrl, emulator.statusBody(task))).toBe(200);
		const forged = {
			data: {
				task_id: 'made-up-task',
				status: 'COMPLETED',
				output: { video_url: 'http://127.0.0.1:9/x' },
			},
		};
		expect(await emulator.postCallback(signedUrl, forged)).toBe(409);
		const second = await sentinel(signedUrl);
		expect(await tasksUpTo(n8n, 'seedanceTrigger1', before, second)).toEqual([
			taskId,
			first,
			second,
		]);
		emulator.holdCallbacks = false;
	});

	it(`2c. A new trigger (its defaults) starts with the video; ${BURST_CALLBACKS} distinct finished callbacks at once start ${BURST_CALLBACKS} executions, all remembered: after a restart the service resending all ${BURST_CALLBACKS} starts none`, async () => {
		if (!n8n.running) await n8n.start(port, webhookPaths);
		emulator.holdCallbacks = true;
		const signedUrl = signCallbackUrl(n8n.webhookUrl(burstPath), emulator.apiKey);
		const taskIds = await Promise.all(
			Array.from(
				{ length: BURST_CALLBACKS },
				async (_, index) =>
					await createEmulatedTask(emulator, `Burst ${index} [latency=300]`, signedUrl),
			),
		);
		const tasks = taskIds.map((taskId) => emulator.tasks.get(taskId)!);
		await until(
			async () => tasks.filter((task) => emulator.stateOf(task).state === 'succeeded').length,
			(finished) => finished === BURST_CALLBACKS,
			30_000,
			'the jobs',
		);
		// Each sent again when no success comes within 5 s, as the service does.
		const deliver = async (task: (typeof tasks)[number]) =>
			await emulator.deliverCallback(signedUrl, emulator.statusBody(task));
		/** The service delivering these tasks' callbacks, at most 8 in flight. */
		const deliverEach = async (list: typeof tasks) => {
			let next = 0;
			await Promise.all(
				Array.from({ length: 8 }, async () => {
					while (next < list.length) expect(await deliver(list[next++])).toBe(200);
				}),
			);
		};
		const began = Date.now();
		const statuses = await Promise.all(tasks.map(deliver));
		const answered = statuses.filter((status) => status === 200).length;
		// On 2 busy cores n8n may refuse part of the burst (503 while its database ping fails, or no
		// answer): the service sends those again later.
		await until(() => n8n.ready(), Boolean, 120_000, 'n8n ready again after the burst');
		await deliverEach(tasks.filter((_, index) => statuses[index] !== 200));
		const first = await sentinel(signedUrl);
		const startedBefore = await tasksUpTo(n8n, BURST_WORKFLOW_ID, 0, first);
		const startedIn = (Date.now() - began) / 1000;
		expect(startedBefore.sort()).toEqual([...taskIds, first].sort());
		// Its defaults download: the execution starts with the service's MP4.
		const rows = await n8n.executions(BURST_WORKFLOW_ID);
		const [item] = outputOf(await n8n.runOf(rows[0].id), 'Seedance Trigger');
		expect(item.json).toMatchObject({ state: 'succeeded' });
		expect(n8n.binaryBytes(item.binary!.data).equals(SAMPLE_MP4)).toBe(true);
		// What a restart starts from: n8n's last save of the static data holds every delivery.
		const saved = async () =>
			Object.keys(
				((await n8n.staticData(BURST_WORKFLOW_ID))['node:Seedance Trigger']?.deliveredTasks ??
					{}) as object,
			);
		const remembered = await until(
			saved,
			(keys) => startedBefore.every((taskId) => keys.includes(`${taskId}:succeeded`)),
			60_000,
			'every delivery in the saved static data',
		);
		expect(remembered).toHaveLength(BURST_CALLBACKS + 1);

		await n8n.stop();
		await n8n.start(port, webhookPaths, burstPath);
		await deliverEach(tasks);
		const second = await sentinel(signedUrl);
		expect(await tasksUpTo(n8n, BURST_WORKFLOW_ID, BURST_CALLBACKS + 1, second)).toEqual([second]);
		console.log(
			`[e2e n8n ${version}] burst: ${BURST_CALLBACKS} callbacks at once, ${answered} answered 200 (the rest sent again once n8n was ready) -> ${BURST_CALLBACKS} executions in ${startedIn.toFixed(1)} s, all in the saved memory; after a restart the ${BURST_CALLBACKS} resent started none`,
		);
	});

	it(`4. Load: ${LOAD_CALLBACKS} callbacks (sent again as the service does when no answer comes in 5 s) -> ${LOAD_CALLBACKS} executions, none lost, none twice; a replay of the first after them starts nothing`, async () => {
		if (!n8n.running) await n8n.start(port, webhookPaths);
		const url = signCallbackUrl(n8n.webhookUrl(`${LOAD_WEBHOOK_ID}/callback`), emulator.apiKey);
		const loadCallback = (index: number) => ({
			code: 200,
			message: 'success',
			data: {
				task_id: `load-${index}`,
				status: 'COMPLETED',
				output: { video_url: `${emulator.cdnUrl}/files/load-${index}.mp4` },
			},
		});
		const began = Date.now();
		const statuses: Array<number | null> = [];
		let next = 0;
		// At most 8 callbacks in flight: a busy service, not a flood.
		await Promise.all(
			Array.from({ length: 8 }, async () => {
				while (next < LOAD_CALLBACKS) {
					const index = next++;
					// As the service does: no answer within 5 s (busy cores) -> sent again, a duplicate.
					statuses[index] = await emulator.deliverCallback(url, loadCallback(index));
				}
			}),
		);
		const posted = Date.now();
		const rows = await until(
			() => n8n.executions('e2eLoadTrig001'),
			(found) => found.length >= LOAD_CALLBACKS && found.every((row) => row.status === 'success'),
			300_000,
			'every load execution',
		);
		const done = Date.now();
		expect(statuses.filter((status) => status === 200)).toHaveLength(LOAD_CALLBACKS);
		expect(rows).toHaveLength(LOAD_CALLBACKS);
		const taskIds = new Set<string>();
		// Spot-check the recorded task of a sample of executions (reading all 1,000 is slow and
		// proves no more).
		for (const row of rows.filter((_, index) => index % 100 === 0)) {
			taskIds.add(String(outputOf(await n8n.runOf(row.id), 'Seedance Trigger')[0].json.taskId));
		}
		expect(taskIds.size).toBe(Math.ceil(LOAD_CALLBACKS / 100));
		// The first callback replayed after all the others: remembered, nothing starts.
		expect(await emulator.postCallback(url, loadCallback(0))).toBe(200);
		const last = `load-${LOAD_CALLBACKS}`;
		expect(await emulator.postCallback(url, loadCallback(LOAD_CALLBACKS))).toBe(200);
		expect(await tasksUpTo(n8n, 'e2eLoadTrig001', LOAD_CALLBACKS, last)).toEqual([last]);
		console.log(
			`[e2e n8n ${version}] load: ${LOAD_CALLBACKS} callbacks posted in ${((posted - began) / 1000).toFixed(1)} s, ` +
				`${rows.length} executions recorded (all success) after ${((done - began) / 1000).toFixed(1)} s; lost: ${LOAD_CALLBACKS - rows.length}`,
		);
	});
});
