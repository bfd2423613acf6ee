/**
 * The package in n8n's queue mode: Redis, PostgreSQL, a main process, two workers and two webhook
 * processes (test/harness/queueMode.ts), against the emulator. Counts come from n8n's database
 * and the emulator, on every version of N8N_VERSIONS.
 */
import { tmpdir } from 'node:os';

import { signCallbackUrl } from '../../nodes/shared/domain/callbackToken';
import { Emulator, SAMPLE_MP4, type CallbackRecord, type EmulatedTask } from '../emulator/server';
import { launchChromium } from '../harness/browser';
import { QueueN8n, QueueServices } from '../harness/queueMode';
import { N8N_VERSIONS, installN8n, packPackage, type StoredRun } from '../harness/realN8n';
import {
	CREDENTIAL,
	chain,
	example,
	generate,
	manual,
	node,
	outputOf,
	settle,
	tasksUpTo,
	triggeredTasks,
	until,
	webhookStart,
} from './workflows';

const LOAD_CALLBACKS = Number(process.env.E2E_QUEUE_LOAD_CALLBACKS ?? 1000);
/** How long the load may take: about 2 minutes on 2 quiet cores, far more on busy ones. */
const LOAD_LIMIT_MS = 1_500_000;
const MANUAL_GENERATE = 'queueManual0001';
const MANUAL_KEYED = 'queueManualKey1';
const MANUAL_KEYED_RACE = 'queueManualKey2';
/** Executions of one keyed workflow started at once: more than one worker's concurrency (5). */
const RACING_EXECUTIONS = 6;
/** Distinct callbacks sent at once over both webhook processes (Q11). */
const BURST_CALLBACKS = 30;
const POLL_OPTIONS = { pollInterval: 0.5, downloadVideo: true };
const RESUME_OPTIONS = {
	confirmCallbacks: false,
	downloadVideo: true,
	maxWaitTime: 300,
};
const MANUAL_RESUME = 'queueManualRes1';
const TRIGGER_WEBHOOK_ID = '7b2e7b9f-5eed-4a2c-9d1e-0000000000a1';

const emulator = new Emulator({ latencyMs: 1500 });
let tarball = '';

beforeAll(async () => {
	await emulator.start();
	tarball = packPackage(tmpdir());
});

afterAll(async () => {
	await emulator.stop();
});

const splitPrompts = () =>
	node('Split', 'n8n-nodes-base.splitOut', {
		fieldToSplitOut: 'body.prompts',
		options: { destinationFieldName: 'prompt' },
	});

describe.each(N8N_VERSIONS)('n8n %s in queue mode (2 workers, 2 webhook processes)', (version) => {
	const services = new QueueServices();
	let n8n: QueueN8n;
	let webhookUrls: string[] = [];
	const triggerPath = `${TRIGGER_WEBHOOK_ID}/callback`;

	const post = async (base: string, pathPart: string, body: unknown) =>
		(
			await fetch(`${base}/webhook/${pathPart}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			})
		).status;

	beforeAll(async () => {
		await services.start();
		n8n = new QueueN8n(version, installN8n(version), services);
		n8n.installPackage(tarball);
		await n8n.importCredential({
			...CREDENTIAL,
			data: { apiKey: emulator.apiKey, baseUrl: emulator.url },
		});
		const trigger = example('callback-trigger.json');
		trigger.id = 'queueTrigger001';
		Object.assign(trigger.nodes[0], { webhookId: TRIGGER_WEBHOOK_ID });
		// The load posts callbacks of made-up tasks: no confirmation, no download.
		Object.assign(trigger.nodes[0].parameters as Record<string, unknown>, {
			options: { confirmWithService: false, downloadVideo: false },
		});
		const workflows = [
			trigger,
			chain('queueGenerate01', 'Queue: generate and download', [
				webhookStart('q-generate'),
				generate({
					prompt: '={{ $json.body.prompt }}',
					options: POLL_OPTIONS,
				}),
			]),
			chain('queueResume0001', 'Queue: resume on callback', [
				webhookStart('q-resume'),
				splitPrompts(),
				generate({
					prompt: '={{ $json.prompt }}',
					waitMode: 'resume',
					options: RESUME_OPTIONS,
				}),
				node('After', 'n8n-nodes-base.noOp', {}),
			]),
		];
		for (const workflow of workflows) {
			await n8n.importWorkflow(workflow);
			await n8n.activate(workflow.id as string);
		}
		// Run by hand (REST, the editor): never activated.
		await n8n.importWorkflow(
			chain(MANUAL_GENERATE, 'Queue: manual generate and download', [
				manual(),
				generate({ options: POLL_OPTIONS }),
			]),
		);
		await n8n.importWorkflow(
			chain(MANUAL_KEYED, 'Queue: manual generate with idempotency keys', [
				manual(),
				node(
					'Rows',
					'n8n-nodes-base.set',
					{ mode: 'raw', jsonOutput: JSON.stringify({ rows: ['q key a', 'q key b'] }) },
					{ typeVersion: 3.4 },
				),
				node('Split', 'n8n-nodes-base.splitOut', { fieldToSplitOut: 'rows' }),
				generate({
					prompt: '={{ $json.rows }}',
					waitForCompletion: false,
					options: { idempotencyKey: '={{ $json.rows }}' },
				}),
			] as Array<{ name: string }>),
		);
		await n8n.importWorkflow(
			chain(MANUAL_KEYED_RACE, 'Queue: keyed executions racing', [
				manual(),
				// Every job started within one 5-second window wakes at its end, on both workers at once:
				// they reach n8n's store together.
				node(
					'Together',
					'n8n-nodes-base.wait',
					{
						resume: 'specificTime',
						dateTime:
							'={{ DateTime.fromMillis(Math.ceil(($now.toMillis() + 3000) / 5000) * 5000).toISO() }}',
					},
					{ typeVersion: 1.1 },
				),
				node(
					'Rows',
					'n8n-nodes-base.set',
					{
						mode: 'raw',
						jsonOutput: JSON.stringify({ rows: ['q race a', 'q race b', 'q race c'] }),
					},
					{ typeVersion: 3.4 },
				),
				node('Split', 'n8n-nodes-base.splitOut', { fieldToSplitOut: 'rows' }),
				generate({
					prompt: '={{ $json.rows }}',
					waitForCompletion: false,
					options: { idempotencyKey: '={{ $json.rows }}' },
				}),
			] as Array<{ name: string }>),
		);
		await n8n.importWorkflow(
			chain(MANUAL_RESUME, 'Queue: manual resume on callback', [
				manual(),
				generate({
					waitMode: 'resume',
					options: RESUME_OPTIONS,
				}),
				node('After', 'n8n-nodes-base.noOp', {}),
			]),
		);
		webhookUrls = await n8n.startAll({
			workers: 2,
			concurrency: 5,
			webhookProcesses: 2,
			webhookPaths: [triggerPath, 'q-generate', 'q-resume'],
		});
	}, 1_800_000);

	afterAll(async () => {
		await n8n?.stop();
		n8n?.remove();
		await services.stop();
	});

	beforeEach(() => {
		emulator.reset();
		emulator.options.callbacks = 'none';
	});

	it('Q1. Generate -> wait -> download runs on a worker and stores the video in the database, byte for byte', async () => {
		expect(await post(webhookUrls[0], 'q-generate', { prompt: 'A lighthouse at dawn' })).toBe(200);
		const [row] = await until(
			() => n8n.executions('queueGenerate01'),
			(rows) => rows.length === 1 && ['success', 'error', 'crashed'].includes(rows[0].status),
			120_000,
			'the queued execution',
		);
		expect(row.status).toBe('success');
		const [item] = outputOf(await n8n.runOf(row.id), 'Generate');
		expect(item.json).toMatchObject({ state: 'succeeded' });
		const stored = await n8n.storedBinary(item.binary!.data);
		// n8n 2.x keeps binary data in the database in queue mode; 1.x in the execution data.
		expect(stored.mode).toBe(version.startsWith('1.') ? 'default' : 'database');
		expect(stored.bytes.equals(SAMPLE_MP4)).toBe(true);
		expect(emulator.count('create')).toBe(1);
	});

	it('Q2. One callback delivered twice: to both webhook processes a second apart, or to one process at the same instant -> one execution; to both at the same instant -> measured', async () => {
		const url = (base: string) =>
			signCallbackUrl(`${base}/webhook/${triggerPath}`, emulator.apiKey);
		const callback = (taskId: string) => ({ data: { task_id: taskId, status: 'COMPLETED' } });
		const count = async () => (await n8n.executions('queueTrigger001')).length;
		/**
		 * Executions of `taskId` started since `counted`: once its deliveries are answered, one more
		 * callback (a new task) goes to each process, and their executions are waited for. An
		 * execution a duplicate started is recorded before them: a state to wait for, not a pause.
		 */
		let sentinels = 0;
		const startedSince = async (counted: number, taskId: string) => {
			await until(count, (now) => now > counted, 60_000, 'the execution of the callback');
			const marks = webhookUrls.map(() => `q-sentinel-${sentinels++}`);
			for (const [index, base] of webhookUrls.entries())
				expect(await emulator.postCallback(url(base), callback(marks[index]))).toBe(200);
			let tasks: string[] = [];
			for (const mark of marks) tasks = await tasksUpTo(n8n, 'queueTrigger001', counted, mark);
			return tasks.filter((found) => found === taskId).length;
		};
		const before = await count();
		expect(await emulator.postCallback(url(webhookUrls[0]), callback('q-apart'))).toBe(200);
		await until(count, (now) => now > before, 60_000, 'the execution of the first delivery');
		// The scenario itself: the service's second delivery a second after the first.
		await settle(1000);
		expect(await emulator.postCallback(url(webhookUrls[1]), callback('q-apart'))).toBe(200);
		const apart = await startedSince(before, 'q-apart');

		// Twice at the same instant to one process: its own memory refuses the second.
		const counted = await count();
		await Promise.all(
			[0, 0].map((at) => emulator.postCallback(url(webhookUrls[at]), callback('q-one-process'))),
		);
		expect(await startedSince(counted, 'q-one-process')).toBe(1);

		const rounds = 5;
		let started = 0;
		for (let round = 0; round < rounds; round++) {
			const taskId = `q-together-${round}`;
			const counted = await count();
			await Promise.all(
				webhookUrls.map((base) => emulator.postCallback(url(base), callback(taskId))),
			);
			started += await startedSince(counted, taskId);
		}
		console.log(
			`[e2e queue n8n ${version}] the same callback at the same instant to both webhook processes, ${rounds} times: ${started} executions (one per callback would be ${rounds}). Each process loads the delivery memory (workflow static data) before the other saved it.`,
		);
		console.log(`[e2e queue n8n ${version}] a second apart: ${apart} execution(s)`);
		expect(apart).toBe(1);
		expect(started).toBeGreaterThanOrEqual(rounds);
		expect(started).toBeLessThanOrEqual(2 * rounds);
	});

	it(
		`Q3. The trigger takes ${LOAD_CALLBACKS} callbacks spread over both webhook processes, sent again as the service does when no answer comes in 5 s: ${LOAD_CALLBACKS} executions, none lost, none twice`,
		async () => {
			const url = (base: string) =>
				signCallbackUrl(`${base}/webhook/${triggerPath}`, emulator.apiKey);
			const callback = (index: number) => ({
				data: {
					task_id: `qload-${index}`,
					status: 'COMPLETED',
					output: { video_url: `${emulator.cdnUrl}/files/q${index}.mp4` },
				},
			});
			const before = (await n8n.executions('queueTrigger001')).length;
			const began = Date.now();
			let next = 0;
			const statuses: number[] = [];
			await Promise.all(
				Array.from({ length: 8 }, async () => {
					while (next < LOAD_CALLBACKS) {
						const index = next++;
						// As the service does: no answer within 5 s (busy cores) -> sent again, a duplicate.
						statuses[index] =
							(await emulator.deliverCallback(url(webhookUrls[index % 2]), callback(index))) ?? 0;
					}
				}),
			);
			const rows = await until(
				async () => (await n8n.executions('queueTrigger001')).slice(before),
				(found) => found.length >= LOAD_CALLBACKS && found.every((row) => row.status === 'success'),
				LOAD_LIMIT_MS,
				'every load execution',
			);
			expect(statuses.filter((status) => status === 200)).toHaveLength(LOAD_CALLBACKS);
			expect(rows).toHaveLength(LOAD_CALLBACKS);
			const sentAgain =
				emulator.callbacks.filter((sent) => sent.at >= began).length - LOAD_CALLBACKS;
			console.log(
				`[e2e queue n8n ${version}] load: ${LOAD_CALLBACKS} callbacks over 2 webhook processes -> ${rows.length} executions in ${((Date.now() - began) / 1000).toFixed(1)} s; lost: ${LOAD_CALLBACKS - rows.length}; sent again after no answer in 5 s: ${sentAgain}`,
			);
		},
		LOAD_LIMIT_MS + 60_000,
	);

	/** Starts the resume workflow with these prompts; resolves when its execution is waiting. */
	async function parkedExecution(
		prompts: string[],
	): Promise<{ id: number; tasks: EmulatedTask[] }> {
		const before = (await n8n.executions('queueResume0001')).length;
		const earlier = new Set(emulator.tasks.keys());
		expect(await post(webhookUrls[0], 'q-resume', { prompts })).toBe(200);
		const rows = await until(
			() => n8n.executions('queueResume0001'),
			(found) => found.length > before && found.at(-1)!.status === 'waiting',
			120_000,
			'the parked execution',
		);
		const tasks = [...emulator.tasks.values()].filter((task) => !earlier.has(task.taskId));
		return { id: rows.at(-1)!.id, tasks };
	}

	/** A task's callback as the service sends it, to the resume URL on the given webhook process. */
	function resumeCallback(task: EmulatedTask, base: string): Promise<CallbackRecord> {
		const resumeUrl = new URL(String(task.body.callback_url));
		return emulator.sendCallback(
			`${base}${resumeUrl.pathname}${resumeUrl.search}`,
			emulator.statusBody(task),
		);
	}

	/**
	 * Whether the node answered that this callback resumes the execution: it decides before it
	 * answers, so the answers themselves say how many resumes there are (no pause to wait for one).
	 */
	const resumes = (answers: CallbackRecord[]) =>
		answers.filter((sent) => /"resumed":\s*true/.test(sent.answer ?? '')).length;

	const finished = (task: EmulatedTask) => emulator.stateOf(task).state === 'succeeded';

	/**
	 * The run of a resumed execution, once it has succeeded with Generate's output (when two
	 * processes resumed it, n8n 1.x writes the run twice: the output is the state to wait for).
	 */
	async function succeededRun(id: number) {
		return (await until(
			async () => {
				const [row] = (await n8n.executions('queueResume0001')).filter((found) => found.id === id);
				return row?.status === 'success' ? await n8n.runOf(id) : undefined;
			},
			(run) => run !== undefined && outputOf(run, 'Generate').length > 0,
			60_000,
			'the resumed execution with its output',
		))!;
	}

	/**
	 * A run of a resume workflow, resumed once by its task's callback: After ran once, Generate's
	 * item has the task and its video; one download (each resume downloads), no status read.
	 */
	async function expectResumedOnce(run: StoredRun, task: EmulatedTask) {
		expect(run.resultData.runData.After).toHaveLength(1);
		const [item] = outputOf(run, 'Generate');
		expect(item.json).toMatchObject({
			taskId: task.taskId,
			state: 'succeeded',
			callbackReceived: true,
		});
		expect((await n8n.storedBinary(item.binary!.data)).bytes.equals(SAMPLE_MP4)).toBe(true);
		expect(emulator.count('download')).toBe(1);
		expect(emulator.count('status')).toBe(0);
	}

	it('Q4. Resume on Callback parks on a worker, 0 status reads; the callback twice at once to one webhook process resumes once; to both processes at once: measured', async () => {
		const { id, tasks } = await parkedExecution(['A paper boat [latency=1000]']);
		const [task] = tasks;
		await until(async () => finished(task), Boolean, 10_000, 'the job');
		// One webhook process (the README's advice: route /webhook-waiting/ to one process).
		const answers = await Promise.all([0, 0].map((at) => resumeCallback(task, webhookUrls[at])));
		expect(answers.map((sent) => sent.status)).toEqual([200, 200]);
		expect(resumes(answers)).toBe(1);
		await expectResumedOnce(await succeededRun(id), task);

		// Two webhook processes at the same instant: each checks that the execution is waiting before
		// the other has resumed it, in n8n itself.
		const rounds = 3;
		let resumed = 0;
		for (let round = 0; round < rounds; round++) {
			const parked = await parkedExecution([`Round ${round} [latency=500]`]);
			await until(async () => finished(parked.tasks[0]), Boolean, 10_000, 'the job');
			const downloads = emulator.count('download');
			const now = resumes(
				await Promise.all(webhookUrls.map((base) => resumeCallback(parked.tasks[0], base))),
			);
			resumed += now;
			// Each resume downloads the video once, after its answer: wait for all of them.
			await until(
				async () => emulator.count('download') - downloads,
				(count) => count >= now,
				60_000,
				'the downloads of the resumes',
			);
			const run = await succeededRun(parked.id);
			expect(outputOf(run, 'Generate')[0].json.state).toBe('succeeded');
		}
		console.log(
			`[e2e queue n8n ${version}] the resume callback at the same instant to both webhook processes, ${rounds} times: ${resumed} resumes (once per callback would be ${rounds}).`,
		);
		expect(resumed).toBeGreaterThanOrEqual(rounds);
		expect(resumed).toBeLessThanOrEqual(2 * rounds);
	});

	it('Q5. A batch of 5 resumes once, after its last callback, with every video; no worker is held meanwhile', async () => {
		const prompts = [1000, 4000, 2000, 6000, 3000].map(
			(latency, index) => `Clip ${index} [latency=${latency}]`,
		);
		const { id, tasks } = await parkedExecution(prompts);
		// The emulator's job latency is in each task's prompt; creates run concurrently, so the
		// tasks' order says nothing.
		const latencyOf = (task: EmulatedTask) =>
			Number(/latency=(\d+)/.exec(String(task.body.prompt))![1]);
		const byEnd = [...tasks].sort((a, b) => latencyOf(a) - latencyOf(b));
		const statusOf = async () =>
			(await n8n.executions('queueResume0001')).find((found) => found.id === id)!.status;
		let keptWaiting = 0;
		for (const [index, task] of byEnd.entries()) {
			await until(async () => finished(task), Boolean, 15_000, `job ${task.taskId}`);
			// Once resumed, n8n itself answers a late callback (409: nothing is waiting any more).
			const stillWaiting = (await statusOf()) === 'waiting';
			// One webhook process takes /webhook-waiting/ (the README's advice): two processes can
			// both see the execution waiting and resume it twice when a resume runs long (busy cores).
			const answered = await resumeCallback(task, webhookUrls[0]);
			if (stillWaiting) expect([200, 409]).toContain(answered.status);
			if (stillWaiting && index < byEnd.length - 1) expect(answered.status).toBe(200);
			// A task still running after the answer was running when the webhook decided: the callback
			// resumed nothing (its answer says so) and the execution still waits. (Tasks ending close
			// together may let a callback resume.)
			if (byEnd.slice(index + 1).some((other) => !finished(other))) {
				expect(resumes([answered])).toBe(0);
				expect(await statusOf()).toBe('waiting');
				keptWaiting++;
			}
		}
		expect(keptWaiting).toBeGreaterThanOrEqual(2);
		const [row] = await until(
			async () => (await n8n.executions('queueResume0001')).filter((found) => found.id === id),
			(found) => found[0]?.status === 'success',
			60_000,
			'the resumed batch',
		);
		const run = await n8n.runOf(row.id);
		expect(run.resultData.runData.After).toHaveLength(1);
		const output = outputOf(run, 'Generate');
		// Every item paired with its own task, in input order.
		expect(
			output.map((item) => [
				emulator.tasks.get(String(item.json.taskId))?.body.prompt,
				item.json.state,
			]),
		).toEqual(prompts.map((prompt) => [prompt, 'succeeded']));
		for (const item of output)
			expect((await n8n.storedBinary(item.binary!.data)).bytes.equals(SAMPLE_MP4)).toBe(true);
		expect(emulator.count('download')).toBe(5);
	});
	it(`Q11. ${BURST_CALLBACKS} distinct finished callbacks at once, spread over both webhook processes, start ${BURST_CALLBACKS} executions; after both are restarted, the service resending all ${BURST_CALLBACKS}: measured`, async () => {
		const url = (base: string) =>
			signCallbackUrl(`${base}/webhook/${triggerPath}`, emulator.apiKey);
		const callback = (taskId: string) => ({ data: { task_id: taskId, status: 'COMPLETED' } });
		const taskIds = Array.from({ length: BURST_CALLBACKS }, (_, index) => `q-burst-${index}`);
		// As the service delivers: sent again (up to 3 times) when no success comes within 5 s.
		const send = async (bases: string[]) =>
			await Promise.all(
				taskIds.map(
					async (taskId, index) =>
						await emulator.deliverCallback(url(bases[index % bases.length]), callback(taskId)),
				),
			);
		// A webhook process answers 404 until it has loaded the trigger: wait for each to serve it.
		let warmUps = 0;
		const ready = async (bases: string[]) => {
			for (const [index, base] of bases.entries()) {
				const warmUp = callback(`q-burst-ready-${warmUps++}`);
				await until(
					async () => await emulator.postCallback(url(base), warmUp),
					(status) => status === 200,
					120_000,
					`webhook process ${index + 1} to serve the trigger`,
				);
			}
		};
		await ready(webhookUrls);
		const before = (await n8n.executions('queueTrigger001')).length;
		const answered = await send(webhookUrls);
		expect(answered.filter((status) => status !== 200)).toEqual([]);
		const burst = await until(
			async () => await triggeredTasks(n8n, 'queueTrigger001', before),
			(tasks) => taskIds.every((taskId) => tasks.includes(taskId)),
			300_000,
			`the ${BURST_CALLBACKS} executions of the burst`,
		);
		expect(burst.filter((taskId) => taskIds.includes(taskId)).sort()).toEqual([...taskIds].sort());

		// What a restart starts from: the deliveries n8n saved in the trigger's static data.
		const saved = async () =>
			Object.values(await n8n.staticData('queueTrigger001')).flatMap((node) =>
				Object.keys((node.deliveredTasks ?? {}) as object).filter((key) =>
					taskIds.some((taskId) => key.startsWith(`${taskId}:`)),
				),
			).length;
		const savedBefore = await saved();
		webhookUrls = await n8n.restartWebhookProcesses();
		await ready(webhookUrls);
		const counted = (await n8n.executions('queueTrigger001')).length;
		// Every resend answered (200: started, or known and ignored), so none was lost to a 404.
		expect((await send(webhookUrls)).filter((status) => status !== 200)).toEqual([]);
		// Executions a resend started are recorded before those of a sentinel sent after it.
		const marks = webhookUrls.map((_, index) => `q-burst-sentinel-${index}`);
		for (const [index, base] of webhookUrls.entries())
			expect(await emulator.postCallback(url(base), callback(marks[index]))).toBe(200);
		let since: string[] = [];
		for (const mark of marks) since = await tasksUpTo(n8n, 'queueTrigger001', counted, mark);
		const again = since.filter((taskId) => taskIds.includes(taskId)).length;
		console.log(
			`[e2e queue n8n ${version}] ${BURST_CALLBACKS} distinct callbacks at once over 2 webhook processes -> ${BURST_CALLBACKS} executions; both processes restarted, all ${BURST_CALLBACKS} resent -> ${again} started again; saved in the static data before the restart: ${savedBefore} (each process saves the static data it loaded plus what it recorded; the last save wins)`,
		);
		expect(again).toBeLessThanOrEqual(BURST_CALLBACKS);
	});

	/**
	 * n8n 3 runs every manual execution on a worker; n8n 2.x does with
	 * OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true (set for every process here). Started as the editor
	 * starts them: n8n's REST API, and the Execute workflow button itself.
	 */
	describe('manual executions offloaded to workers', () => {
		/** The execution once it has ended (success, error or crashed). */
		async function ended(workflowId: string, id: number) {
			const [row] = await until(
				async () => (await n8n.executions(workflowId)).filter((found) => found.id === id),
				(found) => ['success', 'error', 'crashed'].includes(found[0]?.status),
				120_000,
				`execution ${id} of ${workflowId} to end`,
			);
			return row;
		}

		/** A manual Generate's result, as n8n stored it: a worker ran it, the video is in n8n's store. */
		async function expectGeneratedOnAWorker(id: number) {
			const row = await ended(MANUAL_GENERATE, id);
			expect({ status: row.status, mode: row.mode }).toEqual({ status: 'success', mode: 'manual' });
			expect(n8n.workersThatStarted(id)).toEqual([expect.stringMatching(/^worker \d$/)]);
			const [item] = outputOf(await n8n.runOf(id), 'Generate');
			expect(item.json).toMatchObject({ state: 'succeeded' });
			const stored = await n8n.storedBinary(item.binary!.data);
			expect(stored.mode).toBe(version.startsWith('1.') ? 'default' : 'database');
			expect(stored.bytes.equals(SAMPLE_MP4)).toBe(true);
			expect(emulator.count('create')).toBe(1);
			return String(item.json.taskId);
		}

		it('Q6. offload: a manual Generate that waits (poll) and downloads runs on a worker; the video in the database, byte for byte, 1 create', async () => {
			const id = await n8n.runManually(MANUAL_GENERATE);
			await expectGeneratedOnAWorker(id);
		});

		it('Q9. offload: Idempotency Keys hold across workers: 3 manual executions of 2 keyed rows make 2 videos in all', async () => {
			const keyed = () =>
				[...emulator.tasks.values()].filter((task) => String(task.body.prompt).startsWith('q key'));
			const outputs: unknown[][] = [];
			const workers: string[] = [];
			for (let run = 0; run < 3; run++) {
				const id = await n8n.runManually(MANUAL_KEYED);
				const row = await ended(MANUAL_KEYED, id);
				expect(row.status).toBe('success');
				workers.push(...n8n.workersThatStarted(id));
				outputs.push(outputOf(await n8n.runOf(id), 'Generate').map((item) => item.json.taskId));
			}
			console.log(`Q9 (${version}): the 3 executions ran on ${workers.join(', ')}`);
			expect(keyed()).toHaveLength(2);
			expect(outputs[1]).toEqual(outputs[0]);
			expect(outputs[2]).toEqual(outputs[0]);
		});

		it(`Q10. offload: ${RACING_EXECUTIONS} executions of 3 keyed rows at once on both workers make 3 videos in all, and each outputs the same tasks`, async () => {
			const raced = () =>
				[...emulator.tasks.values()].filter((task) =>
					String(task.body.prompt).startsWith('q race'),
				);
			const ids = await Promise.all(
				Array.from(
					{ length: RACING_EXECUTIONS },
					async () => await n8n.runManually(MANUAL_KEYED_RACE),
				),
			);
			const outputs: unknown[][] = [];
			const workers: string[] = [];
			for (const id of ids) {
				const row = await ended(MANUAL_KEYED_RACE, id);
				expect(row.status).toBe('success');
				workers.push(...n8n.workersThatStarted(id));
				outputs.push(outputOf(await n8n.runOf(id), 'Generate').map((item) => item.json.taskId));
			}
			console.log(`Q10 (${version}): the executions ran on ${workers.join(', ')}`);
			expect(new Set(workers).size).toBe(2);
			expect(raced()).toHaveLength(3);
			for (const output of outputs) expect(output).toEqual(outputs[0]);
		});

		it("Q7. offload: a manual Generate in Resume on Callback parks on a worker and, on the service's callback to a webhook process, resumes on a worker with the video", async () => {
			const earlier = new Set(emulator.tasks.keys());
			const id = await n8n.runManually(MANUAL_RESUME);
			const [parked] = await until(
				async () => (await n8n.executions(MANUAL_RESUME)).filter((found) => found.id === id),
				(found) => found[0]?.status === 'waiting',
				120_000,
				'the parked manual execution',
			);
			expect(parked.mode).toBe('manual');
			const [task] = [...emulator.tasks.values()].filter((found) => !earlier.has(found.taskId));
			await until(async () => finished(task), Boolean, 30_000, 'the job');
			expect((await resumeCallback(task, webhookUrls[1])).status).toBe(200);
			const row = await ended(MANUAL_RESUME, id);
			expect(row.status).toBe('success');
			// Parked on a worker, resumed on a worker (not in the webhook process that took the callback).
			expect(n8n.workersThatStarted(id)).toEqual([
				expect.stringMatching(/^worker \d$/),
				expect.stringMatching(/^worker \d$/),
			]);
			await expectResumedOnce(await n8n.runOf(id), task);
			expect(emulator.count('create')).toBe(1);
		});

		it("Q8. offload: the editor's Execute workflow button (headless Chromium) runs it on a worker, and the output panel shows the video", async () => {
			const browser = await launchChromium();
			try {
				await n8n.loginAsOwner();
				const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
				await context.addCookies(n8n.sessionCookies());
				const page = await context.newPage();
				await page.goto(`${n8n.baseUrl}/workflow/${MANUAL_GENERATE}`);
				// A click while the editor is still loading its parts is lost.
				await page.waitForLoadState('networkidle');
				// The workflow is on the canvas: both nodes drawn.
				const nodes = page.getByTestId('canvas-node').filter({ visible: true });
				await nodes.nth(1).waitFor({ timeout: 60_000 });
				const before = new Set((await n8n.executions(MANUAL_GENERATE)).map((row) => row.id));
				await page.getByTestId('execute-workflow-button').filter({ visible: true }).first().click();
				const [started] = await until(
					async () => (await n8n.executions(MANUAL_GENERATE)).filter((row) => !before.has(row.id)),
					(found) => found.length === 1,
					60_000,
					'the execution the button started',
				);
				const taskId = await expectGeneratedOnAWorker(started.id);
				// The worker's news reaches the editor through main: the node's output panel shows the
				// video once the editor has the run.
				await nodes.filter({ hasText: 'Generate' }).first().dblclick();
				await page
					.getByText(`${taskId}.mp4`)
					.filter({ visible: true })
					.first()
					.waitFor({ timeout: 60_000 });
			} finally {
				await browser.close();
			}
		});
	});
});
