/**
 * One redaction, everywhere: the API key, the callback token and an execution's resume URL are put
 * into every place the service can echo them (a status answer, a failed task's error text, a
 * create answer's callback_url, a callback body), and then looked for in the nodes' output, their
 * errors and everything n8n logged.
 */
import { callbackToken, withCallbackToken } from '../../../../nodes/shared/domain/callbackToken';
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { TriggerReceiver, WebhookReceiver } from '../../../harness/webhook';
import { FAST, captureLogs, leaks, useEmulator, waitFor } from '../../../helpers';
import { finishedTaskAnswer, serialised, showsSecret } from '../../../secrets';

// n8n's logger at its most verbose, so the node's own lines are among what is searched.
const logLevelBefore = process.env.N8N_LOG_LEVEL;
process.env.N8N_LOG_LEVEL = 'debug';
afterAll(() => {
	if (logLevelBefore === undefined) delete process.env.N8N_LOG_LEVEL;
	else process.env.N8N_LOG_LEVEL = logLevelBefore;
});

const { emulator, credentials } = useEmulator({ latencyMs: 200, callbacks: 'none' });
const key = () => emulator.apiKey;
// A token opens only the URL it was made for: each test sets the URL its token is for.
let tokenUrl = 'https://n8n.example/webhook/abc/callback';
const token = () => callbackToken(emulator.apiKey, tokenUrl);
const echo = () => `key ${key()} callback ${tokenUrl}?seedance_token=${token()}`;

let capture: ReturnType<typeof captureLogs>;
let receiver: TriggerReceiver | WebhookReceiver | undefined;
beforeEach(() => {
	capture = captureLogs();
});
afterEach(async () => {
	capture.restore();
	await receiver?.stop();
	receiver = undefined;
});

/** Nothing secret anywhere: in what the test got, and in every log line. */
function expectNoSecrets(value: unknown, secrets: string[] = [key(), token()]) {
	for (const secret of secrets) {
		expect(leaks(value, secret)).toBe(false);
		expect(capture.lines.filter((line) => line.includes(secret))).toEqual([]);
	}
	expect(JSON.stringify(value)).toContain('[redacted]');
}

/** Simplify off: the raw answer, where echoed secrets sit, is output too. */
const node = (operation: string, parameters: Record<string, unknown>) =>
	seedanceNode({ resource: 'video', operation, simplify: false, ...parameters });

describe('secrets the service echoes never reach output, errors or logs', () => {
	it('in a status answer (raw included)', async () => {
		emulator.inject('status', {
			kind: 'status',
			code: 200,
			body: {
				data: { task_id: 't1', status: 'IN_PROGRESS', note: echo(), nested: { again: echo() } },
			},
		});
		const result = await runWorkflow(
			[itemsNode([{ json: {} }]), node('getStatus', { taskId: 't1' })],
			{
				credentials: credentials(),
			},
		);
		expectNoSecrets(result.output('Seedance'));
	});

	it("in a failed task's error text, through the node's error", async () => {
		emulator.inject('status', {
			kind: 'status',
			code: 200,
			body: { data: { task_id: 't2', status: 'FAILED', error: { message: `refused: ${echo()}` } } },
		});
		const result = await runWorkflow(
			[
				itemsNode([{ json: {} }]),
				node('wait', { taskId: 't2', options: { ...FAST, downloadVideo: false } }),
			],
			{ credentials: credentials() },
		);
		const error = result.errorOf('Seedance');
		expect(error?.message).toContain('refused');
		expectNoSecrets({ message: error?.message, description: error?.description });
	});

	it("in a create answer echoing the callback URL (the Seedance Trigger's token)", async () => {
		const callbackUrl = 'https://n8n.example/webhook/abc/callback';
		emulator.inject('create', {
			kind: 'status',
			code: 200,
			body: {
				data: {
					task_id: 't3',
					status: 'IN_PROGRESS',
					callback_url: withCallbackToken(callbackUrl, token()),
				},
			},
		});
		const result = await runWorkflow(
			[
				itemsNode([{ json: {} }]),
				node('generate', {
					prompt: 'A dancer',
					callbackUrl,
					waitForCompletion: false,
					options: { ...FAST },
				}),
			],
			{ credentials: credentials() },
		);
		expectNoSecrets(result.output('Seedance'));
	});

	it("in a create answer echoing this execution's resume URL, and in the resumed output", async () => {
		const generate = node('generate', {
			prompt: 'A dancer',
			waitMode: 'resume',
			options: { ...FAST, maxWaitTime: 60, downloadVideo: false },
		});
		const parked = await runWorkflow([itemsNode([{ json: {} }]), generate], {
			credentials: credentials(),
		});
		const [task] = emulator.tasks.values();
		const resumeUrl = String(task.body.callback_url).split('?')[0];
		expect(resumeUrl).toMatch(/\/webhook-waiting\/\d+$/);
		// Served at the execution's own resume path, with n8n's signature, as n8n serves it.
		const given = new URL(String(task.body.callback_url));
		receiver = new WebhookReceiver({
			node: generate,
			credentials: credentials(),
			waiting: parked.run.data,
			executionId: given.pathname.split('/').pop(),
		});
		tokenUrl = await receiver.start();
		await waitFor(() => emulator.stateOf(task).state === 'succeeded', 5000, 'the job');
		// The service's own answer echoes the URL it was given, with the token.
		emulator.inject('status', {
			kind: 'status',
			code: 200,
			body: { ...emulator.statusBody(task), callback_url: String(task.body.callback_url) },
		});
		const signature = given.searchParams.get('signature');
		const signed = withCallbackToken(
			`${receiver.productionUrl}${signature ? `?signature=${signature}` : ''}`,
			token(),
		);
		expect(
			await emulator.postCallback(signed, {
				...emulator.statusBody(task),
				callback_url: String(task.body.callback_url),
			}),
		).toBe(200);
		await waitFor(() => (receiver as WebhookReceiver).executions.length === 1, 5000, 'the resume');
		expectNoSecrets(receiver.executions, [key(), token(), resumeUrl]);
	});

	it('in a callback body, with and without confirming it with the service', async () => {
		for (const confirmWithService of [true, false]) {
			receiver = new TriggerReceiver(
				{ event: 'anyTerminal', simplify: false, options: { confirmWithService } },
				credentials(),
			);
			tokenUrl = await receiver.start();
			const taskId = (
				await runWorkflow(
					[
						itemsNode([{ json: {} }]),
						node('generate', {
							prompt: 'A dancer',
							waitForCompletion: false,
							options: { ...FAST },
						}),
					],
					{ credentials: credentials() },
				)
			).output('Seedance')[0].json.taskId as string;
			const task = emulator.tasks.get(taskId)!;
			await waitFor(() => emulator.stateOf(task).state === 'succeeded', 5000, 'the job');
			emulator.inject('status', {
				kind: 'status',
				code: 200,
				body: { ...emulator.statusBody(task), note: echo() },
			});
			const body = { ...emulator.statusBody(task), note: echo() };
			expect(
				await emulator.postCallback(withCallbackToken(receiver.productionUrl, token()), body),
			).toBe(200);
			// The trigger answers before it downloads the video, then starts the execution.
			const started = receiver;
			await waitFor(() => started.executions.length === 1, 5000, 'the execution');
			expect(receiver.executions).toHaveLength(1);
			expectNoSecrets(receiver.executions);
			await receiver.stop();
			receiver = undefined;
		}
	});
});

describe('the named cases of the redaction door', () => {
	/** A finished task whose link is served by the emulator, then the Wait node that downloads it. */
	function finishedTaskDownloading() {
		emulator.inject('status', finishedTaskAnswer('t9', `${emulator.url}/files/t9.mp4`));
		return node('wait', { taskId: 't9', options: { ...FAST, downloadVideo: true } });
	}

	async function errorOfRun(seedance: ReturnType<typeof node>) {
		const result = await runWorkflow([itemsNode([{ json: {} }]), seedance], {
			credentials: credentials(),
		});
		const error = result.errorOf('Seedance');
		expect(error).toBeDefined();
		for (const text of [serialised(error), serialised(result.run), ...capture.lines])
			expect(showsSecret(text, key())).toBe(false);
		return error!;
	}

	it('a key across the old 300-character cut of the service message shows none of it', async () => {
		const message = `${'x'.repeat(280)}${key()}${'y'.repeat(50)}`;
		emulator.inject('create', { kind: 'status', code: 400, body: { message } });
		const error = await errorOfRun(
			node('generate', { prompt: 'A dancer', waitForCompletion: false, options: { ...FAST } }),
		);
		expect(error.message).toContain(`: ${'x'.repeat(280)}[redacted]${'y'.repeat(10)}…`);
	});

	it('a key across the old 200-character cut of a download snippet shows none of it', async () => {
		emulator.inject('download', {
			kind: 'status',
			code: 200,
			body: `${'x'.repeat(190)}${key()}`,
		});
		const error = await errorOfRun(finishedTaskDownloading());
		expect(error.description).toContain(`text/html: "${'x'.repeat(190)}[redacted]"`);
	});

	it('a Content-Type equal to the key is quoted redacted', async () => {
		emulator.inject('download', {
			kind: 'status',
			code: 200,
			headers: { 'content-type': key() },
			body: 'not a video',
		});
		const error = await errorOfRun(finishedTaskDownloading());
		expect(error.description).toContain('It returned [redacted]: "not a video"');
	});

	it('first bytes that are the key are quoted redacted ("they start with")', async () => {
		emulator.inject('download', {
			kind: 'status',
			code: 200,
			headers: { 'content-type': 'video/mp4' },
			body: `${key()} and more bytes`,
		});
		const error = await errorOfRun(finishedTaskDownloading());
		expect(error.description).toContain('they start with "[redacted]');
	});
});
