/**
 * Generated secrets, the forms a service may echo them in, and the check that none of them shows:
 * shared by the redaction property tests (pure, and through the node against the emulator).
 */
import type { Fault } from './emulator/server';
import { fc } from './property';

/** The shortest run of a secret's characters that counts as showing it. */
export const RUN = 8;

const URL_SPECIAL = "%+&=?#/:;@ !*'()[]{}<>,.~$".split('');
const JSON_SPECIAL = ['"', '\\', '\n', '\t', '\r', '\u2028', '/'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'.split('');
const UNICODE = Array.from('éÉßẞçÇñÑøØΣσςıж日本語🔑😀ﬁÅ');

/** Secrets of 8 to 64 characters from several alphabets: keys, URL and JSON specials, unicode. */
export function secretArbitrary(
	options: { headerSafe?: boolean; maxLength?: number } = {},
): fc.Arbitrary<string> {
	const maxLength = options.maxLength ?? 64;
	const chars = options.headerSafe
		? fc.oneof(
				{ weight: 4, arbitrary: fc.constantFrom(...LETTERS) },
				{
					weight: 1,
					arbitrary: fc.constantFrom(...URL_SPECIAL.filter((c) => c !== ' '), '"', '\\'),
				},
			)
		: fc.oneof(
				{ weight: 4, arbitrary: fc.constantFrom(...LETTERS) },
				{ weight: 1, arbitrary: fc.constantFrom(...URL_SPECIAL) },
				{ weight: 1, arbitrary: fc.constantFrom(...JSON_SPECIAL) },
				{ weight: 1, arbitrary: fc.constantFrom(...UNICODE) },
				{ weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
			);
	return fc
		.array(chars, { minLength: RUN, maxLength })
		.map((parts) => parts.join(''))
		.filter((secret) => secret.length >= RUN && secret.trim().length >= RUN);
}

function jsonUnicodeEscaped(text: string): string {
	return JSON.stringify(text)
		.slice(1, -1)
		.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The ways a service, a proxy or a URL may write a secret back. */
export const FORMS: Record<string, (secret: string) => string> = {
	raw: (secret) => secret,
	upper: (secret) => secret.toUpperCase(),
	lower: (secret) => secret.toLowerCase(),
	alternating: (secret) =>
		Array.from(secret, (char, index) => (index % 2 ? char.toUpperCase() : char.toLowerCase())).join(
			'',
		),
	url: (secret) => encodeURIComponent(secret),
	urlLowerHex: (secret) =>
		encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
	form: (secret) => new URLSearchParams({ k: secret }).toString().slice(2),
	uri: (secret) => encodeURI(secret),
	json: (secret) => JSON.stringify(secret).slice(1, -1),
	jsonAscii: jsonUnicodeEscaped,
	upperUrl: (secret) => encodeURIComponent(secret.toUpperCase()),
};

/** Forms that stay printable ASCII for a header-safe secret (what a header value may hold). */
export const HEADER_FORMS = ['raw', 'upper', 'lower', 'url', 'form', 'json'];

/** A form of the secret, or a run of RUN or more of its characters in that form. */
export function placedArbitrary(
	secret: string,
	forms: string[] = Object.keys(FORMS),
): fc.Arbitrary<string> {
	return fc
		.record({
			form: fc.constantFrom(...forms),
			from: fc.nat(secret.length - RUN),
			length: fc.integer({ min: RUN, max: secret.length }),
			whole: fc.boolean(),
		})
		.map(({ form, from, length, whole }) => {
			const chars = Array.from(secret);
			const part = whole ? secret : chars.slice(from, from + length).join('');
			return FORMS[form](Array.from(part).length >= RUN ? part : secret);
		});
}

function tolerant(pattern: RegExp, decode: (match: string) => string) {
	return (text: string) =>
		text.replace(pattern, (match) => {
			try {
				return decode(match);
			} catch {
				return match;
			}
		});
}

const urlDecoded = tolerant(/(%[0-9a-fA-F]{2})+/g, decodeURIComponent);
const jsonDecoded = tolerant(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (match) =>
	JSON.parse(`"${match}"`),
);

function fold(text: string): string {
	return text.toLowerCase().replace(/ς/g, 'σ');
}

/**
 * Whether a text shows RUN or more consecutive characters of the secret (any case), read raw,
 * URL-decoded (with and without `+` for a space) or JSON-decoded.
 */
export function showsSecret(text: string, secret: string): boolean {
	const readings = new Set<string>();
	for (const json of [text, jsonDecoded(text)]) {
		readings.add(json);
		readings.add(urlDecoded(json));
		readings.add(urlDecoded(json.replace(/\+/g, ' ')));
	}
	const folded = [...readings].map(fold);
	for (const form of new Set([secret, secret.toLowerCase(), secret.toUpperCase()])) {
		const piece = fold(form);
		for (let index = 0; index + RUN <= piece.length; index++) {
			const run = piece.slice(index, index + RUN);
			if (folded.some((reading) => reading.includes(run))) return true;
		}
	}
	return false;
}

/** Everything an error holds, as text: own properties (message, description, context, cause…). */
export function serialised(value: unknown): string {
	const seen = new WeakSet<object>();
	return (
		JSON.stringify(value, function (_key, inner: unknown) {
			if (inner instanceof Error) {
				const plain: Record<string, unknown> = { stack: inner.stack };
				for (const name of Object.getOwnPropertyNames(inner))
					plain[name] = (inner as unknown as Record<string, unknown>)[name];
				return plain;
			}
			if (typeof inner === 'object' && inner !== null) {
				if (seen.has(inner)) return undefined;
				seen.add(inner);
			}
			return inner;
		}) ?? ''
	);
}

/** The emulator's answer for a finished task whose video is at `videoUrl` (a status fault to inject). */
export function finishedTaskAnswer(taskId: string, videoUrl: string): Fault {
	return {
		kind: 'status',
		code: 200,
		body: {
			code: 200,
			data: { task_id: taskId, status: 'COMPLETED', output: { video_url: videoUrl } },
		},
	};
}
