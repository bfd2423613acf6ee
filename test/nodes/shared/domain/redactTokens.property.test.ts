/**
 * Generated: a callback token, ours (made by the node) or another trigger's, written after its
 * parameter's name in any form a service may echo it (JSON field, `name: value`, a URL's query,
 * URL-encoded once or twice, JSON-escaped, any case of the name) never shows once redacted.
 */
import { callbackToken } from '../../../../nodes/shared/domain/callbackToken';
import { redact, redactDeep } from '../../../../nodes/shared/domain/redact';
import { checkProperty, fc } from '../../../property';
import { showsSecret } from '../../../secrets';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');

/** A token as the node makes one, or a foreign one of any length of base64url characters. */
const tokenArbitrary = fc.oneof(
	fc
		.record({ secret: fc.string({ minLength: 4 }), path: fc.webPath() })
		.map(({ secret, path }) => callbackToken(secret, `https://n8n.example${path}/callback`)),
	fc.array(fc.constantFrom(...BASE64URL), { minLength: 8, maxLength: 64 }).map((c) => c.join('')),
);

/** `seedance_token` with each letter in either case. */
const nameArbitrary = fc
	.array(fc.boolean(), { minLength: 14, maxLength: 14 })
	.map((upper) =>
		Array.from('seedance_token', (c, i) => (upper[i] ? c.toUpperCase() : c)).join(''),
	);

const spaces = fc.constantFrom('', ' ', '  ', '\t', '\n ');

/** The token written after its name, as one of the forms a service's text may hold. */
const FORMS = {
	jsonField: (name: string, token: string, s: string) => `{"${name}"${s}:${s}"${token}"}`,
	singleQuoted: (name: string, token: string, s: string) => `{'${name}'${s}:${s}'${token}'}`,
	colonText: (name: string, token: string, s: string) => `${name}:${s}${token}`,
	equalsText: (name: string, token: string, s: string) => `${name}${s}=${s}${token}`,
	query: (name: string, token: string) => `https://n8n.example/webhook/x/callback?${name}=${token}`,
	queryMiddle: (name: string, token: string) =>
		`https://n8n.example/webhook-waiting/7?signature=abc&${name}=${token}&x=1`,
	encodedUrl: (name: string, token: string) =>
		encodeURIComponent(`https://n8n.example/webhook/x/callback?${name}=${token}&x=1`),
	twiceEncoded: (name: string, token: string) =>
		encodeURIComponent(encodeURIComponent(`https://h.example/cb?${name}=${token}`)),
	jsonInJson: (name: string, token: string, s: string) =>
		JSON.stringify(`{"${name}"${s}:${s}"${token}"}`).slice(1, -1),
	unicodeEscaped: (name: string, token: string) =>
		`{"${name.replace(/[a-z]/gi, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}":"${token}"}`,
	encodedName: (name: string, token: string) =>
		`${name.replace(/_/g, '%5F')}%3D${token}%26next%3D1`,
	formEncoded: (name: string, token: string, s: string) =>
		new URLSearchParams({ note: `${name}${s}=${s}${token}` }).toString(),
};

const caseArbitrary = fc.record({
	token: tokenArbitrary,
	name: nameArbitrary,
	form: fc.constantFrom(...(Object.keys(FORMS) as Array<keyof typeof FORMS>)),
	space: spaces,
	before: fc.string({ maxLength: 40 }),
	after: fc.constantFrom('', ' and more', '"}', ', next', '&a=1', '\n'),
	// With or without other secrets to scrub (the key of the connection).
	secrets: fc.constantFrom([], ['aio_1234567890abcdef']),
});

describe('a token after seedance_token never shows, in any form (property)', () => {
	it('in text: JSON fields, name: value, queries, encoded once or twice, escaped', async () => {
		await checkProperty(
			'a token named seedance_token is hidden in every form',
			fc.property(caseArbitrary, (c) => {
				const text = `${c.before}${FORMS[c.form](c.name, c.token, c.space)}${c.after}`;
				const clean = redact(text, c.secrets);
				return !showsSecret(clean, c.token) && clean.includes('[redacted]');
			}),
			3000,
		);
	});

	it('as the value of a JSON key of that name, at any depth', async () => {
		await checkProperty(
			'a JSON key seedance_token hides its value',
			fc.property(caseArbitrary, fc.nat(3), (c, depth) => {
				let value: unknown = { [c.name]: c.token, other: 'kept' };
				for (let level = 0; level < depth; level++) value = { data: [value] };
				const clean = JSON.stringify(redactDeep(value, c.secrets));
				return !showsSecret(clean, c.token) && clean.includes('kept');
			}),
			1000,
		);
	});

	it('leaves the text around it, and a marker already there, as they are', () => {
		expect(redact('see seedance_token: abcdefgh1234, then', [])).toBe(
			'see seedance_token: [redacted], then',
		);
		expect(redact('{"seedance_token":"[redacted]"}', [])).toBe('{"seedance_token":"[redacted]"}');
		expect(redact('Missing seedance_token', [])).toBe('Missing seedance_token');
	});
});
