import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** The service signs no callback: the URL carries an HMAC of an n8n-only secret and of that URL. */
export const CALLBACK_TOKEN_PARAMETER = 'seedance_token';

const HMAC_LABEL = 'n8n-nodes-seedance/callback/v2';

/** The credential's Callback Secret, or its API key when no separate secret is set. */
export function callbackSecretOf(credentials: ICredentialDataDecryptedObject): string {
	const secret = String(credentials.callbackSecret ?? '').trim();
	return secret || String(credentials.apiKey ?? '').trim();
}

/** One path segment as n8n's router reads it: an encoded slash binds differently from a real one. */
function decoded(segment: string): string {
	try {
		return decodeURIComponent(segment).replace(/%/g, '%25').replace(/\//g, '%2F');
	} catch {
		return `/${segment}`;
	}
}

/** What a token binds: the path's last two segments, which name one webhook and survive proxies. */
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
 * Whether a URL is of this n8n (scheme, host, port, base path, no encoded slash). Only these get
 * a token: the binding leaves the host out, so a token given to another host would open ours.
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

/** This n8n's webhook base URL (WEBHOOK_URL), from a resume URL `<base>/webhook-waiting/<id>`. */
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

export function signCallbackUrl(url: string, secret: string): string {
	return withCallbackToken(url, callbackToken(secret, url));
}

/** Compares tokens in constant time. */
export function tokenMatches(received: unknown, expected: string): boolean {
	if (typeof received !== 'string' || received === '') return false;
	// Hashing both sides gives timingSafeEqual equal lengths without revealing the expected length.
	const digest = (text: string) => createHmac('sha256', HMAC_LABEL).update(text).digest();
	return timingSafeEqual(digest(received), digest(expected));
}
