import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { SHAPES, createdBody, type EmulatedState, type ShapeName, type TaskView } from './shapes';

/** A real 2 KB H.264 MP4 (1 s, 64x64, made with ffmpeg), the file every finished task serves. */
/** Tries after the first when a callback's receiver gives no success in 5 s. */
const CALLBACK_RETRIES = 3;

export const SAMPLE_MP4 = readFileSync(
	// Also found when this file runs compiled from .build/test/emulator.
	[
		path.join(__dirname, 'sample.mp4'),
		path.join(__dirname, '../../../test/emulator/sample.mp4'),
	].find((candidate) => existsSync(candidate)) ?? path.join(__dirname, 'sample.mp4'),
);

export type Route = 'create' | 'status' | 'download';
export type Fault =
	| {
			kind: 'status';
			code: number;
			body?: unknown;
			retryAfter?: string;
			headers?: Record<string, string>;
	  }
	| { kind: 'reset' }
	/** Create only: the task is made (and charged), then the connection drops. */
	| { kind: 'resetAfterCreate' }
	| { kind: 'slow'; ms: number }
	| { kind: 'malformed' }
	/** Download only: the headers and part of the video, then the connection drops. */
	| { kind: 'cut' }
	/** Download only: the video (or `body`) in `chunkBytes` pieces every `everyMs`, headers after `headersAfterMs`. */
	| {
			kind: 'drip';
			chunkBytes: number;
			everyMs: number;
			headersAfterMs?: number;
			body?: Buffer;
			contentType?: string;
			/** Another status than 200 (a refusal or a redirect whose body drips). */
			status?: number;
			headers?: Record<string, string>;
	  }
	/** A redirect to `location` (absolute, or relative to the request). */
	| { kind: 'redirect'; location: string; code?: number }
	/**
	 * Download only: any bytes, written raw on the socket with `announce` as Content-Length (null:
	 * none, the connection's end ends the body), whatever their real length.
	 */
	/** Download only: this body, as one write with its headers; `contentType: null` sends none. */
	| { kind: 'body'; body: Buffer; contentType?: string | null; announce?: number | null };

export interface EmulatorOptions {
	apiKey?: string;
	/** How long a job runs (ms); a prompt may override it with [latency=ms]. */
	latencyMs?: number;
	shape?: ShapeName;
	/** Serve files from the API's own origin instead of a separate "CDN" origin. */
	filesOnApiOrigin?: boolean;
	/**
	 * Callback deliveries: once on the terminal state (default), or on every state change as BytePlus
	 * does.
	 */
	callbacks?: 'terminal' | 'everyChange' | 'none';
	/** Each callback is delivered this many times (at-least-once delivery). */
	callbackCopies?: number;
	/**
	 * Bytes served for a download (default: the sample MP4); larger sizes pad the sample with zeros.
	 */
	downloadBytes?: number;
	/** Send a download's Content-Length (default) or stream it chunked, size unknown in advance. */
	announceLength?: boolean;
}

export interface EmulatedTask {
	taskId: string;
	body: Record<string, unknown>;
	createdAt: number;
	latencyMs: number;
	/**
	 * What the prompt's markers ask for: [fail] [cancel] [expire] [never] [unknown-status] [expire-
	 * url]. ([refuse] makes no task: the create is answered 422.)
	 */
	outcome: 'succeeded' | 'failed' | 'cancelled' | 'expired' | 'never' | 'unknown';
	expireUrl: boolean;
	callbacksSent: number;
	lastCallbackState?: EmulatedState;
}

export interface RequestRecord {
	route: Route | 'other';
	/** Which server it reached: the API's origin or the separate "CDN" one. */
	origin?: 'api' | 'cdn';
	method: string;
	path: string;
	authorized: boolean;
	sawAuthorizationHeader: boolean;
	body?: unknown;
	at: number;
	/** The fault this request was answered with, if any. */
	fault?: Fault;
}

export interface CallbackRecord {
	url: string;
	body: unknown;
	status: number | null;
	/** The receiver's answer body (its first 2,000 characters), once it came. */
	answer: string | null;
	/** The receiver's Retry-After header, when it gave one. */
	retryAfter?: string;
	at: number;
}

function marker(prompt: string, name: string): boolean {
	return prompt.includes(`[${name}]`);
}

function readBody(request: http.IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function send(
	response: http.ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
	response.writeHead(status, {
		'content-type':
			typeof body === 'string' || Buffer.isBuffer(body) ? 'text/html' : 'application/json',
		...headers,
	});
	response.end(text);
}

/** Checks a create body the way the seed describes the parameters (Seedance model only). */
function invalidCreate(body: Record<string, unknown>): string | null {
	if (typeof body.prompt !== 'string' || body.prompt.trim() === '') return 'prompt is required';
	if (body.model !== 'seedance-1-5-pro') return null;
	if (
		body.aspect_ratio !== undefined &&
		!['16:9', '9:16', '4:3', '3:4', '1:1'].includes(String(body.aspect_ratio))
	)
		return 'invalid aspect_ratio';
	if (body.resolution !== undefined && !['480p', '720p'].includes(String(body.resolution)))
		return 'invalid resolution';
	if (body.duration !== undefined && !['4', '8', '12'].includes(String(body.duration)))
		return 'invalid duration';
	return null;
}

/**
 * An emulator of the API in One service on loopback: create, status, file download, callbacks,
 * per-task latency, fault injection and every response shape of the contract. Tests, the
 * benchmark and the demo all use this one.
 */
export class Emulator {
	readonly apiKey: string;
	options: Required<Omit<EmulatorOptions, 'apiKey'>>;
	readonly tasks = new Map<string, EmulatedTask>();
	readonly requests: RequestRecord[] = [];
	readonly callbacks: CallbackRecord[] = [];
	/** Faults served, in order, to the next requests of each route. */
	readonly faults: Record<Route, Fault[]> = { create: [], status: [], download: [] };
	/** Optional per-request fault source (the fault suite's random injection). */
	faultSource?: (route: Route, request: RequestRecord) => Fault | undefined;
	/** Callbacks that should not be sent yet (the test releases them). */
	holdCallbacks = false;
	/**
	 * Creates after the first this many make their task at once but answer only on
	 * `releaseCreateAnswers()` (a stop mid-create); null: none held.
	 */
	holdCreatesAfter: number | null = null;
	private heldCreateAnswers: Array<() => void> = [];
	private readonly api = http.createServer((req, res) => void this.handle(req, res, 'api'));
	private readonly cdn = http.createServer((req, res) => void this.handle(req, res, 'cdn'));
	private timer?: NodeJS.Timeout;
	private counter = 0;

	constructor(options: EmulatorOptions = {}) {
		this.apiKey = options.apiKey ?? 'aio_emulator_test_key_5f2c9d';
		this.options = {
			latencyMs: options.latencyMs ?? 1500,
			shape: options.shape ?? 'default',
			filesOnApiOrigin: options.filesOnApiOrigin ?? false,
			callbacks: options.callbacks ?? 'terminal',
			announceLength: options.announceLength ?? true,
			callbackCopies: options.callbackCopies ?? 1,
			downloadBytes: options.downloadBytes ?? SAMPLE_MP4.length,
		};
	}

	url = '';
	cdnUrl = '';

	async start(port = 0, host = '127.0.0.1'): Promise<this> {
		await new Promise<void>((resolve) => this.api.listen(port, host, resolve));
		await new Promise<void>((resolve) => this.cdn.listen(0, host, resolve));
		this.url = `http://${host}:${(this.api.address() as AddressInfo).port}`;
		this.cdnUrl = `http://${host}:${(this.cdn.address() as AddressInfo).port}`;
		// Drives callbacks: a task's state changes with time, so a tick notices and posts them.
		this.timer = setInterval(() => void this.deliverCallbacks(), 50);
		return this;
	}

	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		for (const server of [this.api, this.cdn]) {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	}

	count(route: Route | 'other'): number {
		return this.requests.filter((request) => request.route === route).length;
	}

	reset(): void {
		this.tasks.clear();
		this.requests.length = 0;
		this.callbacks.length = 0;
		for (const route of Object.keys(this.faults) as Route[]) this.faults[route].length = 0;
		this.faultSource = undefined;
		this.holdCallbacks = false;
		this.releaseCreateAnswers();
	}

	/** Sends the answers of the creates held so far (and stops holding new ones). */
	releaseCreateAnswers(): void {
		this.holdCreatesAfter = null;
		for (const answer of this.heldCreateAnswers.splice(0)) answer();
	}

	/** How many create answers are held now. */
	get heldCreates(): number {
		return this.heldCreateAnswers.length;
	}

	inject(route: Route, ...faults: Fault[]): void {
		this.faults[route].push(...faults);
	}

	stateOf(task: EmulatedTask, now = Date.now()): { state: EmulatedState; progress: number } {
		const elapsed = now - task.createdAt;
		const progress = Math.min(99, Math.floor((elapsed / task.latencyMs) * 100));
		if (task.outcome === 'never') return { state: 'running', progress: Math.min(progress, 50) };
		if (elapsed < task.latencyMs * 0.05) return { state: 'queued', progress: 0 };
		if (elapsed < task.latencyMs)
			return { state: task.outcome === 'unknown' ? 'unknown' : 'running', progress };
		if (task.outcome === 'unknown') return { state: 'succeeded', progress: 100 };
		return { state: task.outcome, progress: task.outcome === 'succeeded' ? 100 : progress };
	}

	view(task: EmulatedTask): TaskView {
		const { state, progress } = this.stateOf(task);
		const base = this.options.filesOnApiOrigin ? this.url : this.cdnUrl;
		return {
			taskId: task.taskId,
			state,
			progress,
			videoUrl: `${base}/files/${task.taskId}.mp4?expires=${task.expireUrl ? 'past' : 'later'}`,
			error:
				state === 'failed'
					? 'Content moderation rejected the prompt'
					: state === 'expired'
						? 'Task timed out at the provider'
						: 'Task was cancelled',
		};
	}

	statusBody(task: EmulatedTask): Record<string, unknown> {
		return SHAPES[this.options.shape](this.view(task));
	}

	/**
	 * POSTs a body to a URL as the service's callback would; used by tests for hostile callbacks too.
	 */
	async postCallback(
		url: string,
		body: unknown,
		headers: Record<string, string> = {},
	): Promise<number | null> {
		return (await this.sendCallback(url, body, headers)).status;
	}

	/** As postCallback, resolving with the whole record: the status and the receiver's answer. */
	async sendCallback(
		url: string,
		body: unknown,
		headers: Record<string, string> = {},
	): Promise<CallbackRecord> {
		const record: CallbackRecord = { url, body, status: null, answer: null, at: Date.now() };
		this.callbacks.push(record);
		try {
			const response = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: typeof body === 'string' ? body : JSON.stringify(body),
				signal: AbortSignal.timeout(5000),
			});
			record.answer = (await response.text()).slice(0, 2000);
			record.status = response.status;
			record.retryAfter = response.headers.get('retry-after') ?? undefined;
		} catch {
			record.status = null;
		}
		return record;
	}

	/**
	 * Delivers a callback the way the service does (upstream practice): when the receiver gives no
	 * success within 5 s, up to 3 more tries. Resolves with the last try's status.
	 */
	async deliverCallback(url: string, body: unknown): Promise<number | null> {
		let status: number | null = null;
		for (let attempt = 0; attempt <= CALLBACK_RETRIES; attempt++) {
			status = await this.postCallback(url, body);
			if (status !== null && status >= 200 && status < 300) break;
		}
		return status;
	}

	private delivering = false;

	private async deliverCallbacks(): Promise<void> {
		// One tick at a time: a slow receiver must not let the next tick interleave deliveries.
		if (this.delivering || this.holdCallbacks || this.options.callbacks === 'none') return;
		this.delivering = true;
		try {
			await this.deliverDueCallbacks();
		} finally {
			this.delivering = false;
		}
	}

	private async deliverDueCallbacks(): Promise<void> {
		for (const task of this.tasks.values()) {
			const url = task.body.callback_url;
			if (typeof url !== 'string') continue;
			const { state } = this.stateOf(task);
			if (state === task.lastCallbackState) continue;
			const terminal = ['succeeded', 'failed', 'cancelled', 'expired'].includes(state);
			if (!terminal && this.options.callbacks === 'terminal') continue;
			task.lastCallbackState = state;
			// Every copy is the same delivery: the body is taken once, at the state change.
			const body = this.statusBody(task);
			for (let copy = 0; copy < this.options.callbackCopies; copy++) {
				task.callbacksSent++;
				await this.deliverCallback(url, body);
			}
		}
	}

	private record(
		req: http.IncomingMessage,
		route: Route | 'other',
		body?: unknown,
		origin?: 'api' | 'cdn',
	): RequestRecord {
		const header = req.headers.authorization;
		const entry: RequestRecord = {
			route,
			origin,
			method: req.method ?? 'GET',
			path: req.url ?? '/',
			authorized: header === `Bearer ${this.apiKey}`,
			sawAuthorizationHeader: header !== undefined,
			body,
			at: Date.now(),
		};
		this.requests.push(entry);
		return entry;
	}

	/** Serves an injected fault; true when the request was answered (or dropped) by it. */
	private async serveFault(
		route: Route,
		entry: RequestRecord,
		res: http.ServerResponse,
		req: http.IncomingMessage,
	): Promise<{ served: boolean; fault?: Fault }> {
		const fault = this.faults[route].shift() ?? this.faultSource?.(route, entry);
		entry.fault = fault;
		if (!fault || fault.kind === 'resetAfterCreate') return { served: false, fault };
		if (fault.kind === 'status') {
			send(res, fault.code, fault.body ?? { error: { message: `Injected HTTP ${fault.code}` } }, {
				...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}),
				...fault.headers,
			});
		} else if (fault.kind === 'reset') {
			req.socket.destroy();
		} else if (fault.kind === 'slow') {
			await new Promise((resolve) => setTimeout(resolve, fault.ms));
			if (!res.destroyed) send(res, 503, { error: { message: 'slow' } });
		} else if (fault.kind === 'cut') {
			res.writeHead(200, {
				'content-type': 'video/mp4',
				'content-length': String(SAMPLE_MP4.length),
			});
			res.write(SAMPLE_MP4.subarray(0, Math.floor(SAMPLE_MP4.length / 2)), () =>
				req.socket.destroy(),
			);
		} else if (fault.kind === 'redirect') {
			res.writeHead(fault.code ?? 302, { location: fault.location });
			res.end();
		} else if (fault.kind === 'drip') {
			await this.drip(fault, res);
		} else if (fault.kind === 'body') {
			const length = fault.announce === undefined ? fault.body.length : fault.announce;
			req.socket.end(
				Buffer.concat([
					Buffer.from(
						`HTTP/1.1 200 OK\r\n${fault.contentType === null ? '' : `content-type: ${fault.contentType ?? 'video/mp4'}\r\n`}connection: close\r\n${length === null ? '' : `content-length: ${length}\r\n`}\r\n`,
					),
					fault.body,
				]),
			);
		} else {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"code":200,"data":{"task_');
		}
		return { served: true, fault };
	}

	/** Dripping answers still being sent: a client that gave up on one should have closed it. */
	dripsUnderWay = 0;

	private async drip(fault: Extract<Fault, { kind: 'drip' }>, res: http.ServerResponse) {
		this.dripsUnderWay++;
		try {
			await this.dripBody(fault, res);
		} finally {
			this.dripsUnderWay--;
		}
	}

	private async dripBody(fault: Extract<Fault, { kind: 'drip' }>, res: http.ServerResponse) {
		const body = fault.body ?? SAMPLE_MP4;
		// A wait that ends early when the client closes the connection, so `dripsUnderWay` says so.
		const wait = (ms: number) =>
			new Promise<void>((resolve) => {
				const done = () => {
					clearTimeout(timer);
					res.off('close', done);
					resolve();
				};
				const timer = setTimeout(done, ms);
				res.once('close', done);
			});
		await wait(fault.headersAfterMs ?? 0);
		if (res.destroyed) return;
		res.writeHead(fault.status ?? 200, {
			'content-type': fault.contentType ?? 'video/mp4',
			'content-length': String(body.length),
			...fault.headers,
		});
		for (let at = 0; at < body.length && !res.destroyed; at += fault.chunkBytes) {
			res.write(body.subarray(at, at + fault.chunkBytes));
			await wait(fault.everyMs);
		}
		if (!res.destroyed) res.end();
	}

	private async handle(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		origin: 'api' | 'cdn',
	): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://emulator');
		try {
			if (url.pathname.startsWith('/files/') && req.method === 'GET')
				return await this.download(req, res, url, origin);
			if (origin === 'cdn') return send(res, 404, { error: 'not found' });
			if (url.pathname === '/api/v1/videos/generations' && req.method === 'POST')
				return await this.create(req, res);
			const match = /^\/api\/v1\/tasks\/([^/]+)$/.exec(url.pathname);
			if (match && req.method === 'GET')
				return await this.status(req, res, decodeURIComponent(match[1]));
			this.record(req, 'other');
			send(res, 404, { error: { message: 'Not found' } });
		} catch (error) {
			if (!res.headersSent) send(res, 500, { error: { message: String(error) } });
		}
	}

	private async create(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const text = await readBody(req);
		let body: Record<string, unknown> = {};
		try {
			body = JSON.parse(text) as Record<string, unknown>;
		} catch {
			// Answered below as a 400.
		}
		const entry = this.record(req, 'create', body);
		if (!entry.authorized) return send(res, 401, { code: 401, message: 'Invalid API key' });
		const { served, fault } = await this.serveFault('create', entry, res, req);
		if (served) return;
		const problem = invalidCreate(body);
		if (problem) return send(res, 400, { error: { message: problem } });
		const prompt = String(body.prompt);
		// The service refuses some prompts outright (moderation at submission): no task, no charge.
		if (marker(prompt, 'refuse'))
			return send(res, 422, { error: { message: 'The prompt was refused by content moderation' } });
		const latency = /\[latency=(\d+)\]/.exec(prompt);
		const taskId = `n${(++this.counter).toString(36)}${randomBytes(4).toString('hex')}_seedance`;
		const outcome = marker(prompt, 'fail')
			? 'failed'
			: marker(prompt, 'cancel')
				? 'cancelled'
				: marker(prompt, 'expire')
					? 'expired'
					: marker(prompt, 'never')
						? 'never'
						: marker(prompt, 'unknown-status')
							? 'unknown'
							: 'succeeded';
		this.tasks.set(taskId, {
			taskId,
			body,
			createdAt: Date.now(),
			latencyMs: latency ? Number(latency[1]) : this.options.latencyMs,
			outcome,
			expireUrl: marker(prompt, 'expire-url'),
			callbacksSent: 0,
		});
		if (fault?.kind === 'resetAfterCreate') return void req.socket.destroy();
		if (this.holdCreatesAfter !== null && this.tasks.size > this.holdCreatesAfter)
			await new Promise<void>((resolve) => this.heldCreateAnswers.push(resolve));
		send(res, 200, createdBody(taskId));
	}

	private async status(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		taskId: string,
	): Promise<void> {
		const entry = this.record(req, 'status');
		if (!entry.authorized) return send(res, 401, { code: 401, message: 'Invalid API key' });
		const { served } = await this.serveFault('status', entry, res, req);
		if (served) return;
		const task = this.tasks.get(taskId);
		if (!task) return send(res, 404, { code: 404, message: `Task ${taskId} not found` });
		send(res, 200, this.statusBody(task));
	}

	private async download(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		url: URL,
		origin: 'api' | 'cdn',
	): Promise<void> {
		const entry = this.record(req, 'download', undefined, origin);
		const { served } = await this.serveFault('download', entry, res, req);
		if (served) return;
		const taskId = url.pathname.slice('/files/'.length).replace(/\.mp4$/, '');
		const task = this.tasks.get(taskId);
		if (!task || this.stateOf(task).state !== 'succeeded')
			return send(res, 404, '<html>Not found</html>');
		if (url.searchParams.get('expires') === 'past')
			return send(res, 403, '<html>Request has expired</html>');
		const total = this.options.downloadBytes;
		const length = this.options.announceLength === false ? {} : { 'content-length': String(total) };
		res.writeHead(200, { 'content-type': 'video/mp4', ...length });
		if (total <= SAMPLE_MP4.length) return void res.end(SAMPLE_MP4.subarray(0, total));
		// Large files: the sample, then a "free" box of zeros (still a valid MP4), written with
		// back-pressure so the emulator stays small too.
		const free = Buffer.alloc(8);
		free.writeUInt32BE(Math.min(total - SAMPLE_MP4.length, 0xffffffff));
		free.write('free', 4, 'latin1');
		res.write(Buffer.concat([SAMPLE_MP4, free]));
		let left = total - SAMPLE_MP4.length - free.length;
		const chunk = Buffer.alloc(1 << 20);
		while (left > 0 && !res.destroyed) {
			const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
			left -= piece.length;
			if (!res.write(piece))
				await new Promise((resolve) => {
					res.once('drain', resolve);
					res.once('close', resolve);
				});
		}
		res.end();
	}
}
