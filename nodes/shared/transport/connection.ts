import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { baseUrlProblem } from '../domain/baseUrl';
import { callbackSecretOf, callbackToken } from '../domain/callbackToken';
import { redactDeep, wholeOnly } from '../domain/redact';
import { baseUrlError } from './errors';

export type SeedanceContext = IExecuteFunctions | IWebhookFunctions;

export const CREDENTIAL_TYPE = 'seedanceApi';

export interface Connection {
	baseUrl: string;
	/** Never to reach output, errors or logs: API key, Callback Secret, callback tokens, resume URL. */
	secrets: readonly string[];
	/** The token of one callback URL (domain/callbackToken); each one made joins `secrets`. */
	callbackToken: (url: string) => string;
}

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
