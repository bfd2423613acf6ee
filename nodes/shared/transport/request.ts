import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	NodeApiError,
} from 'n8n-workflow';

import { envelopeErrorCode, isObject, serviceMessageOf } from '../domain/envelope';
import { redact } from '../domain/redact';
import { ExecutionStopped, cancelSignalOf, pause, throwIfStopped } from '../domain/timing';
import { withRequestSignal } from '../n8nInternals';
import { CREDENTIAL_TYPE, type Connection, type SeedanceContext } from './connection';
import {
	createCertainlyNotProcessed,
	failureToError,
	isTransient,
	type Failure,
	type RequestPurpose,
} from './errors';

/** A response body stream as n8n's binary helpers take it (node code may not import node:stream). */
export type Readable = Exclude<
	Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0],
	Buffer
>;

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

/** Whether a request error is a passing fault (rate limit, outage); set by `exchange`. */
export function isPassingFault(error: unknown): boolean {
	return (error as { context?: { transient?: unknown } }).context?.transient === true;
}

/** Whether a failed create certainly made no task (refused, or never reached the service). */
export function createCertainlyRefused(error: unknown): boolean {
	return (error as { context?: { mayHaveCreated?: unknown } }).context?.mayHaveCreated === false;
}

export function retryAfterMs(headers: IDataObject): number | null {
	const value = headers['retry-after'];
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

export interface FullResponse {
	statusCode: number;
	headers: IDataObject;
	body: unknown;
}

/** A response with a way to close its connection (n8n's stream may not close it when destroyed). */
export interface Answered extends FullResponse {
	close(error?: Error): void;
}

/** What an answer is: the response to hand back, or the failure to retry or report. */
export type Answer = { answer: Answered } | { failure: Failure };

/** A JSON answer of the service: its envelope's object, or why it is none. */
function readAnswer(response: Answered): Answer {
	const { statusCode, headers } = response;
	if (statusCode >= 300 && statusCode < 400) {
		return { failure: { kind: 'redirect', status: statusCode, to: originOf(headers.location) } };
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
	return { answer: { ...response, body } };
}

/** Largest JSON answer read: a task is a few kilobytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** An answer past MAX_ANSWER_BYTES: read no further. */
class AnswerTooLarge extends Error {
	constructor(readonly response: FullResponse) {
		super('The answer is too large');
	}

	/** A refusal (4xx) is one by its status alone; any other is an answer the node could not read. */
	get failure(): Failure {
		const { statusCode: status, headers } = this.response;
		return status >= 400 && status < 500
			? { kind: 'http', status, serviceMessage: null, retryAfterMs: retryAfterMs(headers) }
			: { kind: 'malformed', status };
	}
}

const timeoutError = (ms: number) =>
	Object.assign(new Error(`timeout of ${ms}ms exceeded`), { code: 'ETIMEDOUT' });

/**
 * The whole answer within `ms`; one out of time or size is given up: its stream destroyed and its
 * request aborted, which closes its socket (n8n 2.x hands a copy of the stream, whose destroy does not).
 */
async function whole(
	sending: Promise<FullResponse>,
	ms: number,
	closer: AbortController,
): Promise<FullResponse> {
	const answered = new AbortController();
	const late = pause(ms, answered.signal).then(
		() => 'late' as const,
		() => 'stopped' as const,
	);
	const giveUp = () => {
		void sending.then(
			(response) => (response.body as Readable | undefined)?.destroy?.(),
			() => undefined,
		);
		closer.abort();
	};
	try {
		const response = await Promise.race([sending, late]);
		if (response === 'late' || response === 'stopped') {
			giveUp();
			throw timeoutError(ms);
		}
		const stream = response.body as Readable;
		const chunks: Buffer[] = [];
		let bytes = 0;
		const reading = (async () => {
			for await (const chunk of stream) {
				bytes += (chunk as Buffer).length;
				if (bytes > MAX_ANSWER_BYTES) throw new AnswerTooLarge(response);
				chunks.push(chunk as Buffer);
			}
			return 'read' as const;
		})();
		const outcome = await Promise.race([reading, late]).catch((error: unknown) => {
			giveUp();
			throw error;
		});
		if (outcome !== 'read') {
			giveUp();
			void reading.catch(() => undefined);
			throw timeoutError(ms);
		}
		// As axios does for a body it reads itself: a UTF-8 byte order mark is not part of the JSON.
		return {
			...response,
			body: Buffer.concat(chunks)
				.toString('utf8')
				.replace(/^\uFEFF/, ''),
		};
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
	const neverConnected = NEVER_CONNECTED.includes(code);
	const said = String(chain.at(-1)?.message ?? '');
	return code === 'UNKNOWN' && said
		? { kind: 'network', code, timedOut, neverConnected, said }
		: { kind: 'network', code, timedOut, neverConnected };
}

function backoffMs(failure: Failure, attempt: number): number {
	const exponential = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
	const jittered = exponential * (0.75 + Math.random() * 0.5);
	const asked = failure.kind === 'http' ? failure.retryAfterMs : null;
	return asked === null ? jittered : Math.min(Math.max(asked, 0), 5 * 60_000);
}

/** The error of a failed request, its texts scrubbed of the connection's secrets. */
export function requestError(
	context: SeedanceContext,
	connection: Connection,
	failure: Failure,
	call: { purpose: RequestPurpose; subject: string },
	itemIndex: number | undefined,
): NodeApiError {
	const { baseUrl, secrets } = connection;
	return failureToError(context.getNode(), failure, { ...call, baseUrl, secrets, itemIndex });
}

export interface Exchange {
	purpose: RequestPurpose;
	subject: string;
	request: IHttpRequestOptions;
	/** False: send through the credential (adds the bearer key); true: no credential at all. */
	anonymous?: boolean;
	/** Requests left (a download's): its redirects and retries all take from it. */
	budget?: { requests: number };
	/** Reads the answer; a JSON answer of the service unless told otherwise. */
	read?: (response: Answered) => Answer;
}

/** Sends with retries: reads on 429/5xx/network faults; a paid create only if surely unprocessed. */
export async function exchange(
	context: SeedanceContext,
	connection: Connection,
	call: Exchange,
	options: CallOptions,
): Promise<Answered> {
	const signal = cancelSignalOf(context);
	// Nothing new is sent once the execution is stopped: above all no create, which would be paid.
	throwIfStopped(signal);
	for (let attempt = 1; ; attempt++) {
		let failure: Failure;
		// Each try's own: aborting it closes the connection of an answer nobody will read.
		const closer = new AbortController();
		const abortSignal = signal ? AbortSignal.any([closer.signal, signal]) : closer.signal;
		try {
			const request: IHttpRequestOptions = {
				...call.request,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: options.timeoutMs,
				// The key never follows a redirect; a download follows its link's hops itself, keyless.
				disableFollowRedirect: true,
				// A JSON answer is read from its stream, so a read out of time or size can close its socket.
				...(call.purpose === 'download' ? {} : { encoding: 'stream' as const }),
				abortSignal,
			};
			if (call.budget) call.budget.requests--;
			const sending = (
				call.anonymous
					? context.helpers.httpRequest(request)
					: context.helpers.httpRequestWithAuthentication.call(
							withRequestSignal(context, abortSignal),
							CREDENTIAL_TYPE,
							request,
						)
			) as Promise<FullResponse>;
			// A download's body is read (and bounded) later; a JSON answer must arrive whole in time.
			const response =
				call.purpose === 'download'
					? await sending
					: await whole(sending, options.timeoutMs, closer);
			const answer = (call.read ?? readAnswer)({
				...response,
				close: (error?: Error) => {
					// Destroyed first, so its readers see this error; the abort then closes the socket.
					if (call.purpose === 'download') (response.body as Readable).destroy(error);
					closer.abort();
				},
			});
			if ('answer' in answer) return answer.answer;
			failure = answer.failure;
		} catch (error) {
			failure = error instanceof AnswerTooLarge ? error.failure : networkFailure(error, signal);
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

export function jsonRequest(
	connection: Connection,
	method: IHttpRequestMethods,
	path: string,
	body?: IDataObject,
): IHttpRequestOptions {
	return { method, url: `${connection.baseUrl}${path}`, body, json: true };
}
