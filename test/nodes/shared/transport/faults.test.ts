import { runWorkflow, seedanceNode, itemsNode } from '../../../harness/n8n';
import { FAST, leaks, useEmulator } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 300 });

function generate(options: Record<string, unknown> = {}) {
	return seedanceNode({
		resource: 'video',
		operation: 'generate',
		prompt: 'A dancer',
		options: { ...FAST, ...options },
	});
}

async function runGenerate(options: Record<string, unknown> = {}, creds = credentials()) {
	const result = await runWorkflow([itemsNode([{ json: {} }]), generate(options)], {
		credentials: creds,
	});
	return { result, error: result.errorOf('Seedance') };
}

describe('API faults on create: clear errors, and a paid request is never sent twice', () => {
	it('401: wrong key', async () => {
		const { error } = await runGenerate(
			{},
			{ seedanceApi: { apiKey: 'aio_wrong', baseUrl: emulator.url } },
		);
		expect(error?.message).toBe('API in One rejected the API key (HTTP 401)');
		expect(error?.description).toContain('Check the API key in the Seedance credential');
		expect(emulator.count('create')).toBe(1);
	});

	it('402: out of credits', async () => {
		emulator.inject('create', {
			kind: 'status',
			code: 402,
			body: { error: { message: 'Insufficient credits' } },
		});
		const { error } = await runGenerate();
		expect(error?.message).toBe('Not enough API in One credits for this video');
		expect(error?.description).toContain('Top up credits');
		expect(emulator.count('create')).toBe(1);
	});

	it.each([400, 422])('%d: the service refuses the parameters, with its reason', async (code) => {
		emulator.inject('create', {
			kind: 'status',
			code,
			body: { message: 'prompt violates policy' },
		});
		const { error } = await runGenerate();
		expect(error?.message).toBe(
			`API in One rejected the request's parameters (HTTP ${code}): prompt violates policy`,
		);
		expect(emulator.count('create')).toBe(1);
	});

	it('404: wrong base URL', async () => {
		const { error } = await runGenerate(
			{},
			{ seedanceApi: { apiKey: emulator.apiKey, baseUrl: `${emulator.url}/wrong` } },
		);
		expect(error?.message).toBe('The API in One endpoint was not found (HTTP 404)');
	});

	it('429 on create: the service refused it, so it is sent again after Retry-After', async () => {
		emulator.inject('create', { kind: 'status', code: 429, retryAfter: '1' });
		const started = Date.now();
		const { result, error } = await runGenerate({ downloadVideo: false });
		expect(error).toBeUndefined();
		expect(result.output('Seedance')[0].json.state).toBe('succeeded');
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		expect(emulator.count('create')).toBe(2);
		expect(emulator.tasks.size).toBe(1);
	});

	it.each([500, 502, 503])(
		'%d on create: not re-sent (it may have made a task), and the error says how to avoid paying twice',
		async (code) => {
			emulator.inject('create', { kind: 'status', code });
			const { error } = await runGenerate();
			expect(error?.message).toBe(`The API in One service had a problem (HTTP ${code})`);
			expect(error?.description).toContain('To avoid paying twice');
			expect(emulator.count('create')).toBe(1);
		},
	);

	it('connection reset after the task was made: not re-sent', async () => {
		emulator.inject('create', { kind: 'resetAfterCreate' });
		const { error } = await runGenerate();
		expect(error?.description).toContain('To avoid paying twice');
		expect(emulator.count('create')).toBe(1);
		expect(emulator.tasks.size).toBe(1);
	});

	it('timeout on create: not re-sent', async () => {
		emulator.inject('create', { kind: 'slow', ms: 2500 });
		const { error } = await runGenerate({ requestTimeout: 1 });
		expect(error?.message).toContain('did not answer in time');
		expect(error?.description).toContain('To avoid paying twice');
		expect(emulator.count('create')).toBe(1);
	});

	it('malformed create answer: not re-sent', async () => {
		emulator.inject('create', { kind: 'malformed' });
		const { error } = await runGenerate();
		expect(error?.message).toBe('API in One sent an answer the node could not read');
		expect(emulator.count('create')).toBe(1);
	});

	it('service unreachable: a clear error naming the base URL', async () => {
		const { error } = await runGenerate(
			{},
			{ seedanceApi: { apiKey: emulator.apiKey, baseUrl: 'http://127.0.0.1:9' } },
		);
		expect(error?.message).toBe('API in One at http://127.0.0.1:9 could not be reached');
		expect(error?.description).toContain('ECONNREFUSED');
		expect(error?.description).toContain('Check the Base URL');
	});
});

describe('API faults on status reads: retried with backoff', () => {
	it('429 (with and without Retry-After), 5xx, resets and malformed answers are retried', async () => {
		emulator.inject(
			'status',
			{ kind: 'status', code: 429, retryAfter: '0' },
			{ kind: 'status', code: 429 },
			{ kind: 'status', code: 500 },
			{ kind: 'reset' },
		);
		const first = await runGenerate({ downloadVideo: false });
		expect(first.error).toBeUndefined();
		expect(first.result.output('Seedance')[0].json.state).toBe('succeeded');
		emulator.inject(
			'status',
			{ kind: 'status', code: 502 },
			{ kind: 'malformed' },
			{ kind: 'status', code: 503 },
		);
		const second = await runGenerate({ downloadVideo: false });
		expect(second.error).toBeUndefined();
		expect(emulator.count('create')).toBe(2);
	});

	it('an answer whose body drips in slowly counts as a timeout after Request Timeout (retried), not as long as it drips', async () => {
		// Headers at once, then 4 bytes every 500 ms: about 20 s for this body.
		emulator.inject('status', {
			kind: 'drip',
			chunkBytes: 4,
			everyMs: 500,
			body: Buffer.from(
				JSON.stringify({
					code: 200,
					data: { task_id: 'x', status: 'RUNNING', note: 'x'.repeat(100) },
				}),
			),
		});
		const started = Date.now();
		const { result, error } = await runGenerate({ downloadVideo: false, requestTimeout: 2 });
		expect(error).toBeUndefined();
		expect(result.output('Seedance')[0].json.state).toBe('succeeded');
		expect(Date.now() - started).toBeLessThan(10_000);
	}, 40_000);

	it('keeps reading through an outage until Max Wait Time, then fails with a clear error carrying the task id', async () => {
		emulator.faultSource = (route) =>
			route === 'status' ? { kind: 'status', code: 503 } : undefined;
		const { error } = await runGenerate({ downloadVideo: false, maxWaitTime: 10 });
		const [taskId] = emulator.tasks.keys();
		expect(error?.message).toBe(`Seedance task ${taskId} did not finish within 10 seconds`);
		expect(error?.description).toContain(
			'The last status check failed: The API in One service had a problem (HTTP 503).',
		);
		expect(error?.description).toContain(`use the Wait operation with task ID ${taskId}`);
		// More than one read's five attempts: the outage did not end the wait early.
		expect(emulator.count('status')).toBeGreaterThan(5);
	});

	it('ends the wait at once on a lasting refusal (404), with the task id', async () => {
		emulator.faultSource = (route) =>
			route === 'status'
				? { kind: 'status', code: 404, body: { message: 'Task not found' } }
				: undefined;
		const started = Date.now();
		const { error } = await runGenerate({ downloadVideo: false, maxWaitTime: 30 });
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(error?.message).toMatch(/404/);
		expect(emulator.count('status')).toBe(1);
	});
});

describe('The API key never leaves the credential', () => {
	it('is in no output item, no error, whatever happens', async () => {
		const key = emulator.apiKey;
		const runs = [];
		emulator.inject('create', {
			kind: 'status',
			code: 400,
			body: { message: `bad request for key ${key}` },
		});
		runs.push(await runGenerate());
		emulator.inject('create', { kind: 'status', code: 500 });
		runs.push(await runGenerate());
		runs.push(
			await runGenerate({}, { seedanceApi: { apiKey: key, baseUrl: 'http://127.0.0.1:9' } }),
		);
		runs.push(await runGenerate());
		emulator.inject('download', { kind: 'status', code: 403 });
		runs.push(await runGenerate());
		runs.push(await runGenerate({ requestTimeout: 1 }, credentials()));
		expect(runs[0].error?.message).toContain('[redacted]');
		for (const { result } of runs) expect(leaks(result.run, key)).toBe(false);
		expect(runs[3].result.output('Seedance')[0].json.state).toBe('succeeded');
	});
});
