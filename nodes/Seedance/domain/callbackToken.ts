import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * The service signs no callback, so the callback URL itself carries proof: a token derived from
 * a secret that only n8n holds. Generate appends it; the Seedance Trigger checks it.
 * The token is an HMAC of the secret, so the secret itself never leaves n8n (the service and
 * every proxy log in between see only the token).
 */
export const CALLBACK_TOKEN_PARAMETER = 'seedance_token';

const HMAC_LABEL = 'n8n-nodes-seedance/callback/v1';

/** The credential's Callback Secret, or its API key when no separate secret is set. */
export function callbackSecretOf(credentials: ICredentialDataDecryptedObject): string {
	const secret = String(credentials.callbackSecret ?? '').trim();
	return secret || String(credentials.apiKey ?? '').trim();
}

export function callbackToken(secret: string): string {
	return createHmac('sha256', secret).update(HMAC_LABEL).digest('base64url');
}

/** The URL with the token set (replacing one already there, e.g. pasted from an earlier run). */
export function withCallbackToken(url: string, token: string): string {
	const parsed = new URL(url);
	parsed.searchParams.set(CALLBACK_TOKEN_PARAMETER, token);
	return parsed.toString();
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
