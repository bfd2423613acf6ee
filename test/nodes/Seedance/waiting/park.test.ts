/**
 * Parking an execution (waiting/park.ts), in n8n-core's engine: Generate in resume mode hands the
 * service this execution's resume URL with its token and pauses the execution (WorkflowExecute),
 * n8n's Wait-node way; what it does when an item fails or the task has ended already.
 * The resume webhook is tested in resume.test.ts.
 */
import { callbackToken } from '../../../../nodes/shared/domain/callbackToken';
import type { EmulatedTask } from '../../../emulator/server';
import { generatedTaskId, itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { parkGenerate, resumeModeGenerate, type WebhookReceiver } from '../../../harness/webhook';
import { FAST, useEmulator, waitFor } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 300, callbacks: 'none' });

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
	await receiver?.stop();
	receiver = undefined;
});

/** Runs Generate in resume mode until it parks. */
async function park(prompts: string[]) {
	const parked = await parkGenerate(credentials(), prompts, { ...FAST, maxWaitTime: 60 });
	receiver = parked.receiver;
	return { ...parked, tasks: [...emulator.tasks.values()] };
}

const finished = (task: EmulatedTask) => emulator.stateOf(task).state === 'succeeded';

describe('Generate in resume mode parks the execution', () => {
	it('sends the resume URL with its token, reads no status, and waits with one parked item per task', async () => {
		const { run, tasks } = await park(['A paper boat']);
		expect(run.status).toBe('waiting');
		expect(run.waitTill).toBeInstanceOf(Date);
		expect(tasks).toHaveLength(1);
		const callbackUrl = new URL(String(tasks[0].body.callback_url));
		expect(callbackUrl.pathname).toMatch(/^\/webhook-waiting\/\d+$/);
		expect(callbackUrl.searchParams.get('seedance_token')).toBe(
			callbackToken(emulator.apiKey, callbackUrl.toString()),
		);
		expect(emulator.count('status')).toBe(0);
		const [parked] = run.data.executionData!.nodeExecutionStack[0].data.main[0]!;
		// Nothing stale: the create answer's state is not carried; the item says the result is missing.
		expect(Object.keys(parked.json).sort()).toEqual([
			'callbackReceived',
			'callbackTimedOut',
			'error',
			'taskId',
			'waitDeadline',
		]);
		expect(parked.json).toMatchObject({
			taskId: tasks[0].taskId,
			callbackReceived: false,
			callbackTimedOut: true,
		});
		expect(String(parked.json.error)).toContain('No callback from API in One within 60 seconds');
	});
});

describe('Generate in resume mode, when an item fails', () => {
	it('without Continue On Fail fails the node at once, as Poll mode does, naming the task still running; nothing parks', async () => {
		emulator.inject('create', {
			kind: 'status',
			code: 402,
			body: { error: { message: 'Insufficient credits' } },
		});
		const node = resumeModeGenerate({ ...FAST, concurrency: 1 });
		const { run, errorOf } = await runWorkflow(
			[itemsNode([{ json: { prompt: 'First' } }, { json: { prompt: 'Second' } }]), node],
			{ credentials: credentials() },
		);
		expect(run.status).toBe('error');
		expect(run.waitTill).toBeFalsy();
		const [task] = emulator.tasks.values();
		expect(emulator.tasks.size).toBe(1);
		expect(errorOf('Seedance')?.message).toMatch(/credits/i);
		expect(errorOf('Seedance')?.description).toContain(
			`Tasks still running, not waited for: ${task.taskId} (item 2).`,
		);
	});

	it('with Continue On Fail parks the failed item as an error item next to the running task', async () => {
		emulator.inject('create', {
			kind: 'status',
			code: 402,
			body: { error: { message: 'Insufficient credits' } },
		});
		const node = {
			...resumeModeGenerate({ ...FAST, concurrency: 1 }),
			onError: 'continueRegularOutput' as const,
		};
		const { run } = await runWorkflow(
			[itemsNode([{ json: { prompt: 'First' } }, { json: { prompt: 'Second' } }]), node],
			{ credentials: credentials() },
		);
		expect(run.status).toBe('waiting');
		const parked = run.data.executionData!.nodeExecutionStack[0].data.main[0]!;
		expect(parked.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(parked[0].json.error).toMatch(/credits/i);
		expect(parked[1].json).toMatchObject({
			taskId: [...emulator.tasks.values()][0].taskId,
			callbackReceived: false,
		});
	});
});

describe('Generate in resume mode, picking up an existing task', () => {
	/** Generate in Resume on Callback mode, given the ID of a task that exists already. */
	const pickUp = (taskId: string) =>
		runWorkflow(
			[
				itemsNode([{ json: {} }]),
				seedanceNode({
					resource: 'video',
					operation: 'generate',
					prompt: 'A paper boat',
					resolution: '480p',
					duration: '4',
					waitMode: 'resume',
					options: { ...FAST, existingTaskId: taskId },
				}),
			],
			{ credentials: credentials() },
		);

	it('does not pause for a task that has already ended: no callback will come for it, so it is output at once with its video', async () => {
		const taskId = await generatedTaskId(credentials(), 'Quick [latency=100]');
		const [task] = emulator.tasks.values();
		await waitFor(() => finished(task), 5000, 'the job');
		const { run, output } = await pickUp(taskId);
		expect(run.status).toBe('success');
		expect(output('Seedance')[0].json).toMatchObject({ taskId: task.taskId, state: 'succeeded' });
		expect(output('Seedance')[0].binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		expect(emulator.count('create')).toBe(1);
	});

	it('reads a picked-up task that is still running until it ends, as Poll mode does: no callback can come here for it', async () => {
		const taskId = await generatedTaskId(credentials(), 'Slow [latency=1200]');
		const [task] = emulator.tasks.values();
		expect(finished(task)).toBe(false);
		const { run, output } = await pickUp(taskId);
		expect(run.status).toBe('success');
		expect(run.waitTill).toBeFalsy();
		expect(output('Seedance')[0].json).toMatchObject({ taskId: task.taskId, state: 'succeeded' });
		expect(output('Seedance')[0].binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		expect(emulator.count('create')).toBe(1);
		expect(emulator.count('status')).toBeGreaterThan(1);
	});

	it('Retry On Fail parks for the task its first try created: its callback still comes to this execution', async () => {
		const existing = await generatedTaskId(credentials(), 'Slow [latency=1500]');
		// The first try creates item 1, then fails on reading item 2's task; the retry picks both up.
		emulator.inject('status', { kind: 'status', code: 400 });
		const node = seedanceNode(
			{
				resource: 'video',
				operation: 'generate',
				prompt: 'Slow [latency=1500]',
				resolution: '480p',
				duration: '4',
				waitMode: 'resume',
				options: { ...FAST, existingTaskId: "={{ $json.existing || '' }}" },
			},
			{ retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
		);
		const { run } = await runWorkflow([itemsNode([{ json: {} }, { json: { existing } }]), node], {
			credentials: credentials(),
		});
		expect(emulator.count('create')).toBe(2);
		expect(run.waitTill).toBeTruthy();
	});

	it('reads a task picked up by its Idempotency Key until it ends: its callbacks go to the execution that made it', async () => {
		const keyed = (waitMode: string, id?: string) =>
			seedanceNode(
				{
					resource: 'video',
					operation: 'generate',
					prompt: 'Slow [latency=1200]',
					resolution: '480p',
					duration: '4',
					waitMode,
					...(waitMode === 'poll' ? { waitForCompletion: false } : {}),
					options: { ...FAST, idempotencyKey: 'monday' },
				},
				id ? { id } : {},
			);
		const first = keyed('poll');
		await runWorkflow([itemsNode([{ json: {} }]), first], { credentials: credentials() });
		const [task] = emulator.tasks.values();
		const { run, output } = await runWorkflow(
			[itemsNode([{ json: {} }]), keyed('resume', first.id)],
			{ credentials: credentials() },
		);
		expect(run.waitTill).toBeFalsy();
		expect(output('Seedance')[0].json).toMatchObject({
			taskId: task.taskId,
			state: 'succeeded',
			pickedUpByKey: true,
		});
		expect(emulator.count('create')).toBe(1);
	});
});
