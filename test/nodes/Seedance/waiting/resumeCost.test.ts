/**
 * What callbacks to a parked execution cost: a batch of N at most N + 2 reads in all (not N²),
 * at most one read for a replay to a parked batch, 503 within 5 s when the service is slow, a
 * callback handled whatever the options' expressions read, and a park record without secrets.
 */
import { parkGenerate, type ParkedExecution } from '../../../harness/webhook';
import { FAST, leaks, useEmulator, waitFor } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 100, callbacks: 'none' });

let parked: ParkedExecution | undefined;
afterEach(async () => {
	await parked?.receiver.stop();
	parked = undefined;
});

const reads = () => emulator.count('status');
const tasksOf = () => [...emulator.tasks.values()];
const ended = (task: ReturnType<typeof tasksOf>[number]) =>
	emulator.stateOf(task).state === 'succeeded';
const shuffled = <T>(values: T[]) =>
	values
		.map((value) => ({ value, key: Math.random() }))
		.sort((a, b) => a.key - b.key)
		.map(({ value }) => value);

describe('Resume on Callback: reads', () => {
	it('a batch of 30 whose callbacks come in any order: at most two reads per callback that resumes nothing, N + 2 in all (was 900)', async () => {
		parked = await parkGenerate(
			credentials(),
			Array.from({ length: 30 }, (_, index) => `Clip ${index} [latency=${50 + index * 10}]`),
			{ ...FAST, downloadVideo: false },
		);
		const before = reads();
		const tasks = tasksOf();
		await waitFor(() => tasks.every(ended), 5000, 'the jobs');
		// Until one resumes (its reads come after its answer), each callback costs one read at most.
		const perCallback: number[] = [];
		for (const task of shuffled(tasks)) {
			const start = reads();
			expect(await emulator.postCallback(parked.signedUrl, emulator.statusBody(task))).toBe(200);
			const answered = parked.receiver.deliveries.at(-1)?.body as { resumed?: boolean };
			if (answered?.resumed) break;
			perCallback.push(reads() - start);
		}
		expect(perCallback.length).toBeGreaterThan(1);
		expect(Math.max(...perCallback)).toBeLessThanOrEqual(2);
		await waitFor(() => parked!.receiver.executions.length === 1, 5000, 'the resume');
		expect(parked.receiver.executions[0]).toHaveLength(30);
		expect(reads() - before).toBeLessThanOrEqual(32);
	});

	it('each replay to a parked batch of 20 costs at most one read; a progress callback none', async () => {
		parked = await parkGenerate(
			credentials(),
			['Slow [never]', ...Array.from({ length: 19 }, (_, index) => `Clip ${index}`)],
			{ ...FAST, downloadVideo: false },
		);
		const [slow, ...quick] = tasksOf();
		await waitFor(() => quick.every(ended), 5000, 'the jobs');
		for (const task of quick)
			expect(await emulator.postCallback(parked.signedUrl, emulator.statusBody(task))).toBe(200);
		for (let replay = 0; replay < 20; replay++) {
			const before = reads();
			const task = quick[replay % quick.length];
			expect(await emulator.postCallback(parked.signedUrl, emulator.statusBody(task))).toBe(200);
			expect(reads() - before).toBeLessThanOrEqual(1);
		}
		const before = reads();
		expect(
			await emulator.postCallback(parked.signedUrl, { task_id: slow.taskId, status: 'RUNNING' }),
		).toBe(200);
		expect(reads()).toBe(before);
		expect(parked.receiver.executions).toHaveLength(0);
	});

	it("with a slow service: a callback's look gets 503 within 5 s, its next try looks again, and the last callback resumes", async () => {
		parked = await parkGenerate(credentials(), ['A paper boat', 'A slow boat [latency=1500]'], {
			...FAST,
			downloadVideo: false,
		});
		const [quick, slow] = tasksOf();
		await waitFor(() => ended(quick), 5000, 'the quick job');
		emulator.inject('status', { kind: 'slow', ms: 8000 });
		const started = Date.now();
		expect(await emulator.postCallback(parked.signedUrl, emulator.statusBody(quick))).toBe(503);
		expect(Date.now() - started).toBeLessThan(5000);
		const before = reads();
		expect(await emulator.postCallback(parked.signedUrl, emulator.statusBody(quick))).toBe(200);
		expect(reads() - before).toBe(1);
		expect(parked.receiver.executions).toHaveLength(0);
		await waitFor(() => ended(slow), 5000, 'the slow job');
		expect(await emulator.postCallback(parked.signedUrl, emulator.statusBody(slow))).toBe(200);
		await waitFor(() => parked!.receiver.executions.length === 1, 5000, 'the resume');
		expect(parked.receiver.executions[0].map((item) => item.json.state)).toEqual([
			'succeeded',
			'succeeded',
		]);
	}, 20_000);

	it('with a status answer whose body drips in slowly: 503 within 5 s all the same', async () => {
		parked = await parkGenerate(credentials(), ['A paper boat', 'A slow boat [never]'], {
			...FAST,
			downloadVideo: false,
		});
		const [quick, slow] = tasksOf();
		await waitFor(() => ended(quick), 5000, 'the quick job');
		emulator.inject('status', {
			kind: 'drip',
			chunkBytes: 4,
			everyMs: 250,
			body: Buffer.from(JSON.stringify(emulator.statusBody(slow))),
		});
		const started = Date.now();
		expect(await emulator.postCallback(parked.signedUrl, emulator.statusBody(quick))).toBe(503);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(parked.receiver.executions).toHaveLength(0);
	}, 20_000);
});

describe('Resume on Callback: options and the park record', () => {
	it('an option whose expression reads $json is read when the node parks: the callback still resumes', async () => {
		parked = await parkGenerate(credentials(), ['A paper boat'], {
			...FAST,
			downloadVideo: '={{ $json.prompt.length > 0 }}',
			maxWaitTime: '={{ $json.prompt.length * 10 }}',
		});
		const [task] = tasksOf();
		await waitFor(() => ended(task), 5000, 'the job');
		expect(await emulator.postCallback(parked.signedUrl, emulator.statusBody(task))).toBe(200);
		await waitFor(() => parked!.receiver.executions.length === 1, 5000, 'the resume');
		expect(parked.receiver.executions[0][0].binary?.data).toMatchObject({ mimeType: 'video/mp4' });
	});

	it("keeps neither the token, nor the resume URL, nor n8n's signature in the execution's saved data", async () => {
		parked = await parkGenerate(credentials(), ['A paper boat'], { ...FAST });
		const [task] = tasksOf();
		const given = new URL(String(task.body.callback_url));
		const secrets = [
			given.searchParams.get('seedance_token')!,
			given.pathname,
			given.searchParams.get('signature'),
		].filter((secret): secret is string => Boolean(secret));
		expect(secrets.length).toBeGreaterThanOrEqual(2);
		// The park (the waiting node's input and its saved settings) and Generate's record of its
		// creates (a digest of each callback URL).
		const saved = structuredClone(parked.run.data);
		const context = saved.executionData!.contextData['node:Seedance'] as Record<string, unknown>;
		expect(context.seedanceResume).toBeDefined();
		expect(context.seedanceCreateRecords).toBeDefined();
		// n8n 2.x keeps its own resume signature to check it: n8n's record, not the node's.
		delete (saved as { resumeToken?: string }).resumeToken;
		for (const secret of secrets) expect(leaks(saved, secret)).toBe(false);
	});
});
