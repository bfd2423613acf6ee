import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import type { BaseUrlProblem } from '../domain/baseUrl';
import { quote, redact } from '../domain/redact';

/** How much of the service's own message an error quotes (after redaction). */
const SERVICE_MESSAGE_CHARS = 300;

export type Failure =
	| { kind: 'http'; status: number; serviceMessage: string | null; retryAfterMs: number | null }
	| { kind: 'malformed'; status: number }
	| {
			kind: 'network';
			code: string;
			timedOut: boolean;
			neverConnected: boolean;
			/** What failed, when no network code says it (n8n's own error before sending). */
			said?: string;
	  }
	/** An answer that points elsewhere (3xx): authenticated requests never follow it. */
	| { kind: 'redirect'; status: number; to: string; reason?: RedirectRefusal };

/** Why a video link's redirect was not followed. */
export type RedirectRefusal = 'tooMany' | 'notWeb' | 'nowhere' | 'budget';

export type RequestPurpose = 'create' | 'status' | 'download';

/** Whether trying again is safe and useful: reads and downloads on passing faults only. */
export function isTransient(failure: Failure): boolean {
	if (failure.kind === 'network' || failure.kind === 'malformed') return true;
	if (failure.kind === 'redirect') return false;
	return failure.status === 429 || failure.status === 408 || failure.status >= 500;
}

/** Whether a failed create certainly made no paid task (429, refused connection): only then resent. */
export function createCertainlyNotProcessed(failure: Failure): boolean {
	if (failure.kind === 'http') return failure.status === 429;
	return failure.kind === 'network' && failure.neverConnected;
}

/** Whether a failed create may still have made a (paid) task: anything but a clear refusal. */
export function createMayHaveBeenMade(failure: Failure): boolean {
	if (failure.kind === 'http') return failure.status >= 500 || failure.status < 400;
	if (failure.kind === 'malformed' || failure.kind === 'redirect') return true;
	return !failure.neverConnected;
}

const MAY_HAVE_BEEN_CHARGED =
	'The video may or may not have been created (and charged). To avoid paying twice, check the task list in your API in One dashboard before running this again; if it is there, use the Wait operation with its task ID instead.';

interface Explanation {
	message: string;
	description: string;
}

function explainHttp(
	status: number,
	serviceMessage: string | null,
	purpose: RequestPurpose,
	subject: string,
): Explanation {
	const said = serviceMessage ? ` The service said: "${serviceMessage}".` : '';
	if (status === 401 || status === 403) {
		return {
			message: `API in One rejected the API key (HTTP ${status})`,
			description: `Check the API key in the Seedance credential: keys start with "aio_" and are managed in your API in One dashboard. Nothing was charged.${said}`,
		};
	}
	if (status === 402) {
		return {
			message: 'Not enough API in One credits for this video',
			description: `Top up credits in your API in One dashboard, then run the workflow again. Nothing was charged for this request.${said}`,
		};
	}
	if (status === 400 || status === 422) {
		return {
			message: `API in One rejected the request's parameters (HTTP ${status})${serviceMessage ? `: ${serviceMessage}` : ''}`,
			description:
				'Check the node parameters named in the message (model, prompt, image, aspect ratio, resolution, duration) and try again. Nothing was charged.',
		};
	}
	if (status === 404) {
		if (purpose === 'create') {
			return {
				message: 'The API in One endpoint was not found (HTTP 404)',
				description:
					'Check the Base URL in the Seedance credential: it should be https://apiin.one (no path). Nothing was charged.',
			};
		}
		return {
			message: `${subject.charAt(0).toUpperCase()}${subject.slice(1)} was not found (HTTP 404)`,
			description: `Check the task ID. Tasks are visible only to the API key that created them, and old tasks may be deleted.${said}`,
		};
	}
	if (status === 429) {
		return {
			message: 'API in One is rate limiting requests (HTTP 429)',
			description:
				purpose === 'create'
					? 'Too many videos were requested at once. Nothing was charged for the refused request. Lower "Concurrency" in the node options or wait a minute, then run again.'
					: 'The node retried and the service kept refusing. Wait a minute and run again, or lower "Concurrency" in the node options.',
		};
	}
	if (status >= 500) {
		return {
			message: `The API in One service had a problem (HTTP ${status})`,
			description:
				purpose === 'create'
					? MAY_HAVE_BEEN_CHARGED
					: `The node retried several times. Try again later.${said}`,
		};
	}
	return {
		message: `API in One answered with an unexpected HTTP ${status}`,
		description: purpose === 'create' ? MAY_HAVE_BEEN_CHARGED : `Try again later.${said}`,
	};
}

const FRESH_LINK = (subject: string) =>
	`The video is made and paid for. Run Get Status for ${subject} (or a Seedance Wait node with Download Video on) to get a fresh link, then download again.`;

const REDIRECT_MESSAGES: Record<RedirectRefusal, (subject: string, to: string) => string> = {
	tooMany: (subject) => `The video link for ${subject} redirected more than 5 times`,
	notWeb: (subject, to) =>
		`The video link for ${subject} redirected to a ${to} address, which is not a web address (http, https)`,
	nowhere: (subject) => `The video link for ${subject} redirected without saying where to`,
	budget: (subject) =>
		`The video link for ${subject} took more than 6 requests (redirects and retries together)`,
};

const networkDetail = (failure: Failure & { kind: 'network' }) =>
	`Network error: ${failure.code}${failure.said ? ` (${failure.said})` : ''}.`;

/** A download's errors name the video host and the task, never the Base URL. */
function explainDownload(failure: Failure, subject: string): Explanation {
	const fresh = FRESH_LINK(subject);
	if (failure.kind === 'redirect') {
		const message = REDIRECT_MESSAGES[failure.reason ?? 'nowhere'](subject, failure.to);
		return {
			message: `${message} (HTTP ${failure.status})`,
			description: `The node follows at most 5 redirects, to web addresses only, and stops there. ${fresh}`,
		};
	}
	if (failure.kind === 'network') {
		const what = failure.timedOut ? 'was too slow' : 'could not be reached';
		const slow = failure.timedOut
			? ' If the host is only slow, raise "Request Timeout" in the node\'s options: it bounds each download as a whole.'
			: '';
		return {
			message: `The video host for ${subject} ${what}`,
			description: `${networkDetail(failure)} ${fresh}${slow}`,
		};
	}
	if (failure.kind !== 'http') {
		return {
			message: `The video host for ${subject} sent an answer the node could not read`,
			description: fresh,
		};
	}
	const { status } = failure;
	if (status === 401 || status === 403 || status === 404 || status === 410) {
		return {
			message: `The video link for ${subject} has expired or is not accessible (HTTP ${status})`,
			description: `Result links expire. ${fresh}`,
		};
	}
	const busy = status === 429 ? 'is refusing requests for now' : 'had a problem';
	return {
		message: `The video host for ${subject} ${busy} (HTTP ${status})`,
		description: `The node tried again and gave up. Try again later. ${fresh}`,
	};
}

function explain(
	failure: Failure,
	purpose: RequestPurpose,
	subject: string,
	baseUrl: string,
): Explanation {
	if (purpose === 'download') return explainDownload(failure, subject);
	if (failure.kind === 'http')
		return explainHttp(failure.status, failure.serviceMessage, purpose, subject);
	if (failure.kind === 'redirect') {
		const key =
			'The node does not follow redirects with your API key, so the key stayed with the service.';
		const fix = `Check the Base URL in the Seedance credential: it must be the address the service answers on itself (e.g. https://apiin.one), not one that forwards elsewhere.`;
		return {
			message: `API in One answered with a redirect (HTTP ${failure.status}) to ${failure.to}`,
			description:
				purpose === 'create' ? `${key} ${MAY_HAVE_BEEN_CHARGED} ${fix}` : `${key} ${fix}`,
		};
	}
	if (failure.kind === 'malformed') {
		return {
			message: 'API in One sent an answer the node could not read',
			description:
				purpose === 'create'
					? MAY_HAVE_BEEN_CHARGED
					: `The answer for ${subject} was not the JSON the node expects. The node retried; try again later.`,
		};
	}
	// The network code stays out of the message: NodeApiError swaps such a message for generic text.
	const what = failure.timedOut ? 'did not answer in time' : 'could not be reached';
	const host = `API in One at ${baseUrl}`;
	const detail = networkDetail(failure);
	return {
		message: `${host} ${what}`,
		description:
			purpose === 'create' && !failure.neverConnected
				? `${detail} ${MAY_HAVE_BEEN_CHARGED}`
				: `${detail} Check the Base URL in the Seedance credential and the network or proxy settings of your n8n. The node retried before giving up.`,
	};
}

/** The NodeApiError, built from plain data, never the HTTP client's error (it holds the headers). */
export function failureToError(
	node: INode,
	failure: Failure,
	context: {
		purpose: RequestPurpose;
		subject: string;
		baseUrl: string;
		/** Everything to scrub from the texts (the API key, the callback token, resume URLs). */
		secrets: readonly string[];
		itemIndex?: number;
	},
): NodeApiError {
	const secrets = context.secrets;
	// Redacted before it is cut: a cut first could leave most of a secret that no longer matches.
	const serviceMessage =
		failure.kind === 'http' && failure.serviceMessage
			? quote(failure.serviceMessage, secrets, SERVICE_MESSAGE_CHARS)
			: null;
	const quoted: Failure =
		failure.kind === 'http'
			? { ...failure, serviceMessage }
			: failure.kind === 'network' && failure.said
				? { ...failure, said: quote(failure.said, secrets, SERVICE_MESSAGE_CHARS) }
				: failure;
	const { message, description } = explain(
		quoted,
		context.purpose,
		context.subject,
		context.baseUrl,
	);
	const clean = (text: string) => redact(text, secrets);
	const response: JsonObject =
		failure.kind === 'network'
			? { kind: failure.kind, networkError: failure.code, timedOut: failure.timedOut }
			: { kind: failure.kind, httpStatus: failure.status, serviceMessage: serviceMessage ?? '' };
	const error = new NodeApiError(node, response, {
		message: clean(message),
		description: clean(description),
		httpCode: failure.kind === 'network' ? undefined : String(failure.status),
		itemIndex: context.itemIndex,
	});
	// Callers decide on these: a passing fault is waited through; a may-exist create is never resent.
	error.context.transient = isTransient(failure);
	error.context.mayHaveCreated = context.purpose === 'create' && createMayHaveBeenMade(failure);
	return error;
}

const BASE_URL_REFUSALS: Record<BaseUrlProblem, Explanation> = {
	notWebAddress: {
		message: 'The Base URL in the Seedance credential is not a web address',
		description:
			'Enter an address starting with https://, e.g. https://apiin.one (no path). Nothing was sent.',
	},
	userInfo: {
		message: 'The Base URL in the Seedance credential contains a user name or password',
		description:
			'Remove the "user:password@" part from the Base URL in the Seedance credential: an address holding a password is shown in errors and logs. The node signs in with the API Key field only. Nothing was sent.',
	},
	queryOrFragment: {
		message: 'The Base URL in the Seedance credential contains "?" or "#"',
		description:
			'Remove the "?..." or "#..." part from the Base URL in the Seedance credential, e.g. https://apiin.one: the node adds each request\'s path to the Base URL, and a query or fragment would send it to the wrong address. Nothing was sent.',
	},
	unencrypted: {
		message: 'The Base URL in the Seedance credential uses unencrypted http://',
		description:
			'Your API key would travel in clear over the network. Use https://, or, only for a gateway on a network you trust, turn on "Allow Unencrypted HTTP" in the Seedance credential. Nothing was sent.',
	},
};

/** The refusal of a Base URL, checked before any request carries the key to it. */
export function baseUrlError(node: INode, problem: BaseUrlProblem): NodeOperationError {
	const { message, description } = BASE_URL_REFUSALS[problem];
	return new NodeOperationError(node, message, { description });
}
