/**
 * Journey: workflows run with `n8n execute` (and n8n's node settings around them).
 * The package inside real n8n installs (each version of N8N_VERSIONS) against the emulator on
 * loopback; every claim checked in what n8n itself recorded (its database and binary data store).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { Emulator, SAMPLE_MP4 } from '../emulator/server';
import { freePort, type RealN8n } from '../harness/realN8n';
import { eachRealN8n } from './journey';
import {
	chain,
	credentialRef,
	example,
	generate,
	manual,
	node,
	outputOf,
	until,
} from './workflows';

const emulator = new Emulator({ latencyMs: 1500 });

eachRealN8n(emulator, (version, current) => {
	let n8n: RealN8n;
	beforeAll(() => {
		n8n = current();
	});

	it('1. Generate -> Wait -> download: the execution succeeds and the binary is the emulator MP4', async () => {
		const start = manual();
		const workflow = chain('e2eGenWait0001', 'E2E generate, wait, download', [
			start,
			generate({ waitForCompletion: false, options: {} }),
			node(
				'Wait for video',
				'n8n-nodes-seedance.seedance',
				{
					resource: 'video',
					operation: 'wait',
					taskId: '={{ $json.taskId }}',
					options: { pollInterval: 0.5, downloadVideo: true },
				},
				{ credentials: credentialRef, typeVersion: 1.1 },
			),
		]);
		await n8n.importWorkflow(workflow);
		const run = await n8n.execute('e2eGenWait0001');
		expect(run.status).toBe('success');
		const [created] = outputOf(run.data, 'Generate');
		const [finished] = outputOf(run.data, 'Wait for video');
		expect(finished.json).toMatchObject({ taskId: created.json.taskId, state: 'succeeded' });
		const bytes = n8n.binaryBytes(finished.binary!.data);
		expect(bytes.length).toBe(SAMPLE_MP4.length);
		expect(bytes.equals(SAMPLE_MP4)).toBe(true);
		expect(emulator.count('create')).toBe(1);
	});

	// n8n 1.x hands the node a body that has already ended when it was empty: judged all the same.
	it('1d. A video link answering an empty video: the node fails plainly, nothing stored', async () => {
		await n8n.importWorkflow(
			chain('e2eEmptyVid001', 'E2E empty video answer', [
				manual(),
				generate({ options: { pollInterval: 0.5, downloadVideo: true } }),
			]),
		);
		emulator.inject('download', { kind: 'body', body: Buffer.alloc(0), contentType: 'video/mp4' });
		const run = await n8n.execute('e2eEmptyVid001');
		const failure = run.data.resultData.runData.Generate?.at(-1)?.error;
		expect(run.status).toBe('error');
		expect(failure?.message).toMatch(/^The video link of task .+ did not return a video$/);
		expect(failure?.description).toContain('0 bytes, too few for a video');
		expect(outputOf(run.data, 'Generate')).toEqual([]);
	});

	// n8n's keyed request takes its abort from the execution (withRequestSignal in
	// nodes/shared/n8nInternals.ts gives it the request's own): without it, n8n 2.x's copy of the
	// stream kept a stalled video's download waiting until the host ended it.
	it("1e. A video on the service's own origin that stalls after its first bytes: too slow at Request Timeout, no wait for the host", async () => {
		await n8n.importWorkflow(
			chain('e2eStallVid001', 'E2E stalled video answer', [
				manual(),
				generate({ options: { pollInterval: 0.5, downloadVideo: true, requestTimeout: 2 } }),
			]),
		);
		emulator.options.filesOnApiOrigin = true;
		emulator.inject('download', { kind: 'drip', chunkBytes: 64, everyMs: 600_000 });
		try {
			const run = await n8n.execute('e2eStallVid001');
			const failure = run.data.resultData.runData.Generate?.at(-1)?.error;
			expect(run.status).toBe('error');
			expect(failure?.message).toMatch(
				/^The video host was too slow: the video of task .+ did not arrive within 2 s$/,
			);
		} finally {
			emulator.options.filesOnApiOrigin = false;
		}
	});

	// Execution Logic v2 (n8n 2.x's "combined" binary mode, opt-in in the workflow's settings)
	// evaluates no credential expression inside a node's run: the key goes on by a function.
	it('1c. Execution Logic v2 (combined binary mode): Generate makes and downloads the video', async () => {
		const workflow = chain('e2eLogicV20001', 'E2E execution logic v2', [
			manual(),
			generate({ options: { pollInterval: 0.5, downloadVideo: true } }),
		]);
		workflow.settings.binaryMode = 'combined';
		await n8n.importWorkflow(workflow);
		const creates = emulator.count('create');
		const run = await n8n.execute('e2eLogicV20001');
		const failure = run.data.resultData.runData.Generate?.at(-1)?.error;
		expect({ status: run.status, error: failure?.message }).toEqual({
			status: 'success',
			error: undefined,
		});
		const [made] = outputOf(run.data, 'Generate');
		expect(made.json).toMatchObject({ state: 'succeeded' });
		// 2.x keeps a combined workflow's files in the item's json (`_files`); 1.x as binary.
		const file = ((made.json._files as Record<string, unknown> | undefined)?.data ??
			made.binary?.data) as Record<string, unknown>;
		expect(n8n.binaryBytes(file).equals(SAMPLE_MP4)).toBe(true);
		expect(emulator.count('create')).toBe(creates + 1);
	});

	// n8n 3 drops the in-memory mode: a video must land in the store the instance is set to.
	const storesTheVideoIn = async (mode: string) => {
		const id = `e2eBinary${mode.slice(0, 4)}01`;
		await n8n.importWorkflow(
			chain(id, `E2E binary data in ${mode} mode`, [
				manual(),
				generate({ options: { pollInterval: 0.5, downloadVideo: true } }),
			]),
		);
		n8n.settings.N8N_DEFAULT_BINARY_DATA_MODE = mode;
		// Size unknown (chunked): the node learns the mode from the id n8n gives a file
		// (binaryModeOf in nodes/shared/n8nInternals.ts), which fails loudly if n8n changed it.
		emulator.options.announceLength = false;
		try {
			const run = await n8n.execute(id);
			const failure = run.data.resultData.runData.Generate?.at(-1)?.error;
			expect({
				status: run.status,
				error: failure && `${failure.message}: ${failure.description}`,
			}).toEqual({
				status: 'success',
			});
			const [item] = outputOf(run.data, 'Generate');
			const stored = await n8n.storedBinary(item.binary!.data);
			// 2.x names its folder layout filesystem-v2.
			expect(stored.mode.replace(/-v\d+$/, '')).toBe(mode);
			expect(stored.bytes.equals(SAMPLE_MP4)).toBe(true);
			expect(emulator.count('create')).toBe(1);
		} finally {
			emulator.options.announceLength = true;
			delete n8n.settings.N8N_DEFAULT_BINARY_DATA_MODE;
		}
	};
	const title =
		'1b. N8N_DEFAULT_BINARY_DATA_MODE=%s: Generate -> wait -> download stores the video there, byte for byte';
	// n8n 1.x has no database mode.
	it.each(version.startsWith('1.') ? ['filesystem'] : ['filesystem', 'database'])(
		title,
		storesTheVideoIn,
	);

	it('5. An invalid parameter fails the execution with the clear message, and nothing reaches the service', async () => {
		await n8n.importWorkflow(
			chain('e2eBadInput001', 'E2E bad input', [manual(), generate({ resolution: '1080p' })]),
		);
		const run = await n8n.execute('e2eBadInput001');
		expect(run.status).toBe('error');
		const error = run.data.resultData.runData.Generate.at(-1)!.error!;
		expect(error.message).toBe('Resolution "1080p" is not allowed. Use one of: 480p, 720p.');
		expect(error.description).toContain('Nothing was sent to the service');
		expect(emulator.requests).toHaveLength(0);
	});

	describe("6. n8n's node settings spend nothing twice", () => {
		/** Manual -> three items with these prompts (Edit Fields, Split Out) -> the given nodes. */
		function withPrompts(id: string, prompts: string[], rest: Array<Record<string, unknown>>) {
			const fields = node(
				'Prompts',
				'n8n-nodes-base.set',
				{ mode: 'raw', jsonOutput: JSON.stringify({ prompts }) },
				{ typeVersion: 3.4 },
			);
			const split = node('Split', 'n8n-nodes-base.splitOut', { fieldToSplitOut: 'prompts' });
			return chain(id, `E2E ${id}`, [manual(), fields, split, ...rest] as Array<{ name: string }>);
		}
		const fast = { pollInterval: 0.5, maxWaitTime: 60 };

		it('6a. Retry On Fail, 3 items, the first fails: exactly 3 creates, the failure kept with its task id', async () => {
			const generator = generate({ prompt: '={{ $json.prompts }}', options: fast }, 'Generate');
			Object.assign(generator, {
				retryOnFail: true,
				maxTries: 3,
				waitBetweenTries: 0,
				onError: 'continueRegularOutput',
			});
			await n8n.importWorkflow(
				withPrompts('e2eRetry000001', ['one [fail]', 'two', 'three'], [generator]),
			);
			const run = await n8n.execute('e2eRetry000001');
			expect(run.status).toBe('success');
			const items = outputOf(run.data, 'Generate');
			expect(items.map((item) => item.json.state ?? 'error')).toEqual([
				'error',
				'succeeded',
				'succeeded',
			]);
			expect(items[0].json.taskId).toEqual(expect.any(String));
			expect(emulator.count('create')).toBe(3);
		});

		it('6b. On Error "Continue (using error output)": 2 items on the success branch, 1 on the error branch naming its task', async () => {
			const generator = generate({ prompt: '={{ $json.prompts }}', options: fast }, 'Generate');
			Object.assign(generator, { onError: 'continueErrorOutput' });
			const ok = node('Video ready', 'n8n-nodes-base.noOp', {});
			const failed = node('Video failed', 'n8n-nodes-base.noOp', {});
			const workflow = withPrompts(
				'e2eErrorOut001',
				['one', 'two [fail]', 'three'],
				[generator, ok],
			);
			workflow.nodes.push(failed);
			(workflow.connections as Record<string, unknown>).Generate = {
				main: [
					[{ node: 'Video ready', type: 'main', index: 0 }],
					[{ node: 'Video failed', type: 'main', index: 0 }],
				],
			};
			await n8n.importWorkflow(workflow);
			const run = await n8n.execute('e2eErrorOut001');
			expect(run.status).toBe('success');
			expect(outputOf(run.data, 'Video ready').map((item) => item.json.state)).toEqual([
				'succeeded',
				'succeeded',
			]);
			const errors = outputOf(run.data, 'Video failed');
			expect(errors).toHaveLength(1);
			// n8n's error-item shape (error, message), merged with the input item; the text names the task.
			expect(errors[0].json.error).toMatch(/^Seedance task \S+ failed/);
			expect(errors[0].json.prompts).toBe('two [fail]');
			expect(emulator.count('create')).toBe(3);
		});

		it('6c. Loop Over Items: Max Credits counts every pass (8 + 8 credits pass a limit of 20, the third 8 does not)', async () => {
			const loop = node(
				'Loop',
				'n8n-nodes-base.splitInBatches',
				{ batchSize: 1, options: {} },
				{ typeVersion: 3 },
			);
			const generator = generate(
				{
					prompt: '={{ $json.prompts }}',
					options: { ...fast, maxCredits: 20, downloadVideo: false },
				},
				'Generate',
			);
			const workflow = withPrompts('e2eLoopBudget1', ['one', 'two', 'three'], [loop]);
			workflow.nodes.push(generator);
			Object.assign(workflow.connections as Record<string, unknown>, {
				Loop: { main: [[], [{ node: 'Generate', type: 'main', index: 0 }]] },
				Generate: { main: [[{ node: 'Loop', type: 'main', index: 0 }]] },
			});
			await n8n.importWorkflow(workflow);
			const run = await n8n.execute('e2eLoopBudget1');
			expect(run.status).toBe('error');
			expect(run.data.resultData.runData.Generate).toHaveLength(3);
			expect(run.data.resultData.runData.Generate.at(-1)!.error!.message).toContain(
				'was not made; this execution already uses 16 of its 20 credits',
			);
			expect(emulator.count('create')).toBe(2);
		});

		it('6f. Two Generate nodes share one budget: 2 rows at 8 credits under 24 make 3 videos, the fourth is over budget on its own item', async () => {
			const budgeted = (name: string) =>
				Object.assign(
					generate(
						{
							prompt: `={{ "${name} " + $json.prompts }}`,
							waitForCompletion: false,
							options: { maxCredits: 24 },
						},
						name,
					),
					{ onError: 'continueRegularOutput' },
				);
			await n8n.importWorkflow(
				withPrompts('e2eTwoBudgets1', ['one', 'two'], [budgeted('First'), budgeted('Second')]),
			);
			const run = await n8n.execute('e2eTwoBudgets1');
			expect(run.status).toBe('success');
			expect(outputOf(run.data, 'First').map((item) => item.json.executionCredits)).toEqual([
				16, 16,
			]);
			const second = outputOf(run.data, 'Second');
			expect(second[0].json.executionCredits).toBe(24);
			expect(second[1].json.error).toContain('Over budget');
			expect(emulator.count('create')).toBe(3);
		});
	});

	it('7. The scheduled pipeline example, fired by its Schedule Trigger: prompts.csv -> one video per row, each saved under its prompt; a row that fails and a row the service refuses go to the error branch and its log file', async () => {
		const folder = path.join(n8n.filesFolder, 'seedance');
		mkdirSync(folder, { recursive: true });
		const prompts = [
			'A lighthouse at dawn',
			'A storm at sea [fail]',
			'Waves on rocks, slow motion!',
			'A city at night [refuse]',
			'A fox in snow',
		];
		writeFileSync(
			path.join(folder, 'prompts.csv'),
			`prompt,notes\n${prompts.map((prompt) => `"${prompt}",daily`).join('\n')}\n`,
		);
		const workflow = JSON.parse(
			JSON.stringify(example('scheduled-csv-pipeline.json')).replaceAll(
				'/home/node/.n8n-files',
				n8n.filesFolder,
			),
		) as { id: string; nodes: Array<{ parameters: Record<string, unknown> }> };
		// Every 30 s instead of every morning: the first run comes within 30 s, the second is the
		// re-run; the suite stops n8n before a third.
		workflow.nodes[0].parameters.rule = { interval: [{ field: 'seconds', secondsInterval: 30 }] };
		await n8n.importWorkflow(workflow);
		await n8n.activate(workflow.id);
		await n8n.start(await freePort());
		try {
			const [row] = await until(
				() => n8n.executions(workflow.id),
				(rows) => rows.length >= 1 && rows[0].status !== 'running' && rows[0].status !== 'new',
				90_000,
				'the scheduled run',
			);
			const run = await n8n.runOf(row.id);
			const failures = Object.entries(run.resultData.runData).flatMap(([name, runs]) =>
				runs.flatMap((task) => (task.error ? [`${name}: ${task.error.message}`] : [])),
			);
			// The failed and the refused row did not stop the execution.
			expect({ status: row.status, failures }).toEqual({ status: 'success', failures: [] });
			// 5 creates sent, the refused one made no task.
			expect(emulator.count('create')).toBe(prompts.length);
			expect(emulator.tasks.size).toBe(prompts.length - 1);
			expect(outputOf(run, 'Generate videos').map((item) => item.json.estimatedCredits)).toEqual([
				8, 8, 8,
			]);
			// Four creates reached the service (8 credits each): the execution's spend.
			expect(outputOf(run, 'Generate videos')[0].json.executionCredits).toBe(32);
			// The next scheduled run is the re-run: the 3 made rows are picked up by their key, the
			// failed row (not charged) is made again and the refused one tried again.
			const rows = await until(
				() => n8n.executions(workflow.id),
				(found) => found.length >= 2 && !['running', 'new'].includes(found[1].status),
				120_000,
				'the second scheduled run',
			);
			const rerun = await n8n.runOf(rows[1].id);
			expect(rows[1].status).toBe('success');
			expect(outputOf(rerun, 'Generate videos').map((item) => item.json.pickedUpByKey)).toEqual([
				true,
				true,
				true,
			]);
			expect(emulator.count('create')).toBe(prompts.length + 2);
			expect(emulator.tasks.size).toBe(prompts.length);
		} finally {
			await n8n.stop();
			await n8n.deactivate(workflow.id);
		}
		const saved = readdirSync(folder).filter((name) => name.endsWith('.mp4'));
		// Named "<date in n8n's time zone> <prompt, punctuation dropped>.mp4".
		expect(saved.map((name) => name.replace(/^\d{4}-\d{2}-\d{2} /, '')).sort()).toEqual([
			'A fox in snow.mp4',
			'A lighthouse at dawn.mp4',
			'Waves on rocks slow motion.mp4',
		]);
		for (const name of saved)
			expect(readFileSync(path.join(folder, name)).equals(SAMPLE_MP4)).toBe(true);
		// The error branch wrote one log of the day: each bad row's prompt, error and task.
		const logs = readdirSync(folder).filter((name) => name.startsWith('failed '));
		expect(logs).toEqual([expect.stringMatching(/^failed \d{4}-\d{2}-\d{2}\.json$/)]);
		// The re-run's log: its failed row is the task it made again.
		const failedTask = [...emulator.tasks.values()]
			.filter((task) => task.outcome === 'failed')
			.at(-1);
		expect(JSON.parse(readFileSync(path.join(folder, logs[0]), 'utf8'))).toEqual([
			{
				prompt: 'A storm at sea [fail]',
				error: expect.stringContaining(`Seedance task ${failedTask?.taskId} failed`),
				taskId: failedTask?.taskId,
			},
			{
				prompt: 'A city at night [refuse]',
				error: expect.stringContaining('The prompt was refused by content moderation'),
				taskId: null,
			},
		]);
	});

	it('7b. The scheduled pipeline with no prompts.csv where it looks stops with an error at One item per row, sending nothing (not a green run that made nothing)', async () => {
		const workflow = JSON.parse(
			JSON.stringify(example('scheduled-csv-pipeline.json'))
				.replaceAll('/home/node/.n8n-files', path.join(n8n.filesFolder, 'no-such-folder'))
				.replaceAll('seedanceCsvPipe1', 'seedanceCsvPipe2'),
		) as { id: string; nodes: Array<Record<string, unknown>> };
		// Run by hand, as a user tries it: the Schedule Trigger's place taken by a Manual Trigger.
		const schedule = workflow.nodes.find(
			(found) => found.type === 'n8n-nodes-base.scheduleTrigger',
		);
		Object.assign(schedule!, {
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			parameters: {},
		});
		await n8n.importWorkflow(workflow);
		const creates = emulator.count('create');
		const run = await n8n.execute(workflow.id);
		expect(run.status).toBe('error');
		expect(run.data.resultData.lastNodeExecuted).toBe('One item per row');
		expect(run.data.resultData.runData['One item per row'][0].error?.message).toMatch(/binary/i);
		expect(run.data.resultData.runData['Generate videos']).toBeUndefined();
		expect(emulator.count('create')).toBe(creates);
		console.log(
			`[e2e execute n8n ${version}] the pipeline without prompts.csv: ${run.data.resultData.runData['One item per row'][0].error?.message}`,
		);
	});

	/** Manual -> rows a, b, c -> Generate with an Idempotency Key per row (not waiting). */
	const KEYED = 'e2eKeysAcross1';
	const keyedRows = () =>
		chain(KEYED, 'E2E idempotency keys across executions', [
			manual(),
			node(
				'Rows',
				'n8n-nodes-base.set',
				{ mode: 'raw', jsonOutput: JSON.stringify({ rows: ['key a', 'key b', 'key c'] }) },
				{ typeVersion: 3.4 },
			),
			node('Split', 'n8n-nodes-base.splitOut', { fieldToSplitOut: 'rows' }),
			generate(
				{
					prompt: '={{ $json.rows }}',
					waitForCompletion: false,
					options: { idempotencyKey: '={{ $json.rows }}' },
				},
				'Generate',
			),
		] as Array<{ name: string }>);
	const keyedCreates = () =>
		[...emulator.tasks.values()].filter((task) => String(task.body.prompt).startsWith('key '));

	it('10a. Idempotency Key: a second execution in a new n8n process (a restart) picks up all 3 paid tasks, 0 new creates', async () => {
		await n8n.importWorkflow(keyedRows());
		const first = await n8n.execute(KEYED);
		expect(first.status).toBe('success');
		expect(keyedCreates()).toHaveLength(3);
		const second = await n8n.execute(KEYED);
		expect(second.status).toBe('success');
		expect(keyedCreates()).toHaveLength(3);
		const ids = (run: typeof first) =>
			outputOf(run.data, 'Generate').map((item) => item.json.taskId);
		expect(ids(second)).toEqual(ids(first));
		expect(outputOf(second.data, 'Generate').map((item) => item.json.pickedUpByKey)).toEqual([
			true,
			true,
			true,
		]);
	});

	describe('served by n8n start', () => {
		let port = 0;
		beforeAll(async () => {
			port = await freePort();
			// A Generate that fails, for "Retry execution" from the executions list.
			await n8n.importWorkflow(
				chain('e2eRetryExec01', 'E2E retry execution', [
					node(
						'Start',
						'n8n-nodes-base.webhook',
						{
							httpMethod: 'POST',
							path: 'e2e-retry-execution',
							responseMode: 'onReceived',
							options: {},
						},
						{ typeVersion: 2, webhookId: 'e2e00000-5eed-4000-8000-7e5e7e000004' },
					),
					node('Split', 'n8n-nodes-base.splitOut', {
						fieldToSplitOut: 'body.prompts',
						options: {},
					}),
					generate({ prompt: '={{ $json.prompt }}', options: { pollInterval: 0.5 } }, 'Generate'),
				]),
			);
			await n8n.activate('e2eRetryExec01');
			await n8n.importWorkflow(keyedRows());
			// A Generate of 3 videos that take far longer than the test: it is stopped while polling.
			await n8n.importWorkflow(
				chain('e2eStopPoll001', 'E2E stop while polling', [
					node(
						'Start',
						'n8n-nodes-base.webhook',
						{
							httpMethod: 'POST',
							path: 'e2e-stop-polling',
							responseMode: 'onReceived',
							options: {},
						},
						{ typeVersion: 2, webhookId: 'e2e00000-5eed-4000-8000-7e5e7e000005' },
					),
					node('Split', 'n8n-nodes-base.splitOut', {
						fieldToSplitOut: 'body.prompts',
						options: {},
					}),
					generate({ prompt: '={{ $json.prompt }}', options: { pollInterval: 0.5 } }, 'Generate'),
				]),
			);
			await n8n.activate('e2eStopPoll001');
			await n8n.start(port, ['e2e-retry-execution', 'e2e-stop-polling']);
		});

		it('6d. "Retry execution" from the executions list picks up the tasks the failed execution paid for', async () => {
			const response = await fetch(n8n.webhookUrl('e2e-retry-execution'), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ prompts: [{ prompt: 'one [fail]' }, { prompt: 'two' }] }),
			});
			expect(response.status).toBe(200);
			const [failed] = await until(
				() => n8n.executions('e2eRetryExec01'),
				(rows) => rows.length === 1 && rows[0].status === 'error',
				60_000,
				'the failed execution',
			);
			expect(emulator.count('create')).toBe(2);
			const retry = await n8n.rest('POST', `executions/${failed.id}/retry`, {
				loadWorkflow: false,
			});
			expect(retry.status).toBe(200);
			const rows = await until(
				() => n8n.executions('e2eRetryExec01'),
				(found) => found.length === 2 && found[1].status === 'error',
				60_000,
				'the retried execution',
			);
			const retried = await n8n.runOf(rows[1].id);
			const error = retried.resultData.runData.Generate.at(-1)!.error!;
			const failedTask = [...emulator.tasks.values()].find(
				(task) => task.body.prompt === 'one [fail]',
			);
			expect(error.message).toContain(`Seedance task ${failedTask?.taskId} failed`);
			// The retry read both tasks again; it paid for nothing.
			expect(emulator.count('create')).toBe(2);
		});
		it("10b. Idempotency Key: the editor's Execute workflow (a manual execution) picks the keyed tasks up too, 0 new creates", async () => {
			const manualRun = async () => {
				const id = await n8n.runManually(KEYED);
				const [row] = await until(
					async () => (await n8n.executions(KEYED)).filter((found) => found.id === id),
					(found) => ['success', 'error', 'crashed'].includes(found[0]?.status),
					60_000,
					'the manual execution',
				);
				expect({ mode: row.mode, status: row.status }).toEqual({
					mode: 'manual',
					status: 'success',
				});
				return outputOf(await n8n.runOf(id), 'Generate');
			};
			const first = await manualRun();
			const made = keyedCreates().length;
			const second = await manualRun();
			expect(second.map((item) => item.json.pickedUpByKey)).toEqual([true, true, true]);
			expect(second.map((item) => item.json.taskId)).toEqual(first.map((item) => item.json.taskId));
			expect(keyedCreates()).toHaveLength(made);
		});

		it("6e. Stop through n8n's REST API while Generate polls: the stopped execution names every task", async () => {
			const prompts = ['one', 'two', 'three'].map((word) => ({
				prompt: `${word} [latency=600000]`,
			}));
			const response = await fetch(n8n.webhookUrl('e2e-stop-polling'), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ prompts }),
			});
			expect(response.status).toBe(200);
			const [running] = await until(
				() => n8n.executions('e2eStopPoll001'),
				(rows) => rows.length === 1 && rows[0].status === 'running',
				60_000,
				'the running execution',
			);
			// Polling: the 3 tasks created and each read at least once.
			await until(
				async () => emulator.count('status'),
				(reads) => emulator.count('create') === 3 && reads >= 3,
				60_000,
				'3 creates and their first reads',
			);
			const stop = await n8n.rest('POST', `executions/${running.id}/stop`);
			expect(stop.status).toBe(200);
			await until(
				() => n8n.executions('e2eStopPoll001'),
				(rows) => rows[0].status === 'canceled',
				60_000,
				'the canceled execution',
			);
			const ids = [...emulator.tasks.keys()];
			expect(ids).toHaveLength(3);
			// n8n's stop endpoint writes back the execution's data as it was before the stop (no node
			// error, no node context); the custom data, saved at the stop in its own table, stays.
			const custom = await until(
				() => n8n.customDataOf(running.id),
				(data) => data.seedanceTasks !== undefined,
				60_000,
				'the custom data',
			);
			const stored = await n8n.runOf(running.id);
			const kept = stored.resultData.runData.Generate?.at(-1)?.error;
			if (kept) for (const id of ids) expect(kept.description).toContain(id);
			expect(custom.seedanceTasks.split(', ').sort()).toEqual([...ids].sort());
		});
	});
});
