import type {
	IDataObject,
	IHookFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { readCallback, type CallbackRequest } from '../domain/callbackBody';
import { CALLBACK_TOKEN_PARAMETER, tokenMatches } from '../domain/callbackToken';
import { isKnownStatusWord, isTerminal, type SeedanceTask } from '../domain/task';
import { fetchTask, getConnection, isPassingFault, scrub, type Connection } from '../transport';
import { attempt, type Attempt } from '../domain/timing';

/**
 * A webhook whose URL is handed to the service per task (Generate's callback_url): nothing to
 * register with the service or remove again.
 */
export const nothingToRegister = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async create(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			return true;
		},
	},
};

/** Answers the caller with a JSON body and starts (or resumes) nothing. */
export function answer(
	context: IWebhookFunctions,
	status: number,
	body: IDataObject,
	headers: Record<string, string> = {},
): IWebhookResponseData {
	const response = context.getResponseObject();
	response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
	response.end(JSON.stringify(body));
	return { noWebhookResponse: true };
}

export type ReceivedCallback =
	| { refused: IWebhookResponseData }
	| { refused?: undefined; connection: Connection; task: SeedanceTask };

/**
 * Whether a callback's claim may be a finished task: a finished state, or a status word nobody
 * listed (read from the service, never dropped). Known progress words cost no request.
 */
export const mayHaveEnded = (claim: SeedanceTask): boolean =>
	isTerminal(claim.state) || !isKnownStatusWord(claim.rawStatus);

/** The path the request came to (n8n's express request keeps it whole in `originalUrl`). */
function requestPath(context: IWebhookFunctions): string {
	const request = context.getRequestObject() as { originalUrl?: string; url?: string };
	return String(request.originalUrl ?? request.url ?? '');
}

/**
 * The start of every callback (trigger and resume webhook): the token check against this very
 * webhook's address (401 without it, 403 with a wrong one or one made for another URL), then the
 * body read into a task (400 when it is not one), scrubbed of every secret. No request is sent.
 */
export async function receiveCallback(
	context: IWebhookFunctions,
	missingTokenHint = '',
): Promise<ReceivedCallback> {
	const connection = await getConnection(context);
	const received = (context.getQueryData() as IDataObject)[CALLBACK_TOKEN_PARAMETER];
	if (received === undefined) {
		return {
			refused: answer(context, 401, {
				message: `Missing ${CALLBACK_TOKEN_PARAMETER}${missingTokenHint}`,
			}),
		};
	}
	if (!tokenMatches(received, connection.callbackToken(requestPath(context)))) {
		return { refused: answer(context, 403, { message: `Wrong ${CALLBACK_TOKEN_PARAMETER}` }) };
	}
	const reading = readCallback(context.getRequestObject() as unknown as CallbackRequest);
	if (!reading.ok) return { refused: answer(context, 400, { message: reading.reason }) };
	return { connection, task: scrub(connection, reading.task) };
}

/**
 * The service sends a callback again when it gets no answer within 5 s: every read a callback
 * makes ends by this time after it arrived, and the caller is answered 503 when it could not.
 */
const CALLBACK_BUDGET_MS = 4_000;

export const callbackDeadline = (): number => Date.now() + CALLBACK_BUDGET_MS;

/** Answer when the service could not be read in time: the caller sends the callback again. */
export function tryAgain(
	context: IWebhookFunctions,
	taskId: string,
): { refused: IWebhookResponseData } {
	return {
		refused: answer(context, 503, {
			message: `Could not confirm task ${taskId} with API in One; try again later`,
		}),
	};
}

/**
 * One read of a task for a callback: a single request (no retry: one callback costs at most one
 * request per task it reads) that ends by the callback's deadline, its whole answer included.
 */
export async function readForCallback(
	context: IWebhookFunctions,
	connection: Connection,
	taskId: string,
	deadline: number,
): Promise<Attempt<SeedanceTask>> {
	const timeoutMs = deadline - Date.now();
	if (timeoutMs < 100) return { ok: false, error: outOfTime };
	return await attempt(fetchTask(context, connection, taskId, { timeoutMs, deadline: Date.now() }));
}

const outOfTime = Object.assign(new Error('No time left to read the task'), {
	context: { transient: true },
});

/**
 * A callback is a claim; the service is the truth. Reads the task from the service (free) and
 * gives the service's answer: a task the service does not know for this credential is refused
 * (409), and while the service cannot be reached in time the caller is asked to try again (503).
 */
export async function confirmWithService(
	context: IWebhookFunctions,
	connection: Connection,
	claim: SeedanceTask,
	deadline = callbackDeadline(),
): Promise<{ refused: IWebhookResponseData } | { refused?: undefined; task: SeedanceTask }> {
	const read = await readForCallback(context, connection, claim.taskId, deadline);
	if (read.ok) return { task: read.value };
	if (isPassingFault(read.error)) return tryAgain(context, claim.taskId);
	return {
		refused: answer(context, 409, {
			message: `Task ${claim.taskId} is unknown to API in One for this credential`,
		}),
	};
}
