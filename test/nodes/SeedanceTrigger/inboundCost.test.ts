/**
 * What an inbound callback may cost and answer at the Seedance Trigger: tokens bound to their URL,
 * the cheap checks before any request with the key, one read at most, an answer within 5 s, and
 * 200 only when an execution started (or the callback was rightly ignored).
 */
import { callbackSecretOf, signCallbackUrl } from '../../../nodes/shared/domain/callbackToken';
import { WASTED_READS_PER_MINUTE } from '../../../nodes/SeedanceTrigger/readBound';
import { TriggerReceiver } from '../../harness/webhook';
import { createEmulatedTask, useEmulator, waitFor } from '../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 50, callbacks: 'none' });

let receivers: TriggerReceiver[] = [];
async function startTrigger(parameters: Record<string, unknown> = {}): Promise<TriggerReceiver> {
	const receiver = new TriggerReceiver(
		{ event: 'anyTerminal', options: {}, ...parameters },
		credentials(),
	);
	await receiver.start();
	receivers.push(receiver);
	return receiver;
}
afterEach(async () => {
	await Promise.all(receivers.map(async (receiver) => await receiver.stop()));
	receivers = [];
});

const secret = () => callbackSecretOf(credentials().seedanceApi as never);
const signed = (url: string) => signCallbackUrl(url, secret());
const reads = () => emulator.count('status');

/** A task that has ended at the service, and its real callback body. */
async function finishedTask(prompt = 'a dancer') {
	const taskId = await createEmulatedTask(emulator, prompt, 'https://unused.example/cb');
	const task = emulator.tasks.get(taskId)!;
	await waitFor(
		() => emulator.stateOf(task).state !== 'running' && emulator.stateOf(task).state !== 'queued',
		5000,
		'the job',
	);
	return { taskId, task, body: emulator.statusBody(task) };
}

describe('a callback token opens only the URL it was made for', () => {
	it("a token made for one trigger, or for another host's URL, is refused by another trigger of the same credential, with no request", async () => {
		const [first, second] = [await startTrigger(), await startTrigger()];
		const { body } = await finishedTask();
		const foreign = new URL(second.productionUrl);
		const tokenOf = (url: string) => new URL(signed(url)).searchParams.get('seedance_token')!;
		for (const token of [
			tokenOf(first.productionUrl),
			tokenOf('https://collector.example/hooks/seedance'),
			tokenOf(`https://n8n.example/webhook-waiting/17`),
		]) {
			foreign.searchParams.set('seedance_token', token);
			expect(await emulator.postCallback(foreign.toString(), body)).toBe(403);
		}
		expect(second.executions).toHaveLength(0);
		expect(reads()).toBe(0);
		// Its own token, even behind a proxy that changed the host: started.
		const behindProxy = new URL(
			signed(second.productionUrl.replace('127.0.0.1', 'public.example')),
		);
		const own = new URL(second.productionUrl);
		own.search = behindProxy.search;
		expect(await emulator.postCallback(own.toString(), body)).toBe(200);
		// 200 means started: the trigger answers before it downloads the video, then starts.
		await waitFor(() => second.executions.length === 1, 5000, 'the execution');
	});
});

describe('cheap checks first: what costs no request with the key', () => {
	it('200 replays of a delivered callback cost no read and start nothing more', async () => {
		const trigger = await startTrigger();
		const { body } = await finishedTask();
		const url = signed(trigger.productionUrl);
		expect(await emulator.postCallback(url, body)).toBe(200);
		// On failure, shows what the trigger answered and what reached the service.
		expect({
			reads: reads(),
			answers: trigger.deliveries.map((delivery) => delivery.body),
			requests: emulator.requests.map((request) => `${request.method} ${request.path}`),
		}).toMatchObject({ reads: 1 });
		for (let replay = 0; replay < 200; replay++)
			expect(await emulator.postCallback(url, body)).toBe(200);
		expect(reads()).toBe(1);
		expect(trigger.executions).toHaveLength(1);
	});

	it('progress callbacks and wrong or missing tokens cost no read', async () => {
		const trigger = await startTrigger();
		const { taskId } = await finishedTask();
		const url = signed(trigger.productionUrl);
		for (const status of ['IN_PROGRESS', 'queued', 'Processing', 'pending'])
			expect(await emulator.postCallback(url, { task_id: taskId, status })).toBe(200);
		expect(
			await emulator.postCallback(trigger.productionUrl, { task_id: taskId, status: 'SUCCESS' }),
		).toBe(401);
		expect(
			await emulator.postCallback(`${trigger.productionUrl}?seedance_token=forged`, {
				task_id: taskId,
				status: 'SUCCESS',
			}),
		).toBe(403);
		expect(reads()).toBe(0);
		expect(trigger.executions).toHaveLength(0);
	});
});

describe('a flood of made-up tasks spends a bounded number of reads', () => {
	afterEach(() => jest.useRealTimers());

	/** Only the clock is faked, and it runs: sockets and the emulator's timers stay real. */
	function atMinuteStart() {
		jest.useFakeTimers({
			advanceTimers: true,
			doNotFake: [
				'nextTick',
				'setImmediate',
				'clearImmediate',
				'setInterval',
				'clearInterval',
				'setTimeout',
				'clearTimeout',
				'queueMicrotask',
				'hrtime',
				'performance',
			],
		});
		jest.setSystemTime(Math.ceil(Date.now() / 60_000) * 60_000 + 1000);
	}
	const madeUp = (n: number) => ({ task_id: `made-up-${n}`, status: 'SUCCESS' });

	async function finishedTasks(count: number) {
		const ids: string[] = [];
		for (let n = 0; n < count; n++)
			ids.push(await createEmulatedTask(emulator, `real ${n}`, 'https://unused.example/cb'));
		const tasks = ids.map((id) => emulator.tasks.get(id)!);
		await waitFor(
			() => tasks.every((task) => emulator.stateOf(task).state === 'succeeded'),
			10_000,
			'the jobs',
		);
		return tasks;
	}

	it('a burst of 70 real callbacks at once while reads are slow: all started (reads under way wait for room)', async () => {
		atMinuteStart();
		const trigger = await startTrigger({ options: { downloadVideo: false } });
		const url = signed(trigger.productionUrl);
		const tasks = await finishedTasks(70);
		// Each read answers rightly after 1.5 s: 70 at once is more than the reads under way allowed.
		emulator.faultSource = (route, request) => {
			const task = tasks.find((candidate) => request.path.includes(candidate.taskId));
			if (route !== 'status' || !task) return undefined;
			const body = Buffer.from(JSON.stringify(emulator.statusBody(task)));
			return { kind: 'drip', headersAfterMs: 1500, chunkBytes: body.length, everyMs: 0, body };
		};
		const statuses = await Promise.all(
			tasks.map(async (task) => await emulator.postCallback(url, emulator.statusBody(task))),
		);
		expect(statuses.filter((status) => status !== 200)).toEqual([]);
		expect(trigger.executions).toHaveLength(70);
	});

	it.each([
		['a running task of the account claimed finished', 'running'],
		['made-up tasks while every read gets 429', 'rateLimited'],
	])('%s: at most the bound in reads a minute', async (_name, attack) => {
		atMinuteStart();
		const trigger = await startTrigger({ options: { downloadVideo: false } });
		const url = signed(trigger.productionUrl);
		const running = await createEmulatedTask(emulator, 'slow [never]', 'https://unused.example/cb');
		if (attack === 'rateLimited')
			emulator.faultSource = (route) =>
				route === 'status' ? { kind: 'status', code: 429, retryAfter: '1' } : undefined;
		for (let n = 0; n < 2 * WASTED_READS_PER_MINUTE; n++) {
			const body = attack === 'running' ? { task_id: running, status: 'SUCCESS' } : madeUp(n);
			expect([200, 503]).toContain(await emulator.postCallback(url, body));
		}
		expect(reads()).toBe(WASTED_READS_PER_MINUTE);
		expect(trigger.executions).toHaveLength(0);
	});

	it(`reads at most ${WASTED_READS_PER_MINUTE} unknown tasks a minute, real tasks do not count, and the next minute reads again`, async () => {
		atMinuteStart();
		const trigger = await startTrigger({ options: { downloadVideo: false } });
		const url = signed(trigger.productionUrl);
		const real = await Promise.all([1, 2, 3].map(async (n) => await finishedTask(`real ${n}`)));
		for (const { body } of real.slice(0, 2))
			expect(await emulator.postCallback(url, body)).toBe(200);
		for (let n = 0; n < WASTED_READS_PER_MINUTE; n++)
			expect(await emulator.postCallback(url, madeUp(n))).toBe(409);
		expect(reads()).toBe(2 + WASTED_READS_PER_MINUTE);
		// Over the bound: 503 with Retry-After and no read, the real task too.
		for (const body of [madeUp(999), real[2].body]) {
			const refused = await emulator.sendCallback(url, body);
			expect(refused.status).toBe(503);
			expect(Number(refused.retryAfter)).toBeGreaterThan(0);
			expect(trigger.deliveries.at(-1)!.body).toEqual({
				message: `More than ${WASTED_READS_PER_MINUTE} callbacks this minute named tasks API in One could not confirm as finished; try again later`,
			});
		}
		expect(reads()).toBe(2 + WASTED_READS_PER_MINUTE);
		expect(trigger.executions).toHaveLength(2);
		// The service's next try, a minute later: read and started.
		jest.setSystemTime(Date.now() + 60_000);
		expect(await emulator.postCallback(url, real[2].body)).toBe(200);
		expect(trigger.executions).toHaveLength(3);
		expect(trigger.executions.map(([item]) => item.json.taskId)).toEqual(
			real.map(({ taskId }) => taskId),
		);
	});
});

describe('unknown terminal-looking status words are confirmed by a read, never dropped', () => {
	it.each(['COMPLETE', 'SUCCESSFUL', 'READY', 'Finalized', 'ok', ''])(
		'"%s": one read, then started with the state the service gives',
		async (status) => {
			const trigger = await startTrigger();
			const { taskId } = await finishedTask();
			expect(
				await emulator.postCallback(signed(trigger.productionUrl), { task_id: taskId, status }),
			).toBe(200);
			expect(reads()).toBe(1);
			// The trigger answers before it downloads the video, then starts the execution.
			await waitFor(() => trigger.executions.length === 1, 5000, 'the execution');
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0][0].json).toMatchObject({ taskId, state: 'succeeded' });
		},
	);
});

describe('200 means started', () => {
	it('an invalid Max Video Size from an expression stops the activation', async () => {
		const trigger = new TriggerReceiver(
			{ event: 'anyTerminal', options: { downloadVideo: true, maxVideoSize: '={{ -5 }}' } },
			credentials(),
		);
		await expect(trigger.activate()).rejects.toThrow(/Max Video Size/);
		await expect(
			new TriggerReceiver(
				{ event: 'anyTerminal', options: { downloadVideo: "={{ 'yes' }}" } },
				credentials(),
			).activate(),
		).rejects.toThrow('Download Video must be true or false');
	});

	it('an option that fails at a callback still starts the workflow once with the task, naming the option, and downloads nothing', async () => {
		const broken = await startTrigger({
			options: { downloadVideo: true, maxVideoSize: '={{ -5 }}' },
		});
		const { body, taskId } = await finishedTask();
		const url = signed(broken.productionUrl);
		expect(await emulator.postCallback(url, body)).toBe(200);
		expect(reads()).toBe(1);
		expect(broken.executions).toHaveLength(1);
		const [item] = broken.executions[0];
		expect(item.json).toMatchObject({ taskId, state: 'succeeded' });
		expect(item.json.optionError).toContain('"Max Video Size (MB)"');
		expect(item.binary).toBeUndefined();
		// Delivered: the service's resends start nothing more.
		expect(await emulator.postCallback(url, body)).toBe(200);
		expect(broken.executions).toHaveLength(1);
	});

	it.each([
		['a slow service', { kind: 'slow' as const, ms: 6000 }],
		['a rate limit', { kind: 'status' as const, code: 429, retryAfter: '3' }],
		['a server error', { kind: 'status' as const, code: 502 }],
	])(
		'with %s: 503 within 5 s after one request, nothing recorded; the next try starts it',
		async (_name, fault) => {
			const trigger = await startTrigger();
			const { body } = await finishedTask();
			const url = signed(trigger.productionUrl);
			emulator.inject('status', fault);
			const started = Date.now();
			expect(await emulator.postCallback(url, body)).toBe(503);
			expect(Date.now() - started).toBeLessThan(5000);
			expect(reads()).toBe(1);
			expect(trigger.executions).toHaveLength(0);
			expect(await emulator.postCallback(url, body)).toBe(200);
			await waitFor(() => trigger.executions.length === 1, 5000, 'the execution');
		},
		15_000,
	);
});
