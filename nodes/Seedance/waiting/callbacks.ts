import type {
	IDataObject,
	IHookFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { readCallback, type CallbackRequest } from '../domain/callbackBody';
import { CALLBACK_TOKEN_PARAMETER, tokenMatches } from '../domain/callbackToken';
import type { SeedanceTask } from '../domain/task';
import { getConnection, type Connection } from '../transport';

/**
 * Both nodes' webhooks get their URL handed to the service per task (Generate's callback_url),
 * so there is nothing to register with the service or remove again.
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
 * The start of every callback (trigger and resume webhook): the token check (401 without it,
 * 403 with a wrong one), then the body read into a task (400 when it is not one).
 */
export async function receiveCallback(
	context: IWebhookFunctions,
	missingTokenHint = '',
): Promise<ReceivedCallback> {
	const connection = await getConnection(context);
	const received = (context.getQueryData() as IDataObject)[CALLBACK_TOKEN_PARAMETER];
	if (received === undefined)
		return {
			refused: answer(context, 401, {
				message: `Missing ${CALLBACK_TOKEN_PARAMETER}${missingTokenHint}`,
			}),
		};
	if (!tokenMatches(received, connection.callbackToken))
		return { refused: answer(context, 403, { message: `Wrong ${CALLBACK_TOKEN_PARAMETER}` }) };
	const reading = readCallback(context.getRequestObject() as unknown as CallbackRequest);
	if (!reading.ok) return { refused: answer(context, 400, { message: reading.reason }) };
	return { connection, task: reading.task };
}
