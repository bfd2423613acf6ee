import type { IHttpRequestOptions } from 'n8n-workflow';

import type { Connection, SeedanceContext } from '../transport';
import type { Failure, RedirectRefusal } from '../transport/errors';
import {
	exchange,
	requestError,
	retryAfterMs,
	type Answer,
	type Answered,
	type CallOptions,
	type Readable,
} from '../transport/request';

/** A video link's answer: the video or a redirect to follow; anything else is a failure. */
function videoAnswer(response: Answered): Answer {
	if (response.statusCode < 400) return { answer: response };
	response.close();
	const retry = retryAfterMs(response.headers);
	return {
		failure: {
			kind: 'http',
			status: response.statusCode,
			serviceMessage: null,
			retryAfterMs: retry,
		},
	};
}

/** Both are web addresses already: the link was checked, the Base URL refused unless it is one. */
function sameOrigin(url: string, baseUrl: string): boolean {
	return new URL(url).origin === new URL(baseUrl).origin;
}

export interface VideoStream {
	stream: Readable;
	/** Destroys the stream with `error` and closes its connection. */
	close(error?: Error): void;
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

type Refusal = { to: string; reason: RedirectRefusal };

/** A redirect without a (readable) Location: its words name no address. */
const NOWHERE: Refusal = { to: '', reason: 'nowhere' };

/** Where a redirect of a video link points, unless it may be followed. */
function unfollowable(location: URL, hops: number, budget: { requests: number }): Refusal | null {
	if (!/^https?:$/.test(location.protocol)) return { to: location.protocol, reason: 'notWeb' };
	if (hops >= MAX_REDIRECTS) return { to: location.origin, reason: 'tooMany' };
	if (budget.requests <= 0) return { to: location.origin, reason: 'budget' };
	return null;
}

function locationOf(location: unknown, current: string): URL | null {
	return location && URL.canParse(String(location), current)
		? new URL(String(location), current)
		: null;
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
		// Past the deadline a hop gets 1 ms: the download's own deadline race has reported already.
		const left = (options.deadline ?? Infinity) - Date.now();
		const own = hops === 0 && !options.redirected && sameOrigin(current, connection.baseUrl);
		const request: IHttpRequestOptions = { url: current, encoding: 'stream' };
		const response = await exchange(
			context,
			connection,
			{
				purpose: 'download',
				subject,
				request,
				anonymous: !own,
				budget: options.budget,
				read: videoAnswer,
			},
			{ ...options, timeoutMs: Math.max(1, Math.min(options.timeoutMs, left)) },
		);
		const { headers } = response;
		if (response.statusCode < 300) {
			const length = Number(headers['content-length']);
			return {
				stream: response.body as Readable,
				close: response.close,
				contentType: String(headers['content-type'] ?? '')
					.split(';')[0]
					.trim(),
				// A missing header reads as NaN, which is not >= 0; Node's parser refuses a negative one.
				contentLength: length >= 0 ? length : null,
				url: current,
				redirected: options.redirected === true || hops > 0,
			};
		}
		response.close();
		const next = locationOf(headers.location, current);
		const refused = next ? unfollowable(next, hops, options.budget) : NOWHERE;
		if (refused) throw fail({ kind: 'redirect', status: response.statusCode, ...refused });
		current = (next as URL).toString();
	}
}
