import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * The service signs no callback, so the callback URL itself carries proof: a token derived from
 * a secret that only n8n holds and from the URL it is made for. Generate appends it; the Seedance
 * Trigger and the resume webhook check it against their own address, so a token that one host
 * saw opens no other trigger or execution. The secret itself never leaves n8n.
 */
export const CALLBACK_TOKEN_PARAMETER = 'seedance_token';

const HMAC_LABEL = 'n8n-nodes-seedance/callback/v2';

/** The credential's Callback Secret, or its API key when no separate secret is set. */
export function callbackSecretOf(credentials: ICredentialDataDecryptedObject): string {
	const secret = String(credentials.callbackSecret ?? '').trim();
	return secret || String(credentials.apiKey ?? '').trim();
}

/**
 * One path segment as n8n's router reads it, with `%` and `/` escaped again: an encoded slash
 * (`webhook-waiting%2F41`) binds differently from a real one. A segment that does not decode keeps
 * a leading `/`, which no decoded segment has.
 */
function decoded(segment: string): string {
	try {
		return decodeURIComponent(segment).replace(/%/g, '%25').replace(/\//g, '%2F');
	} catch {
		return `/${segment}`;
	}
}

/**
 * What a token is bound to: the last two segments of the URL's path. They name one n8n webhook
 * (`<webhook id>/callback` of a trigger, `webhook-waiting/<execution id>` of a resume URL) and
 * stay the same when a proxy changes the host or strips a path prefix; query and host are left
 * out (n8n's resume signature and the token live in the query).
 */
export function callbackBinding(url: string): string {
	const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? new URL(url).pathname : url.split(/[?#]/)[0];
	return path
		.split('/')
		.filter((segment) => segment !== '')
		.slice(-2)
		.map(decoded)
		.join('/');
}

/**
 * Whether a URL is an address of the n8n whose webhook base URL is `webhookBase`: same scheme, host
 * and port, no user info, under the base path, no encoded slash or backslash in the path. Only such
 * URLs get a token: the binding leaves the host out, so a token given to any other host would open
 * the webhook of this n8n with the same last two path segments.
 */
export function isUrlOfInstance(url: string, webhookBase: string): boolean {
	let parsed: URL;
	let base: URL;
	try {
		parsed = new URL(url);
		base = new URL(webhookBase);
	} catch {
		return false;
	}
	const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
	return (
		(parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
		parsed.protocol === base.protocol &&
		parsed.username === '' &&
		parsed.password === '' &&
		parsed.host === base.host &&
		parsed.pathname.startsWith(prefix) &&
		parsed.pathname.length > prefix.length &&
		!/%(?:2f|5c)/i.test(parsed.pathname)
	);
}

/**
 * The webhook base URL of this n8n, from an execution's resume URL
 * (`<base>/webhook-waiting/<execution id>`): n8n builds every webhook URL on it (WEBHOOK_URL).
 */
export function webhookBaseOf(resumeUrl: string): string | undefined {
	try {
		const url = new URL(resumeUrl);
		const segments = url.pathname.split('/');
		if (segments.length < 3) return undefined;
		return `${url.origin}${segments.slice(0, -2).join('/')}/`;
	} catch {
		return undefined;
	}
}

/** The token of one callback URL (or request path). */
export function callbackToken(secret: string, url: string): string {
	return createHmac('sha256', secret)
		.update(`${HMAC_LABEL}\n${callbackBinding(url)}`)
		.digest('base64url');
}

/** The URL with the token set (replacing one already there, e.g. pasted from an earlier run). */
export function withCallbackToken(url: string, token: string): string {
	const parsed = new URL(url);
	parsed.searchParams.set(CALLBACK_TOKEN_PARAMETER, token);
	return parsed.toString();
}

/** The URL with its own token set. */
export function signCallbackUrl(url: string, secret: string): string {
	return withCallbackToken(url, callbackToken(secret, url));
}

/**
 * Compares a received token with the expected one in constant time (no early exit on the first
 * wrong character).
 */
export function tokenMatches(received: unknown, expected: string): boolean {
	if (typeof received !== 'string' || received === '') return false;
	// Hashing both sides gives equal lengths, which timingSafeEqual needs, without revealing the
	// expected length.
	const digest = (text: string) => createHmac('sha256', HMAC_LABEL).update(text).digest();
	return timingSafeEqual(digest(received), digest(expected));
}
