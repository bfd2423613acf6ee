/**
 * Journey: Wait Mode "Resume on Callback" served by `n8n start`: the execution pauses and the
 * service's callback resumes it.
 * The package inside real n8n installs (each version of N8N_VERSIONS) against the emulator on
 * loopback; every claim checked in what n8n itself recorded (its database and binary data store).
 */
import { withCallbackToken } from '../../nodes/shared/domain/callbackToken';
import { Emulator, SAMPLE_MP4 } from '../emulator/server';
import { freePort, type RealN8n, type StoredRun } from '../harness/realN8n';
import { eachRealN8n } from './journey';
import { chain, credentialRef, example, generate, node, outputOf, until } from './workflows';

const emulator = new Emulator({ latencyMs: 1500 });

eachRealN8n(emulator, (version, current) => {
	let n8n: RealN8n;
	let port = 0;
	const INTERNALS = [
		{
			id: 'e2eResume00004',
			path: 'e2e-resume-internals',
			webhookId: 'e2e00000-5eed-4000-8000-7e5e7e000004',
			binaryMode: 'separate',
		},
		{
			id: 'e2eResume00005',
			path: 'e2e-resume-internals-v2',
			webhookId: 'e2e00000-5eed-4000-8000-7e5e7e000005',
			binaryMode: 'combined',
		},
	];
	const webhookPaths = [
		'e2e-resume',
		'e2e-resume-two',
		'e2e-resume-wait',
		...INTERNALS.map(({ path }) => path),
	];
	/** A node name that would end an unescaped expression string, or the expression itself. */
	const oddName = `Seedance's "park" }} {{ $x }}`;

	beforeAll(async () => {
		n8n = current();
		port = await freePort();
		// Resume mode: the example (Generate pauses; if no callback came, an IF sends the items to a
		// Seedance Wait that checks once more), started by a webhook instead of the manual trigger.
		const resumeStarter = example('generate-resume-on-callback.json');
		Object.assign(resumeStarter, { id: 'e2eResume00001', name: 'E2E resume on callback' });
		const manualName = String(resumeStarter.nodes[0].name);
		resumeStarter.nodes[0] = node(
			'Start',
			'n8n-nodes-base.webhook',
			{ httpMethod: 'POST', path: 'e2e-resume', responseMode: 'onReceived', options: {} },
			{ typeVersion: 2, webhookId: 'e2e00000-5eed-4000-8000-7e5e7e000001' },
		);
		const connections = resumeStarter.connections as Record<string, unknown>;
		connections.Start = connections[manualName];
		delete connections[manualName];
		const resumeNode = (name: string) =>
			resumeStarter.nodes.find((candidate) => candidate.name === name)!.parameters as Record<
				string,
				Record<string, unknown>
			>;
		Object.assign(resumeNode('Generate and pause'), { prompt: '={{ $json.body.prompt }}' });
		Object.assign(resumeNode('Generate and pause').options, {
			maxWaitTime: '={{ $json.body.maxWaitTime }}',
		});
		Object.assign(resumeNode('Check the task once more').options, { pollInterval: 0.5 });
		await n8n.importWorkflow(resumeStarter);
		const resumeTwo = chain('e2eResume00002', 'E2E resume, two items', [
			node(
				'Start',
				'n8n-nodes-base.webhook',
				{ httpMethod: 'POST', path: 'e2e-resume-two', responseMode: 'onReceived', options: {} },
				{ typeVersion: 2, webhookId: 'e2e00000-5eed-4000-8000-7e5e7e000002' },
			),
			node('Split', 'n8n-nodes-base.splitOut', { fieldToSplitOut: 'body.prompts', options: {} }),
			generate(
				{
					prompt: '={{ $json.prompt }}',
					waitMode: 'resume',
					options: { maxWaitTime: 120, downloadVideo: true },
				},
				'Generate and pause',
			),
		]);
		await n8n.importWorkflow(resumeTwo);
		// Resume mode split in two: Generate hands out the resume URL and goes on; Wait pauses later.
		const resumeInWait = chain('e2eResume00003', 'E2E resume in a Wait node', [
			node(
				'Start',
				'n8n-nodes-base.webhook',
				{ httpMethod: 'POST', path: 'e2e-resume-wait', responseMode: 'onReceived', options: {} },
				{ typeVersion: 2, webhookId: 'e2e00000-5eed-4000-8000-7e5e7e000003' },
			),
			generate(
				{
					prompt: '={{ $json.body.prompt }}',
					waitMode: 'resume',
					waitForCompletion: false,
					options: {},
				},
				'Start the video',
			),
			node('Other work', 'n8n-nodes-base.noOp', {}),
			node(
				'Wait for the video',
				'n8n-nodes-seedance.seedance',
				{
					resource: 'video',
					operation: 'wait',
					taskId: '={{ $json.taskId }}',
					waitMode: 'resume',
					options: { maxWaitTime: 120, downloadVideo: true },
				},
				{ credentials: credentialRef, typeVersion: 1.1 },
			),
		]);
		await n8n.importWorkflow(resumeInWait);
		// 3e: the reaches into n8n's internals and the resume webhook's public reads, in both
		// binary modes (Execution Logic v2 keeps files in the item's json).
		for (const { id, path, webhookId, binaryMode } of INTERNALS) {
			const internals = chain(id, `E2E resume, n8n internals, ${binaryMode}`, [
				node(
					'Start',
					'n8n-nodes-base.webhook',
					{ httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
					{ typeVersion: 2, webhookId },
				),
				generate(
					{
						prompt: '={{ $json.body.prompt }}',
						waitMode: 'resume',
						options: {
							maxWaitTime: 120,
							downloadVideo: true,
							binaryPropertyName: '={{ $json.body.field }}',
						},
					},
					oddName,
				),
			]);
			internals.settings.binaryMode = binaryMode;
			await n8n.importWorkflow(internals);
		}
		for (const id of ['e2eResume00001', 'e2eResume00002', 'e2eResume00003']) await n8n.activate(id);
		for (const { id } of INTERNALS) await n8n.activate(id);
	});

	const startResumed = async (body: Record<string, unknown>) => {
		const before = (await n8n.executions('e2eResume00001')).length;
		const response = await fetch(n8n.webhookUrl('e2e-resume'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		expect(response.status).toBe(200);
		const [execution] = (
			await until(
				() => n8n.executions('e2eResume00001'),
				(rows) => rows.length > before,
				30_000,
				'the execution',
			)
		).slice(-1);
		return execution.id;
	};
	/** An item's files: as binary, or in its json (`_files`) under Execution Logic v2 on 2.x. */
	const filesOf = (item?: { json: Record<string, unknown>; binary?: Record<string, unknown> }) =>
		(item?.binary ?? item?.json._files ?? {}) as Record<string, Record<string, unknown>>;
	const statusOf = async (id: number) =>
		(await n8n.executions('e2eResume00001')).find((row) => row.id === id)!.status;
	/** The run of a resume execution once it has ended, which must be a success. */
	const succeededRun = async (id: number, timeoutMs: number, what: string) => {
		await until(
			() => statusOf(id),
			(status) => status === 'success' || status === 'error',
			timeoutMs,
			what,
		);
		expect(await statusOf(id)).toBe('success');
		return await n8n.runOf(id);
	};

	/** An item its task's callback resumed, with the emulator's video stored by n8n. */
	const expectResumedWithVideo = (item: ReturnType<typeof outputOf>[number], taskId: string) => {
		expect(item.json).toMatchObject({
			taskId,
			state: 'succeeded',
			callbackReceived: true,
			callbackTimedOut: false,
		});
		expect(n8n.binaryBytes(item.binary!.data).equals(SAMPLE_MP4)).toBe(true);
	};
	/** Starts the resume example with the callbacks held back; resolves once it waits. */
	const parkedResume = async (body: Record<string, unknown>) => {
		if (!n8n.running) await n8n.start(port, webhookPaths);
		emulator.holdCallbacks = true;
		const id = await startResumed(body);
		await until(
			() => statusOf(id),
			(status) => status === 'waiting',
			30_000,
			'the waiting state',
		);
		return id;
	};
	/** Resolves once the service has finished every task (its callbacks may be held back). */
	const jobsEnded = async () =>
		await until(
			async () => [...emulator.tasks.values()].map((task) => emulator.stateOf(task).state),
			(states) => states.length > 0 && states.every((state) => state === 'succeeded'),
			30_000,
			'the jobs',
		);

	it('3. Resume on callback: the execution waits without polling and succeeds with the video when the service calls back', async () => {
		const id = await parkedResume({ prompt: 'A paper boat [latency=1000]', maxWaitTime: 120 });
		// The job has ended, its callback held back: nothing polls, the execution still waits.
		await jobsEnded();
		expect(await statusOf(id)).toBe('waiting');
		const [task] = emulator.tasks.values();
		expect(String(task.body.callback_url)).toContain(`/webhook-waiting/${id}`);
		emulator.holdCallbacks = false;
		const run = await succeededRun(id, 60_000, 'the resumed execution');
		const [item] = outputOf(run, 'Generate and pause');
		expectResumedWithVideo(item, task.taskId);
		// The IF let it straight through: no second check, no status request at all.
		expect(run.resultData.runData['Check the task once more']).toBeUndefined();
		expect(outputOf(run, 'Video ready')[0].json).toMatchObject({
			taskId: task.taskId,
			state: 'succeeded',
		});
		// One read: the callback confirmed with the service. Nothing polled.
		expect(emulator.count('status')).toBe(1);
		// A replayed callback to the finished execution changes nothing.
		await emulator.postCallback(String(task.body.callback_url), emulator.callbacks[0].body);
		expect(await statusOf(id)).toBe('success');
	});

	it('3c. Resume on callback, two items whose callbacks arrive in reverse order, one delivered twice: one resume, both outputs correct and paired', async () => {
		if (!n8n.running) await n8n.start(port, webhookPaths);
		const response = await fetch(n8n.webhookUrl('e2e-resume-two'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				prompts: [
					{ prompt: 'First item, slow [latency=3000]' },
					{ prompt: 'Second item, fast [latency=600]' },
				],
			}),
		});
		expect(response.status).toBe(200);
		// The fast task's callback comes first and resumes nothing (the slow task runs on); the
		// service delivers it twice (at-least-once): the copy resumes nothing either.
		const first = await until(
			async () => emulator.callbacks.find((callback) => callback.status === 200),
			Boolean,
			30_000,
			'the first callback',
		);
		const copy = await emulator.sendCallback(first!.url, first!.body);
		expect(copy.status).toBe(200);
		expect(copy.answer).toContain('"resumed":false');
		const [execution] = await until(
			() => n8n.executions('e2eResume00002'),
			(rows) => rows.length === 1 && (rows[0].status === 'success' || rows[0].status === 'error'),
			60_000,
			'the resumed execution',
		);
		expect(execution.status).toBe('success');
		const tasks = [...emulator.tasks.values()];
		const slow = tasks.find((task) => String(task.body.prompt).startsWith('First'))!;
		const fast = tasks.find((task) => String(task.body.prompt).startsWith('Second'))!;
		expect(JSON.stringify(first!.body)).toContain(fast.taskId);
		// The node decides before it answers: one answer says it resumed, the slow task's.
		const resumers = emulator.callbacks.filter((sent) => sent.answer?.includes('"resumed":true'));
		expect(resumers).toHaveLength(1);
		expect(JSON.stringify(resumers[0].body)).toContain(slow.taskId);
		const output = outputOf(await n8n.runOf(execution.id), 'Generate and pause') as Array<{
			json: Record<string, unknown>;
			binary?: Record<string, Record<string, unknown>>;
			pairedItem?: unknown;
		}>;
		expect(output.map((item) => [item.json.taskId, item.json.state, item.pairedItem])).toEqual([
			[slow.taskId, 'succeeded', { item: 0 }],
			[fast.taskId, 'succeeded', { item: 1 }],
		]);
		for (const item of output)
			expect(n8n.binaryBytes(item.binary!.data).equals(SAMPLE_MP4)).toBe(true);
		// One resume: each video downloaded once (a second resume downloads both again).
		expect(emulator.count('download')).toBe(2);
		expect(await n8n.executions('e2eResume00002')).toHaveLength(1);
	});

	it('3d. Resume on callback in a Wait node: Generate starts the task and goes on, Wait reads it once and pauses, the callback resumes it with the video', async () => {
		if (!n8n.running) await n8n.start(port, webhookPaths);
		emulator.holdCallbacks = true;
		const response = await fetch(n8n.webhookUrl('e2e-resume-wait'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: 'A paper boat [latency=1000]' }),
		});
		expect(response.status).toBe(200);
		const [waiting] = await until(
			() => n8n.executions('e2eResume00003'),
			(rows) => rows.length === 1 && rows[0].status === 'waiting',
			30_000,
			'the waiting state',
		);
		const [task] = emulator.tasks.values();
		expect(String(task.body.callback_url)).toContain(`/webhook-waiting/${waiting.id}`);
		await jobsEnded();
		// Paused in the Wait node after one read, even though the job has ended: no polling.
		expect((await n8n.executions('e2eResume00003'))[0].status).toBe('waiting');
		expect(emulator.count('status')).toBe(1);
		emulator.holdCallbacks = false;
		const [execution] = await until(
			() => n8n.executions('e2eResume00003'),
			(rows) => rows[0].status === 'success' || rows[0].status === 'error',
			60_000,
			'the resumed execution',
		);
		expect(execution.status).toBe('success');
		const run = await n8n.runOf(execution.id);
		expect(outputOf(run, 'Other work')[0].json).toMatchObject({ taskId: task.taskId });
		const [item] = outputOf(run, 'Wait for the video');
		expectResumedWithVideo(item, task.taskId);
		expect(emulator.count('create')).toBe(1);
	});

	it('3b. Resume on callback, forged callbacks and a withheld one: forged are refused; at the deadline the task is checked once more and its real result comes out', async () => {
		const id = await parkedResume({ prompt: 'A paper boat [latency=500]', maxWaitTime: 6 });
		const [task] = emulator.tasks.values();
		const resumeUrl = String(task.body.callback_url);
		const forged = {
			data: {
				task_id: 'someone-elses-task',
				status: 'COMPLETED',
				output: { video_url: 'https://evil.example.com/v.mp4' },
			},
		};
		expect(await emulator.postCallback(resumeUrl, forged)).toBe(409);
		expect(
			await emulator.postCallback(withCallbackToken(resumeUrl, 'forged'), {
				data: { task_id: task.taskId, status: 'COMPLETED' },
			}),
		).toBe(403);
		const unsigned = new URL(resumeUrl);
		unsigned.searchParams.delete('seedance_token');
		expect(
			await emulator.postCallback(unsigned.toString(), {
				data: { task_id: task.taskId, status: 'COMPLETED' },
			}),
		).toBe(401);
		expect(await emulator.postCallback(resumeUrl, { data: { status: 'COMPLETED' } })).toBe(400);
		expect(await statusOf(id)).toBe('waiting');
		expect(emulator.count('status')).toBe(0);
		const run = await succeededRun(id, 120_000, 'the deadline');
		// n8n passes Generate's parked item on at the deadline: no stale state, the task id, and why.
		const [parked] = outputOf(run, 'Generate and pause');
		expect(parked.json).toMatchObject({
			taskId: task.taskId,
			callbackReceived: false,
			callbackTimedOut: true,
		});
		expect(parked.json.state).toBeUndefined();
		expect(String(parked.json.error)).toContain('No callback from API in One within 6 seconds');
		// The fallback: the task's real state, read after the deadline, with the video.
		const [checked] = outputOf(run, 'Check the task once more');
		expect(checked.json).toMatchObject({
			taskId: task.taskId,
			state: 'succeeded',
			videoUrl: emulator.view(task).videoUrl,
		});
		expect(n8n.binaryBytes(checked.binary!.data).equals(SAMPLE_MP4)).toBe(true);
		expect(emulator.count('status')).toBeGreaterThanOrEqual(1);
		expect(outputOf(run, 'Video ready')[0].json).toMatchObject({
			taskId: task.taskId,
			state: 'succeeded',
		});
	});

	it.each(INTERNALS)(
		"3e. n8n's internals on this version, $binaryMode binary mode (docs/n8n-internals.md): parked items kept with the waiting execution, read back by the resume webhook with the settings saved at park time, a video of unknown size stored",
		async ({ id, path }) => {
			if (!n8n.running) await n8n.start(port, webhookPaths);
			emulator.holdCallbacks = true;
			emulator.options.announceLength = false;
			try {
				const response = await fetch(n8n.webhookUrl(path), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ prompt: 'A paper boat [latency=1000]', field: 'clip' }),
				});
				expect(response.status).toBe(200);
				const [waiting] = await until(
					() => n8n.executions(id),
					(rows) => rows.length === 1 && rows[0].status !== 'running' && rows[0].status !== 'new',
					30_000,
					'the waiting state',
				);
				const saved = (await n8n.runOf(waiting.id)) as unknown as StoredRun & {
					executionData?: {
						nodeExecutionStack?: Array<{ data?: { main?: Array<Array<{ json: object }>> } }>;
					};
				};
				const failure = saved.resultData.runData[oddName]?.at(-1)?.error;
				const stacked = saved.executionData?.nodeExecutionStack?.[0]?.data?.main?.[0] ?? [];
				const taskId = [...emulator.tasks.values()][0]?.taskId;
				// Each reach named, so a failure says which one this n8n version broke.
				expect({
					'the execution waits': waiting.status,
					error: failure && `${failure.message}: ${failure.description}`,
					'replaceParkedInput: the parked item is the input n8n keeps for the resume': stacked.map(
						(item) => item.json,
					),
				}).toEqual({
					'the execution waits': 'waiting',
					error: undefined,
					'replaceParkedInput: the parked item is the input n8n keeps for the resume': [
						expect.objectContaining({ taskId, callbackReceived: false }),
					],
				});
				await jobsEnded();
				emulator.holdCallbacks = false;
				const [execution] = await until(
					() => n8n.executions(id),
					(rows) => rows[0].status === 'success' || rows[0].status === 'error',
					60_000,
					'the resumed execution',
				);
				const run = await n8n.runOf(execution.id);
				const [item] = outputOf(run, oddName);
				expect({
					status: execution.status,
					error: run.resultData.error?.message,
					'readPark: $input.all() gives the resume webhook its parked items': item?.json,
					"readPark: $('Node').context gives the settings saved at park time (the video under clip)":
						Object.keys(filesOf(item)),
				}).toEqual({
					status: 'success',
					error: undefined,
					'readPark: $input.all() gives the resume webhook its parked items':
						expect.objectContaining({ taskId, callbackReceived: true }),
					"readPark: $('Node').context gives the settings saved at park time (the video under clip)":
						['clip'],
				});
				// bodyHasEnded, replacePush and binaryModeOf (a video of unknown size): every byte stored.
				expect(n8n.binaryBytes(filesOf(item).clip).equals(SAMPLE_MP4)).toBe(true);
			} finally {
				emulator.options.announceLength = true;
			}
		},
	);
});
