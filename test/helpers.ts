import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';

import { Emulator, SAMPLE_MP4, type EmulatorOptions } from './emulator/server';
import { serialised } from './secrets';

/** Starts an emulator for a test file and gives the credential that points at it. */
export function useEmulator(options: EmulatorOptions = {}) {
	const emulator = new Emulator({ latencyMs: 600, ...options });
	beforeAll(async () => {
		await emulator.start();
	});
	afterAll(async () => {
		await emulator.stop();
	});
	beforeEach(() => {
		emulator.reset();
		Object.assign(emulator.options, {
			latencyMs: 600,
			shape: 'default',
			filesOnApiOrigin: false,
			callbacks: 'terminal',
			callbackCopies: 1,
			downloadBytes: SAMPLE_MP4.length,
			announceLength: true,
			...options,
		});
	});
	return {
		emulator,
		credentials: () => ({ seedanceApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } }),
	};
}

/** Fast polling for tests: the emulator's jobs take well under a second. */
export const FAST = { pollInterval: 0.1, maxWaitTime: 20, requestTimeout: 5 };

/** True when a serialised value holds the secret anywhere, however deep. */
export function leaks(value: unknown, secret: string): boolean {
	return serialised(value).includes(secret);
}

/**
 * Resolves once `condition` holds, checking every 20 ms; fails after `timeoutMs`, and never before
 * 30 s: the bound is for a state that must come, not a speed claim, and a busy machine is slow.
 */
export async function waitFor(
	condition: () => boolean,
	timeoutMs = 10_000,
	what = 'the condition',
): Promise<void> {
	const bound = Math.max(timeoutMs, 30_000);
	const end = Date.now() + bound;
	while (!condition()) {
		if (Date.now() > end) throw new Error(`Timed out after ${bound} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/**
 * Creates a task at the emulator over HTTP, as Generate does, with the given callback URL; returns
 * its id.
 */
export async function createEmulatedTask(
	emulator: Emulator,
	prompt: string,
	callbackUrl: string,
): Promise<string> {
	const response = await fetch(`${emulator.url}/api/v1/videos/generations`, {
		method: 'POST',
		headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'seedance-1-5-pro', prompt, callback_url: callbackUrl }),
	});
	return ((await response.json()) as { data: { task_id: string } }).data.task_id;
}

/**
 * Captures everything printed (stdout, stderr, console) and everything handed to n8n's logger
 * (the node's `this.logger`, whatever its transport prints) until `restore()`.
 */
export function captureLogs(): { lines: string[]; restore(): void } {
	const lines: string[] = [];
	const writes = [process.stdout, process.stderr].map((stream) =>
		jest
			.spyOn(stream, 'write')
			.mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0),
	);
	const consoles = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
		jest
			.spyOn(console, level)
			.mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
	);
	// `log` is private: every level method ends in it.
	const n8nLogger = Container.get(Logger) as unknown as {
		log: (level: string, message: string, metadata?: object) => void;
	};
	const logger = jest
		.spyOn(n8nLogger, 'log')
		.mockImplementation(
			(level, message, metadata) =>
				void lines.push(`${level} ${message} ${JSON.stringify(metadata ?? {})}`),
		);
	return {
		lines,
		restore: () => [...writes, ...consoles, logger].forEach((spy) => spy.mockRestore()),
	};
}

/**
 * The pay-once rule over the creates whose prompt matches: none is sent after one that may have
 * made its task (any answer but a 4xx refusal). Returns what broke it, if anything.
 */
export function sentAgainAfterPaid(emulator: Emulator, prompt: RegExp): string | undefined {
	const sent = emulator.requests.filter(
		(request) =>
			request.route === 'create' &&
			prompt.test(String((request.body as { prompt?: unknown })?.prompt)),
	);
	const mayHaveMade = sent.findIndex(
		(request) =>
			request.fault?.kind !== 'status' || request.fault.code < 400 || request.fault.code >= 500,
	);
	if (mayHaveMade === -1 || mayHaveMade === sent.length - 1) return undefined;
	return `create sent again after one that may have made its task (${JSON.stringify(sent.map((request) => request.fault ?? 'ok'))})`;
}
