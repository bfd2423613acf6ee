import type {
	IDataObject,
	IHookFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { readCallback, type CallbackRequest } from '../domain/callbackBody';
import { CALLBACK_TOKEN_PARAMETER, tokenMatches } from '../domain/callbackToken';
import type { SeedanceTask } from '../domain/task';
import { fetchTask, getConnection, isPassingFault, scrub, type Connection } from '../transport';
import { attempt } from '../domain/timing';

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
): IWebhookResponseData {
	const response = context.getResponseObject();
	response.writeHead(status, { 'Content-Type': 'application/json' });
	response.end(JSON.stringify(body));
	return { noWebhookResponse: true };
}

export type ReceivedCallback =
	| { refused: IWebhookResponseData }
	| { refused?: undefined; connection: Connection; task: SeedanceTask };

/**
 * Secrets a callback request itself carries: n8n 2.x's resume signature, and the path of the
 * execution's resume URL (whoever knows it can resume the execution).
 */
function requestSecrets(context: IWebhookFunctions): string[] {
	const signature = (context.getQueryData() as IDataObject).signature;
	const executionId = context.getExecutionId();
	const resumePath = executionId ? `/webhook-waiting/${executionId}` : undefined;
	return [signature, resumePath].filter(
		(value): value is string => typeof value === 'string' && value.length > 8,
	);
}

/**
 * The start of every callback (trigger and resume webhook): the token check (401 without it,
 * 403 with a wrong one), then the body read into a task (400 when it is not one), scrubbed of
 * every secret.
 */
export async function receiveCallback(
	context: IWebhookFunctions,
	missingTokenHint = '',
): Promise<ReceivedCallback> {
	const connection = await getConnection(context, requestSecrets(context));
	const received = (context.getQueryData() as IDataObject)[CALLBACK_TOKEN_PARAMETER];
	if (received === undefined) {
		return {
			refused: answer(context, 401, {
				message: `Missing ${CALLBACK_TOKEN_PARAMETER}${missingTokenHint}`,
			}),
		};
	}
	if (!tokenMatches(received, connection.callbackToken)) {
		return { refused: answer(context, 403, { message: `Wrong ${CALLBACK_TOKEN_PARAMETER}` }) };
	}
	const reading = readCallback(context.getRequestObject() as unknown as CallbackRequest);
	if (!reading.ok) return { refused: answer(context, 400, { message: reading.reason }) };
	return { connection, task: scrub(connection, reading.task) };
}

/** The service gives a receiver about 5 s before it sends a callback again: confirm within that. */
const CONFIRM_BUDGET_MS = 4_000;

/**
 * A callback is a claim; the service is the truth. Reads the task from the service (free) and
 * gives the service's answer: a task the service does not know for this credential is refused
 * (409), and while the service cannot be reached the caller is asked to try again (503).
 */
export async function confirmWithService(
	context: IWebhookFunctions,
	connection: Connection,
	claim: SeedanceTask,
): Promise<{ refused: IWebhookResponseData } | { refused?: undefined; task: SeedanceTask }> {
	const read = await attempt(
		fetchTask(context, connection, claim.taskId, {
			timeoutMs: CONFIRM_BUDGET_MS,
			deadline: Date.now() + CONFIRM_BUDGET_MS,
		}),
	);
	if (read.ok) return { task: read.value };
	if (isPassingFault(read.error)) {
		return {
			refused: answer(context, 503, {
				message: `Could not confirm task ${claim.taskId} with API in One; try again later`,
			}),
		};
	}
	return {
		refused: answer(context, 409, {
			message: `Task ${claim.taskId} is unknown to API in One for this credential`,
		}),
	};
}
