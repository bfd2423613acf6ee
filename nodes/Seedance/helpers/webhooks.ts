import type { IDataObject, IHookFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { CALLBACK_TOKEN_PARAMETER, tokenMatches } from './callbackToken';

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
export function answer(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	const response = context.getResponseObject();
	response.writeHead(status, { 'Content-Type': 'application/json' });
	response.end(JSON.stringify(body));
	return { noWebhookResponse: true };
}

/**
 * The authenticity check of every callback (trigger and resume webhook): the refusal to send
 * (401 without the token, 403 with a wrong one), or undefined when the callback is signed.
 */
export function refuseUnsigned(context: IWebhookFunctions, expectedToken: string, hint = ''): IWebhookResponseData | undefined {
	const received = (context.getQueryData() as IDataObject)[CALLBACK_TOKEN_PARAMETER];
	if (received === undefined) return answer(context, 401, { message: `Missing ${CALLBACK_TOKEN_PARAMETER}${hint}` });
	if (!tokenMatches(received, expectedToken)) return answer(context, 403, { message: `Wrong ${CALLBACK_TOKEN_PARAMETER}` });
	return undefined;
}
