/**
 * The package inside real n8n installs (each version of N8N_VERSIONS), against the emulator on
 * loopback: workflows run with `n8n execute`, webhooks served by `n8n start`, and every claim
 * checked in what n8n itself recorded (its database and binary data store).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
	callbackToken,
	signCallbackUrl,
	withCallbackToken,
} from '../../nodes/Seedance/domain/callbackToken';
import { Emulator, SAMPLE_MP4 } from '../emulator/server';
import { createEmulatedTask } from '../helpers';
import { ChatModelStandIn, toolAnswers, type ChatRequest } from '../harness/chatModel';
import { N8N_VERSIONS, RealN8n, freePort, installN8n, packPackage } from '../harness/realN8n';
import {
	CREDENTIAL,
	chain,
	credentialRef,
	example,
	generate,
	manual,
	node,
	outputOf,
	settle,
	until,
} from './workflows';

const TRIGGER_WEBHOOK_ID = '6a1f6a8e-5eed-4a2c-9d1e-000000000001';
const LOAD_WEBHOOK_ID = '6a1f6a8e-5eed-4a2c-9d1e-00000000100a';
const LOAD_CALLBACKS = Number(process.env.E2E_LOAD_CALLBACKS ?? 1000);

const MODEL_CREDENTIAL = 'modelStandIn001';

const emulator = new Emulator({ latencyMs: 1500 });
const model = new ChatModelStandIn();
let tarball = '';

beforeAll(async () => {
	await emulator.start();
	await model.start();
	tarball = packPackage(tmpdir());
});

afterAll(async () => {
	await emulator.stop();
	await model.stop();
});

describe.each(N8N_VERSIONS)('n8n %s', (version) => {
	let n8n: RealN8n;

	beforeAll(async () => {
		n8n = new RealN8n(version, installN8n(version));
		n8n.installPackage(tarball);
		await n8n.importCredential({
			...CREDENTIAL,
			data: { apiKey: emulator.apiKey, baseUrl: emulator.url },
		});
		await n8n.importCredential({
			id: MODEL_CREDENTIAL,
			name: 'Model',
			type: 'openAiApi',
			data: { apiKey: model.apiKey, url: model.url, header: false },
		});
	});

	afterAll(async () => {
		await n8n.stop();
		n8n.remove();
	});

	beforeEach(() => emulator.reset());

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
				'with the 16 credits this node already used in this execution, that is more than the limit of 20',
			);
			expect(emulator.count('create')).toBe(2);
		});
	});

	it('7. The scheduled pipeline example, fired by its Schedule Trigger: prompts.csv -> one video per row, each saved under its prompt, within Max Credits', async () => {
		const folder = path.join(n8n.filesFolder, 'seedance');
		mkdirSync(folder, { recursive: true });
		const prompts = ['A lighthouse at dawn', 'Waves on rocks, slow motion!', 'A fox in snow'];
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
		// Every 30 s instead of every morning: the first run comes within 30 s, and the suite stops
		// n8n long before a second.
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
			expect({ status: row.status, failures }).toEqual({ status: 'success', failures: [] });
			expect(emulator.count('create')).toBe(prompts.length);
			expect(outputOf(run, 'Generate videos').map((item) => item.json.estimatedCredits)).toEqual([
				8, 8, 8,
			]);
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
	});

	it("8. As an AI Agent's tools (OpenAI Chat Model on a stand-in model): Generate answers at once, Wait waits, both compact; the agent answers with the video", async () => {
		const prompt = 'A lighthouse at dawn, waves crashing';
		const nameLike = (request: ChatRequest, start: string) =>
			(request.tools ?? []).find((tool) => tool.function.name.startsWith(start))?.function.name ??
			`${start}?`;
		model.reset((request) => {
			const answers = toolAnswers(request);
			if (answers.length === 0)
				return { call: nameLike(request, 'Generate'), arguments: { prompt } };
			if (answers.length === 1) {
				const [, taskId] = /"taskId":\s*"([^"]+)"/.exec(answers[0]) ?? [];
				return { call: nameLike(request, 'Wait'), arguments: { taskId } };
			}
			const [, videoUrl] = /"videoUrl":\s*"([^"]+)"/.exec(answers[1]) ?? [];
			return { answer: `Your video is ready: ${videoUrl}` };
		});
		const tool = (name: string, parameters: Record<string, unknown>) =>
			node(
				name,
				'n8n-nodes-seedance.seedanceTool',
				{ resource: 'video', ...parameters },
				{ typeVersion: 1.1, credentials: credentialRef },
			);
		const nodes = [
			manual(),
			node(
				'AI Agent',
				'@n8n/n8n-nodes-langchain.agent',
				{ promptType: 'define', text: `Make a short video of ${prompt}.`, options: {} },
				{ typeVersion: 3 },
			),
			node(
				'OpenAI Chat Model',
				'@n8n/n8n-nodes-langchain.lmChatOpenAi',
				{ model: { __rl: true, mode: 'id', value: 'stand-in-model' }, options: {} },
				{ typeVersion: 1.2, credentials: { openAiApi: { id: MODEL_CREDENTIAL, name: 'Model' } } },
			),
			tool('Generate video', {
				operation: 'generate',
				prompt: "={{ $fromAI('prompt', 'What the video shows', 'string') }}",
				resolution: '480p',
				duration: '4',
			}),
			tool('Wait for video', {
				operation: 'wait',
				taskId: "={{ $fromAI('taskId', 'The task ID Generate answered with', 'string') }}",
				options: { pollInterval: 1 },
			}),
		];
		const to = (type: string) => ({ [type]: [[{ node: 'AI Agent', type, index: 0 }]] });
		await n8n.importWorkflow({
			id: 'e2eAgentTool001',
			name: 'E2E Seedance as AI Agent tools',
			nodes,
			connections: {
				Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
				'OpenAI Chat Model': to('ai_languageModel'),
				'Generate video': to('ai_tool'),
				'Wait for video': to('ai_tool'),
			},
			settings: { executionOrder: 'v1' },
			pinData: {},
		});
		const run = await n8n.execute('e2eAgentTool001');
		const failures = Object.entries(run.data.resultData.runData).flatMap(([name, runs]) =>
			runs.flatMap((task) => (task.error ? [`${name}: ${task.error.message}`] : [])),
		);
		expect({ status: run.status, failures }).toEqual({ status: 'success', failures: [] });

		// The model was offered both tools, each with its description and the $fromAI argument.
		const offered = model.requests[0].tools ?? [];
		const generateTool = offered.find((entry) => entry.function.name.startsWith('Generate'));
		const waitTool = offered.find((entry) => entry.function.name.startsWith('Wait'));
		expect(JSON.stringify(generateTool?.function.parameters)).toContain('"prompt"');
		expect(JSON.stringify(waitTool?.function.parameters)).toContain('"taskId"');
		expect(generateTool?.function.description).toBeTruthy();

		// One paid create with the agent's prompt, no download; each tool answer compact.
		expect(emulator.count('create')).toBe(1);
		expect(emulator.count('download')).toBe(0);
		const [task] = [...emulator.tasks.values()];
		expect(task.body.prompt).toBe(prompt);
		expect(model.requests).toHaveLength(3);
		const [created, finished] = toolAnswers(model.requests[2]);
		expect(created).toContain(task.taskId);
		expect(created).toMatch(/"state":\s*"(queued|running)"/);
		expect(finished).toMatch(/"state":\s*"succeeded"/);
		for (const answer of [created, finished]) {
			expect(answer).not.toContain('"raw"');
			expect(answer).not.toContain('binary');
			expect(answer).not.toContain(emulator.apiKey);
		}
		const [, videoUrl] = /"videoUrl":\s*"([^"]+)"/.exec(finished) ?? [];
		expect(outputOf(run.data, 'AI Agent')[0].json.output).toBe(`Your video is ready: ${videoUrl}`);
	});

	describe('served by n8n start', () => {
		const triggerPath = `${TRIGGER_WEBHOOK_ID}/callback`;
		let port = 0;
		const webhookPaths = [
			triggerPath,
			`${LOAD_WEBHOOK_ID}/callback`,
			'e2e-resume',
			'e2e-resume-two',
			'e2e-resume-wait',
			'e2e-retry-execution',
		];

		beforeAll(async () => {
			port = await freePort();
			// Workflow B: the example trigger, and a second one without download for the load test.
			await n8n.importWorkflow(example('callback-trigger.json'));
			const load = example('callback-trigger.json');
			load.id = 'e2eLoadTrig001';
			load.name = 'E2E load trigger';
			Object.assign(load.nodes[0], {
				webhookId: LOAD_WEBHOOK_ID,
				// Made-up tasks measure n8n's intake: the check with the service is off here.
				parameters: { event: 'anyTerminal', options: { confirmWithService: false } },
			});
			await n8n.importWorkflow(load);
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
			for (const id of [
				'e2eRetryExec01',
				'seedanceTrigger1',
				'e2eLoadTrig001',
				'e2eResume00001',
				'e2eResume00002',
				'e2eResume00003',
			])
				await n8n.activate(id);
			// Workflow A: the example Generate, pointed at this n8n's trigger URL.
			const generating = example('generate-with-callback.json');
			Object.assign(generating.nodes[1].parameters as Record<string, unknown>, {
				callbackUrl: `http://127.0.0.1:${port}/webhook/${triggerPath}`,
			});
			await n8n.importWorkflow(generating);
		});

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
					rows.length >= 1 &&
					rows.every((row) => row.status === 'success' || row.status === 'error'),
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
			expect(
				await emulator.postCallback(withCallbackToken(plainUrl, 'forged'), delivered.body),
			).toBe(403);
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
			await settle(2000);
			expect(await n8n.executions('seedanceTrigger1')).toHaveLength(1);
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

		it('2b. The same signed callback 5 times at once starts one execution, and again after a restart none; a made-up task none', async () => {
			const before = (await n8n.executions('seedanceTrigger1')).length;
			emulator.holdCallbacks = true;
			const signedUrl = signCallbackUrl(n8n.webhookUrl(triggerPath), emulator.apiKey);
			const taskId = await createEmulatedTask(emulator, 'Concurrent [latency=200]', signedUrl);
			const task = emulator.tasks.get(taskId)!;
			await until(
				async () => emulator.stateOf(task).state,
				(state) => state === 'succeeded',
				10_000,
				'the job',
			);
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
			await settle(2000);
			expect((await n8n.executions('seedanceTrigger1')).length - before).toBe(1);
			expect(rows.length - before).toBe(1);

			// The workflow is activated anew when n8n starts again; the delivery is remembered.
			await n8n.stop();
			await n8n.start(port, webhookPaths, triggerPath);
			// n8n 1.x activates the other workflows one after the other.
			await settle(3000);
			expect(await emulator.postCallback(signedUrl, emulator.statusBody(task))).toBe(200);
			const forged = {
				data: {
					task_id: 'made-up-task',
					status: 'COMPLETED',
					output: { video_url: 'http://127.0.0.1:9/x' },
				},
			};
			expect(await emulator.postCallback(signedUrl, forged)).toBe(409);
			await settle(2000);
			expect((await n8n.executions('seedanceTrigger1')).length - before).toBe(1);
			emulator.holdCallbacks = false;
		});

		it('3. Resume on callback: the execution waits without polling and succeeds with the video when the service calls back', async () => {
			if (!n8n.running) await n8n.start(port, webhookPaths);
			emulator.holdCallbacks = true;
			const id = await startResumed({ prompt: 'A paper boat [latency=1000]', maxWaitTime: 120 });
			await until(
				() => statusOf(id),
				(status) => status === 'waiting',
				30_000,
				'the waiting state',
			);
			await settle(1500);
			expect(await statusOf(id)).toBe('waiting');
			const [task] = emulator.tasks.values();
			expect(String(task.body.callback_url)).toContain(`/webhook-waiting/${id}`);
			emulator.holdCallbacks = false;
			const run = await succeededRun(id, 60_000, 'the resumed execution');
			const [item] = outputOf(run, 'Generate and pause');
			expect(item.json).toMatchObject({
				taskId: task.taskId,
				state: 'succeeded',
				callbackReceived: true,
				callbackTimedOut: false,
			});
			expect(n8n.binaryBytes(item.binary!.data).equals(SAMPLE_MP4)).toBe(true);
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
			// The service delivers the fast task's callback twice (at-least-once): the second copy
			// arrives while the resume is still reading the slow task, and n8n still shows the
			// execution as waiting. It must be answered and resume nothing a second time.
			const resumedBy = await until(
				async () => emulator.callbacks.find((callback) => callback.status === 200),
				Boolean,
				30_000,
				'the resuming callback',
			);
			expect(await emulator.postCallback(resumedBy!.url, resumedBy!.body)).toBe(200);
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
			// The fast task's callback came first and resumed the execution.
			const firstCallback = emulator.callbacks.find((callback) => callback.status === 200)!;
			expect(JSON.stringify(firstCallback.body)).toContain(fast.taskId);
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
			// One resume: each video downloaded once (a second resume downloads both again), and
			// nothing more reaches the service afterwards.
			await settle(4000);
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
			await settle(1500);
			// Paused in the Wait node after one read, even though the job has ended by now: no polling.
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
			expect(item.json).toMatchObject({
				taskId: task.taskId,
				state: 'succeeded',
				callbackReceived: true,
				callbackTimedOut: false,
			});
			expect(n8n.binaryBytes(item.binary!.data).equals(SAMPLE_MP4)).toBe(true);
			expect(emulator.count('create')).toBe(1);
		});

		it('3b. Resume on callback, forged callbacks and a withheld one: forged are refused; at the deadline the task is checked once more and its real result comes out', async () => {
			if (!n8n.running) await n8n.start(port, webhookPaths);
			emulator.holdCallbacks = true;
			const id = await startResumed({ prompt: 'A paper boat [latency=500]', maxWaitTime: 6 });
			await until(
				() => statusOf(id),
				(status) => status === 'waiting',
				30_000,
				'the waiting state',
			);
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

		it(`4. Load: ${LOAD_CALLBACKS} callbacks -> ${LOAD_CALLBACKS} executions, none lost; a replay of the first after them starts nothing`, async () => {
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
						statuses[index] = await emulator.postCallback(url, loadCallback(index));
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
			await new Promise((resolve) => setTimeout(resolve, 3000));
			expect(await n8n.executions('e2eLoadTrig001')).toHaveLength(LOAD_CALLBACKS);
			console.log(
				`[e2e n8n ${version}] load: ${LOAD_CALLBACKS} callbacks posted in ${((posted - began) / 1000).toFixed(1)} s, ` +
					`${rows.length} executions recorded (all success) after ${((done - began) / 1000).toFixed(1)} s; lost: ${LOAD_CALLBACKS - rows.length}`,
			);
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
	});
});
