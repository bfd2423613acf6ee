import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	NodeApiError,
	IWebhookFunctions,
} from 'n8n-workflow';

import { baseUrlProblem } from '../domain/baseUrl';
import { holdCreate, holdTask } from '../domain/bill';
import { callbackSecretOf, callbackToken } from '../domain/callbackToken';
import { envelopeErrorCode, isObject, serviceMessageOf } from '../domain/envelope';
import { redact, redactDeep, wholeOnly } from '../domain/redact';
import { normalizeTask, type SeedanceTask } from '../domain/task';
import { ExecutionStopped, cancelSignalOf, pause, throwIfStopped } from '../domain/timing';
import {
	baseUrlError,
	createCertainlyNotProcessed,
	failureToError,
	isTransient,
	type Failure,
	type RedirectRefusal,
	type RequestPurpose,
} from './errors';

export type SeedanceContext = IExecuteFunctions | IWebhookFunctions;

/** A response body stream as n8n's binary helpers take it (node code may not import node:stream). */
export type Readable = Exclude<
	Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0],
	Buffer
>;

export const CREDENTIAL_TYPE = 'seedanceApi';

export interface Connection {
	baseUrl: string;
	/** Never to reach output, errors or logs: API key, Callback Secret, callback tokens, resume URL. */
	secrets: readonly string[];
	/** The token of one callback URL (domain/callbackToken); each one made joins `secrets`. */
	callbackToken: (url: string) => string;
}

export interface CallOptions {
	timeoutMs: number;
	itemIndex?: number;
	/** Retries of status reads and downloads stop at this time (epoch ms). */
	deadline?: number;
}

/** Tries of a read or download; a paid create is retried only when it certainly made nothing. */
const ATTEMPTS = 5;
const RETRY_BASE_MS = 500;
const RETRY_CAP_MS = 30_000;

/** The credential's connection, with every secret of this execution to scrub (see `secrets`). */
export async function getConnection(context: SeedanceContext): Promise<Connection> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = String(credentials.baseUrl || 'https://apiin.one')
		.trim()
		.replace(/\/+$/, '');
	// Checked before every request: no key to an address holding a password, or over plain http.
	const problem = baseUrlProblem(baseUrl, credentials.allowUnencryptedHttp === true);
	if (problem) throw baseUrlError(context.getNode(), problem);
	const apiKey = String(credentials.apiKey ?? '');
	const callbackSecret = String(credentials.callbackSecret ?? '');
	const execution = executionSecrets(context);
	const secrets = [
		...new Set([
			apiKey,
			apiKey.trim(),
			callbackSecret,
			callbackSecret.trim(),
			...execution.secrets,
		]),
	].filter(Boolean);
	const tokenOf = callbackTokens(callbackSecretOf(credentials), secrets);
	// The tokens this execution's own addresses carry are secrets before any is made.
	for (const url of execution.tokenUrls) tokenOf(url);
	return { baseUrl, secrets, callbackToken: tokenOf };
}

function isWebhook(context: SeedanceContext): context is IWebhookFunctions {
	return 'getRequestObject' in context;
}

/** The resume URL's path, n8n 2.x signature and token let anyone resume this execution. */
function executionSecrets(context: SeedanceContext): { secrets: string[]; tokenUrls: string[] } {
	if (isWebhook(context)) {
		const signature = (context.getQueryData() as IDataObject).signature;
		const executionId = context.getExecutionId();
		const request = context.getRequestObject() as { originalUrl?: string; url?: string };
		const path = String(request.originalUrl ?? request.url ?? '');
		const secrets = [
			signature,
			executionId ? wholeOnly(`/webhook-waiting/${executionId}`) : undefined,
		];
		return {
			secrets: secrets.filter(
				(value): value is string => typeof value === 'string' && value.length > 8,
			),
			tokenUrls: path ? [path] : [],
		};
	}
	let resumeUrl: URL;
	try {
		resumeUrl = new URL(String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0)));
	} catch {
		return { secrets: [], tokenUrls: [] };
	}
	return {
		// The path only whole: its `/webhook` is in every n8n URL, ones worth showing among them.
		secrets: [wholeOnly(resumeUrl.pathname), resumeUrl.searchParams.get('signature') ?? ''].filter(
			Boolean,
		),
		tokenUrls: [resumeUrl.toString()],
	};
}

function callbackTokens(secret: string, secrets: string[]): (url: string) => string {
	return (url) => {
		const token = callbackToken(secret, url);
		if (!secrets.includes(token)) secrets.push(token);
		return token;
	};
}

/** A copy of a service answer with the secrets, and any `seedance_token`, replaced. */
export function scrub<T>(connection: Connection, value: T): T {
	return redactDeep(value, connection.secrets);
}

/** Whether a request error is a passing fault (rate limit, outage); set by `exchange`. */
export function isPassingFault(error: unknown): boolean {
	return (error as { context?: { transient?: unknown } }).context?.transient === true;
}

/** Whether a failed create certainly made no task (refused, or never reached the service). */
export function createCertainlyRefused(error: unknown): boolean {
	return (error as { context?: { mayHaveCreated?: unknown } }).context?.mayHaveCreated === false;
}

function retryAfterMs(headers: IDataObject | undefined): number | null {
	const value = headers?.['retry-after'];
	if (typeof value !== 'string' && typeof value !== 'number') return null;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Where a redirect points, as an origin (never the path or query, which may hold secrets). */
function originOf(location: unknown): string {
	try {
		return new URL(String(location)).origin;
	} catch {
		return 'another address';
	}
}

interface FullResponse {
	statusCode: number;
	headers?: IDataObject;
	body: unknown;
}

function readAnswer(response: FullResponse): { body: IDataObject } | { failure: Failure } {
	const { statusCode, headers } = response;
	if (statusCode >= 300 && statusCode < 400) {
		return { failure: { kind: 'redirect', status: statusCode, to: originOf(headers?.location) } };
	}
	let body = response.body;
	if (typeof body === 'string') {
		try {
			body = JSON.parse(body) as unknown;
		} catch {
			// Left as text: an error page or a truncated answer.
		}
	}
	if (statusCode < 200 || statusCode >= 300) {
		return {
			failure: {
				kind: 'http',
				status: statusCode,
				serviceMessage: serviceMessageOf(body),
				retryAfterMs: retryAfterMs(headers),
			},
		};
	}
	if (!isObject(body)) return { failure: { kind: 'malformed', status: statusCode } };
	// Some gateways answer HTTP 200 with the real status in the envelope's `code`.
	const code = envelopeErrorCode(body);
	if (code !== null)
		return {
			failure: {
				kind: 'http',
				status: code,
				serviceMessage: serviceMessageOf(body),
				retryAfterMs: retryAfterMs(headers),
			},
		};
	return { body };
}

/** Largest status answer read: a task is a few kilobytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;

const timeoutError = (ms: number) =>
	Object.assign(new Error(`timeout of ${ms}ms exceeded`), { code: 'ETIMEDOUT' });

/**
 * The whole answer within `ms` (the request's own timeout ends at the headers); one out of time or
 * size has its stream destroyed, closing its socket.
 */
async function whole(sending: Promise<FullResponse>, ms: number): Promise<FullResponse> {
	const answered = new AbortController();
	const late = pause(ms, answered.signal).then(
		() => 'late' as const,
		() => 'stopped' as const,
	);
	try {
		const response = await Promise.race([sending, late]);
		if (response === 'late' || response === 'stopped') {
			// Headers not yet in: the request's own timeout (the same ms) ends it.
			void sending.then(
				(headersCame) => (headersCame.body as Readable | undefined)?.destroy?.(),
				() => undefined,
			);
			throw timeoutError(ms);
		}
		const stream = response.body as Readable;
		const chunks: Buffer[] = [];
		let bytes = 0;
		const reading = (async () => {
			for await (const chunk of stream) {
				bytes += (chunk as Buffer).length;
				if (bytes > MAX_ANSWER_BYTES) throw new Error('The answer is too large');
				chunks.push(chunk as Buffer);
			}
			return 'read' as const;
		})();
		const outcome = await Promise.race([reading, late]).catch((error: unknown) => {
			stream.destroy();
			throw error;
		});
		if (outcome !== 'read') {
			stream.destroy();
			void reading.catch(() => undefined);
			throw timeoutError(ms);
		}
		return { ...response, body: Buffer.concat(chunks).toString('utf8') };
	} finally {
		answered.abort();
	}
}

const NEVER_CONNECTED = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];

/** Classifies an HTTP helper error (a NodeApiError around an axios error, or the axios error). */
function networkFailure(error: unknown, signal: AbortSignal | undefined): Failure {
	const chain: Array<{ code?: unknown; message?: unknown; cause?: unknown }> = [];
	let current: unknown = error;
	while (isObject(current) || current instanceof Error) {
		chain.push(current as { code?: unknown; message?: unknown; cause?: unknown });
		if (chain.length > 4) break;
		current = (current as { cause?: unknown }).cause;
	}
	const code =
		chain.map((link) => link.code).find((value): value is string => typeof value === 'string') ??
		'UNKNOWN';
	if (signal?.aborted || code === 'ERR_CANCELED') throw new ExecutionStopped();
	const text = chain.map((link) => String(link.message ?? '')).join(' ');
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(text);
	return { kind: 'network', code, timedOut, neverConnected: NEVER_CONNECTED.includes(code) };
}

function backoffMs(failure: Failure, attempt: number): number {
	const exponential = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
	const jittered = exponential * (0.75 + Math.random() * 0.5);
	const asked = failure.kind === 'http' ? failure.retryAfterMs : null;
	return asked === null ? jittered : Math.min(Math.max(asked, 0), 5 * 60_000);
}

/** The error of a failed request, its texts scrubbed of the connection's secrets. */
function requestError(
	context: SeedanceContext,
	connection: Connection,
	failure: Failure,
	call: { purpose: RequestPurpose; subject: string },
	itemIndex: number | undefined,
): NodeApiError {
	const { baseUrl, secrets } = connection;
	return failureToError(context.getNode(), failure, { ...call, baseUrl, secrets, itemIndex });
}

interface Exchange {
	purpose: RequestPurpose;
	subject: string;
	request: IHttpRequestOptions;
	/** False: send through the credential (adds the bearer key); true: no credential at all. */
	anonymous?: boolean;
	/** A download's requests left: its redirects and retries all take from it. */
	budget?: { requests: number };
}

/** Sends with retries: reads on 429/5xx/network faults; a paid create only if surely unprocessed. */
async function exchange(
	context: SeedanceContext,
	connection: Connection,
	call: Exchange,
	options: CallOptions,
): Promise<FullResponse> {
	const signal = cancelSignalOf(context);
	// Nothing new is sent once the execution is stopped: above all no create, which would be paid.
	throwIfStopped(signal);
	for (let attempt = 1; ; attempt++) {
		let failure: Failure;
		try {
			const request: IHttpRequestOptions = {
				...call.request,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: options.timeoutMs,
				// The key never follows a redirect; openVideo follows a video link's hops itself, keyless.
				disableFollowRedirect: true,
				// A status answer is read from its stream, so a read out of time can close its socket.
				...(call.purpose === 'status' ? { encoding: 'stream' as const } : {}),
			};
			if (call.budget) call.budget.requests--;
			const sending = (
				call.anonymous
					? context.helpers.httpRequest({ ...request, abortSignal: signal })
					: context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, request)
			) as Promise<FullResponse>;
			// A download's body is read (and bounded) later; a JSON answer must arrive whole in time.
			const response =
				call.purpose === 'status' ? await whole(sending, options.timeoutMs) : await sending;
			const redirected = response.statusCode >= 300 && response.statusCode < 400;
			if (call.purpose === 'download' && (redirected || response.statusCode < 300)) return response;
			if (call.purpose === 'download') {
				(response.body as Readable | undefined)?.destroy?.();
				failure = {
					kind: 'http',
					status: response.statusCode,
					serviceMessage: null,
					retryAfterMs: retryAfterMs(response.headers),
				};
			} else {
				const answer = readAnswer(response);
				if ('body' in answer) return { ...response, body: answer.body };
				failure = answer.failure;
			}
		} catch (error) {
			failure = networkFailure(error, signal);
		}
		const retryable =
			call.purpose === 'create' ? createCertainlyNotProcessed(failure) : isTransient(failure);
		const wait = backoffMs(failure, attempt);
		const pastDeadline = options.deadline !== undefined && Date.now() + wait > options.deadline;
		const spent = call.budget !== undefined && call.budget.requests <= 0;
		if (!retryable || attempt >= ATTEMPTS || pastDeadline || spent) {
			throw requestError(context, connection, failure, call, options.itemIndex);
		}
		context.logger.debug(
			redact(
				`Seedance: ${call.purpose} request for ${call.subject} failed (${failure.kind}); retry ${attempt} in ${Math.round(wait)} ms`,
				connection.secrets,
			),
		);
		await pause(wait, signal);
	}
}

function jsonRequest(
	connection: Connection,
	method: IHttpRequestMethods,
	path: string,
	body?: IDataObject,
): IHttpRequestOptions {
	return { method, url: `${connection.baseUrl}${path}`, body, json: true };
}

/** POST /api/v1/videos/generations: the paid request. */
export async function createTask(
	context: SeedanceContext,
	connection: Connection,
	body: IDataObject,
	options: CallOptions,
): Promise<SeedanceTask> {
	// Never sent once stopped; once sent, the bill follows it to its task or to its cut by the stop.
	throwIfStopped(cancelSignalOf(context));
	const response = await holdCreate(
		context,
		exchange(
			context,
			connection,
			{
				purpose: 'create',
				subject: 'the new video',
				request: jsonRequest(connection, 'POST', '/api/v1/videos/generations', body),
			},
			options,
		),
	);
	const task = normalizeTask(response.body);
	if (!task) {
		// Accepted (2xx) but no task id: the task may exist and be charged. Never re-sent.
		throw requestError(
			context,
			connection,
			{ kind: 'malformed', status: response.statusCode },
			{ purpose: 'create', subject: 'the new video' },
			options.itemIndex,
		);
	}
	const created = scrub(connection, task);
	holdTask(context, created.taskId, options.itemIndex, created.state);
	return created;
}

/** GET /api/v1/tasks/{task_id} */
export async function fetchTask(
	context: SeedanceContext,
	connection: Connection,
	taskId: string,
	options: CallOptions,
): Promise<SeedanceTask> {
	const subject = `task ${taskId}`;
	// `.` and `..` would be read as path segments and reach other routes of the service.
	if (!taskId || /^\.+$/.test(taskId)) {
		throw requestError(
			context,
			connection,
			{ kind: 'malformed', status: 0 },
			{ purpose: 'status', subject },
			options.itemIndex,
		);
	}
	const response = await exchange(
		context,
		connection,
		{
			purpose: 'status',
			subject,
			request: jsonRequest(connection, 'GET', `/api/v1/tasks/${encodeURIComponent(taskId)}`),
		},
		options,
	);
	const task = normalizeTask(response.body, taskId);
	if (!task) {
		throw requestError(
			context,
			connection,
			{ kind: 'malformed', status: response.statusCode },
			{ purpose: 'status', subject },
			options.itemIndex,
		);
	}
	holdTask(context, taskId, options.itemIndex, task.state);
	return scrub(connection, task);
}

function sameOrigin(url: string, baseUrl: string): boolean {
	try {
		return new URL(url).origin === new URL(baseUrl).origin;
	} catch {
		return false;
	}
}

export interface VideoStream {
	stream: Readable;
	contentType: string;
	contentLength: number | null;
	/** Where the video was found, after the redirects (a retry starts there). */
	url: string;
	/** Whether `url` was reached through a redirect: a retry from there carries no key either. */
	redirected: boolean;
}

export interface VideoRequestOptions extends CallOptions {
	/** The download's requests left, shared by its redirects and retries. */
	budget: { requests: number };
	/** `url` is where an earlier try's redirects led: no request of this one carries the key. */
	redirected?: boolean;
}

/** Redirects a video link may take (pre-signed storage URLs often take one). */
export const MAX_REDIRECTS = 5;

/** Where a redirect of a video link points, unless it may be followed. */
function unfollowable(
	location: URL | null,
	hops: number,
	budget: { requests: number },
): { to: string; reason: RedirectRefusal } | null {
	if (!location) return { to: 'no address', reason: 'nowhere' };
	if (!/^https?:$/.test(location.protocol)) return { to: location.protocol, reason: 'notWeb' };
	if (hops >= MAX_REDIRECTS) return { to: location.origin, reason: 'tooMany' };
	if (budget.requests <= 0) return { to: location.origin, reason: 'budget' };
	return null;
}

function locationOf(location: unknown, current: string): URL | null {
	try {
		return typeof location === 'string' && location ? new URL(location, current) : null;
	} catch {
		return null;
	}
}

/** Opens the video; the key goes only to a link on the service's origin, never to a redirect hop. */
export async function openVideo(
	context: SeedanceContext,
	connection: Connection,
	url: string,
	taskId: string,
	options: VideoRequestOptions,
): Promise<VideoStream> {
	const subject = `task ${taskId}`;
	const fail = (failure: Failure) =>
		requestError(context, connection, failure, { purpose: 'download', subject }, options.itemIndex);
	let current = url;
	for (let hops = 0; ; hops++) {
		const left = (options.deadline ?? Infinity) - Date.now();
		if (left <= 0)
			throw fail({ kind: 'network', code: 'ETIMEDOUT', timedOut: true, neverConnected: false });
		const own = hops === 0 && !options.redirected && sameOrigin(current, connection.baseUrl);
		const request: IHttpRequestOptions = { method: 'GET', url: current, encoding: 'stream' };
		const response = await exchange(
			context,
			connection,
			{ purpose: 'download', subject, request, anonymous: !own, budget: options.budget },
			{ ...options, timeoutMs: Math.max(1, Math.min(options.timeoutMs, left)) },
		);
		if (response.statusCode < 300) {
			const length = Number(response.headers?.['content-length']);
			return {
				stream: response.body as Readable,
				contentType: String(response.headers?.['content-type'] ?? '')
					.split(';')[0]
					.trim(),
				contentLength: Number.isFinite(length) && length >= 0 ? length : null,
				url: current,
				redirected: options.redirected === true || hops > 0,
			};
		}
		(response.body as Readable | undefined)?.destroy?.();
		const next = locationOf(response.headers?.location, current);
		const refused = unfollowable(next, hops, options.budget);
		if (!next || refused) {
			const { to, reason } = refused ?? { to: 'no address', reason: 'nowhere' as const };
			throw fail({ kind: 'redirect', status: response.statusCode, to, reason });
		}
		current = next.toString();
	}
}
