/** What stands in for a secret wherever the service echoes one back. */
export const REDACTED = '[redacted]';

/**
 * Secrets shorter than this are not scrubbed: replacing a few common characters would garble text.
 */
const MIN_SECRET_LENGTH = 4;

/** Removes every occurrence of every secret from a text. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
	let clean = text;
	for (const secret of secrets) {
		if (secret && secret.length >= MIN_SECRET_LENGTH) clean = clean.split(secret).join(REDACTED);
	}
	return clean;
}

/** A copy of a JSON value with every secret removed from every string in it, keys included. */
export function redactDeep<T>(value: T, secrets: ReadonlyArray<string | undefined>): T {
	return JSON.parse(redact(JSON.stringify(value), secrets)) as T;
}
