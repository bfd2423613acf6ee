import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CreditBudget, redactLinkSecrets, runLive } from '../../scripts/live';
import { callbackSecretOf, callbackToken } from '../../nodes/shared/domain/callbackToken';
import { captureLogs, useEmulator } from '../helpers';

/** A free loopback port for the callback receiver (the test is its own tunnel). */
async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

describe('npm run live, dry run against the emulator', () => {
	const { emulator: server } = useEmulator({ latencyMs: 400 });
	const emulator = () => server;
	let outDir: string;
	let lines: string[];
	beforeEach(() => {
		outDir = mkdtempSync(join(tmpdir(), 'seedance-live-'));
		lines = [];
	});
	afterEach(() => rmSync(outDir, { recursive: true, force: true }));

	const live = async (argv: string[], env: Record<string, string | undefined>) =>
		await runLive({
			argv: [...argv, '--out-dir', outDir, '--poll-interval', '0.2', '--timeout-minutes', '1'],
			env,
			root: outDir,
			log: (line) => lines.push(line),
		});
	const withKey = () => ({
		SEEDANCE_API_KEY: emulator().apiKey,
		SEEDANCE_BASE_URL: emulator().url,
	});

	it('without a key says how to run it and sends nothing', async () => {
		const result = await live([], {});
		expect(result.exitCode).toBe(0);
		expect(lines.join('\n')).toMatch(
			/SEEDANCE_API_KEY=aio_\.\.\. npm run live -- --max-credits 16/,
		);
		expect(lines.join('\n')).toMatch(/nothing was sent, nothing spent/);
		expect(emulator().requests).toEqual([]);
	});

	it('refuses a budget below one video and sends nothing', async () => {
		const result = await live(['--max-credits', '7'], withKey());
		expect(result.exitCode).toBe(1);
		expect(emulator().requests).toEqual([]);
	});

	it('runs every step, records the answers and the callback without a token value, and finds no difference', async () => {
		const port = await freePort();
		const logs = captureLogs();
		const result = await live(
			[
				'--max-credits',
				'16',
				'--callback-url',
				`http://127.0.0.1:${port}/callback`,
				'--callback-port',
				String(port),
			],
			withKey(),
		).finally(() => logs.restore());
		expect(result.exitCode).toBe(0);
		expect(emulator().count('create')).toBe(2);
		const file = readFileSync(result.recordPath!, 'utf8');
		const record = JSON.parse(file) as Record<string, unknown> & {
			exchanges: Array<{ step: string; status: number }>;
			callbacks: unknown[];
			steps: Array<{ step: string; ok: boolean; output?: { download?: { bytes: number } } }>;
		};
		expect(record.exchanges.map((exchange) => `${exchange.step} ${exchange.status}`)).toEqual(
			expect.arrayContaining([
				'bad-key 401',
				'unknown-task 404',
				'generate 200',
				'get-status 200',
				'wait 200',
				'generate-and-wait 200',
			]),
		);
		expect(record.callbacks.length).toBeGreaterThanOrEqual(1);
		expect(record.steps.map((step) => `${step.step} ${step.ok}`)).toEqual([
			'unknown-task false',
			'generate true',
			'get-status true',
			'wait true',
			'generate-and-wait true',
		]);
		expect(record.steps[3].output?.download?.bytes).toBeGreaterThan(1000);
		expect(record.differences).toEqual([]);
		expect(lines.at(-1)).toMatch(/no difference found/);
		// The key and the callback token never reach the record.
		const key = emulator().apiKey;
		expect(file).not.toContain(key);
		expect(file).not.toContain(
			callbackToken(callbackSecretOf({ apiKey: key }), `http://127.0.0.1:${port}/callback`),
		);
		// A recorder is not a URL of an n8n: Generate sends it unsigned, and no token value shows.
		expect(file).not.toMatch(/seedance_token(=|%3D|":\s*")(?!\[redacted\])/i);
		expect([...lines, ...logs.lines].join('\n')).not.toContain(key);
		expect(record.exchanges).toContainEqual(
			expect.objectContaining({
				step: 'generate',
				sent: expect.objectContaining({ resolution: '480p', duration: '4', generateAudio: false }),
			}),
		);
		expect(readdirSync(outDir).filter((name) => name.endsWith('.mp4'))).toHaveLength(2);
	});

	it('stays within --max-credits and prints the differences of another answer shape', async () => {
		emulator().options.shape = 'resultJson';
		const result = await live(['--max-credits', '15'], withKey());
		expect(emulator().count('create')).toBe(1);
		expect(result.record?.notes).toEqual([
			expect.stringMatching(/No --callback-url: the callback is not checked/),
			'generate-and-wait skipped: it would spend 16 of --max-credits 15.',
		]);
		const output = lines.join('\n');
		expect(output).toMatch(/difference\(s\) between the service and the emulator/);
		expect(output).toMatch(
			/Status answer: video link location\n\s+emulator: data\.output\.video_url\n\s+service:\s+data\.resultJson\(json\)\.resultUrls\[\]/,
		);
	});
});

describe('redactLinkSecrets', () => {
	it('keeps a signed link readable but drops its signature and tokens', () => {
		expect(
			redactLinkSecrets({
				url: 'https://cdn.example/v.mp4?X-Amz-Signature=abc123&expires=9&seedance_token=t0k',
			}),
		).toEqual({
			url: 'https://cdn.example/v.mp4?X-Amz-Signature=[redacted]&expires=9&seedance_token=[redacted]',
		});
	});
});

describe('CreditBudget', () => {
	it('counts each create before it is sent and refuses the one past the allowance', () => {
		const budget = new CreditBudget(16);
		expect([budget.reserve(8), budget.reserve(8), budget.reserve(8)]).toEqual([true, true, false]);
		expect(budget.spent).toBe(16);
	});
});
