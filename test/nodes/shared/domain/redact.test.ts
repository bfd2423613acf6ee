import {
	REDACTED,
	quote,
	redact,
	redactDeep,
	wholeOnly,
} from '../../../../nodes/shared/domain/redact';
import { checkProperty, fc } from '../../../property';
import { FORMS, placedArbitrary, secretArbitrary, showsSecret } from '../../../secrets';

const key = 'aio_0123456789abcdefghijklmnopqrstuv';

describe('redact: every secret in every form', () => {
	it.each(Object.keys(FORMS))('finds the key written %s', (form) => {
		const text = `before ${FORMS[form](key)} after`;
		const clean = redact(text, [key]);
		expect(clean).toBe(`before ${REDACTED} after`);
	});

	it('replaces any run of 8 or more of its characters, but not 7', () => {
		expect(redact(`x${key.slice(10, 18)}y`, [key])).toBe(`x${REDACTED}y`);
		expect(redact(`x${key.slice(10, 17)}y`, [key])).toBe(`x${key.slice(10, 17)}y`);
		expect(redact(`${key.slice(0, 12)} and ${key.slice(20)}`, [key])).toBe(
			`${REDACTED} and ${REDACTED}`,
		);
	});

	it('replaces a secret shorter than 8 characters only whole, and leaves very short ones', () => {
		expect(redact('a s3cret! b s3cre', ['s3cret!'])).toBe(`a ${REDACTED} b s3cre`);
		expect(redact('a abcd b', ['abcd'])).toBe(`a ${REDACTED} b`);
		expect(redact(`x ${key}`, [undefined, '', key])).toBe(`x ${REDACTED}`);
		expect(redact('abc abc', ['abc'])).toBe('abc abc');
	});

	it('keeps its place in text whose lower case is longer (İ), and finds such a secret', () => {
		expect(redact(`İİ ${key} end`, [key])).toBe(`İİ ${REDACTED} end`);
		expect(redact(`İ ${key.toUpperCase()} ΣΊΓΜΑΣ`, [key])).toBe(`İ ${REDACTED} ΣΊΓΜΑΣ`);
		expect(redact('i̇abcdefgh', ['İabcdefgh'])).toBe(REDACTED);
		expect(redact('x İabcdefgh y İ', ['İabcdefgh'])).toBe(`x ${REDACTED} y İ`);
		expect(redact('x İABCDEFGH y', ['İabcdefgh'])).toBe(`x ${REDACTED} y`);
		expect(redact('σίγμας ΣΊΓΜΑΣ12', ['σίγμας12'])).toBe(`σίγμας ${REDACTED}`);
		// A final sigma is a sigma in the slow fold too (İ makes the text's lower case longer).
		expect(redact('İ abcdςefgh', ['abcdσefgh'])).toBe(`İ ${REDACTED}`);
	});

	it('reads a backslash that starts no JSON escape as itself, and the escape after it', () => {
		expect(redact('x \\z\\u00e91234567 y', ['é1234567'])).toBe(`x \\z${REDACTED} y`);
		expect(redact('x \\z\\u00e9123456 y', ['\\zé123456'])).toBe(`x ${REDACTED} y`);
	});

	it('looks in JSON escapes for a secret made only of characters JSON escapes', () => {
		expect(redact(`x ${'\\u00e9'.repeat(8)} y`, ['é'.repeat(8)])).toBe(`x ${REDACTED} y`);
	});

	it('finds secrets in JSON and URL escapes that span several characters', () => {
		const secret = 'k"é y/ü+%&=ключ';
		for (const text of [
			JSON.stringify({ echo: secret }),
			`https://x/?q=${encodeURIComponent(secret)}`,
			`https://x/?${new URLSearchParams({ q: secret }).toString()}`,
			JSON.stringify({ url: `https://x/?q=${encodeURIComponent(secret)}` }),
		])
			expect(showsSecret(redact(text, [secret]), secret)).toBe(false);
	});

	it.each([
		['"', '\\"'],
		['\\', '\\\\'],
		['/', '\\/'],
		['\b', '\\b'],
		['\f', '\\f'],
		['\n', '\\n'],
		['\r', '\\r'],
		['\t', '\\t'],
		['é', '\\u00e9'],
		['ÿ', '\\u00FF'],
		['é', '%C3%A9'],
		['€', '%e2%82%ac'],
		['😀', '%F0%9F%98%80'],
		[' ', '+'],
		[' ', '%20'],
		['+', '%2B'],
		['%', '%25'],
		// Plain test names: Stryker picks a mutant's tests by a pattern of their names.
	])(
		'finds a secret holding an escaped character, case %#, and nothing beside it',
		(char, written) => {
			const secret = `abcd${char}efgh`;
			expect(redact(`x=${secret.replace(char, written)}&y=%41z`, [secret])).toBe(
				`x=${REDACTED}&y=%41z`,
			);
		},
	);

	it('leaves escapes that are not whole, or not of the secret, as they are', () => {
		const secret = 'abcdéfgh';
		for (const text of ['abcd%C3fgh', 'abcd%E9fgh', 'abcd\\u0Ofgh', 'abcd%C3%Z9fgh', 'abcd%80fgh'])
			expect(redact(`<${text}>`, [secret])).toBe(`<${text}>`);
	});

	it('redacts again where a piece forms across its marker', () => {
		// With a short secret too: its pieces (5 characters) cannot form across the marker.
		for (const secrets of [
			['PQRSTUVW', 'p]hijklmn'],
			['PQRSTUVW', 'p]hijklmn', 'zzzzz'],
		]) {
			const clean = redact('PQRSTUVWhijklmn', secrets);
			expect(clean).toBe('[redacted[redacted]');
			for (const secret of secrets) expect(showsSecret(clean, secret)).toBe(false);
		}
	});

	it('scans a text as short as the shortest secret, beside longer ones', () => {
		expect(redact('abcde', ['abcde', key])).toBe(REDACTED);
	});

	it('keeps a JSON value whole: each string is redacted on its own, keys included', () => {
		const secret = 'abc","x":"defghijk';
		const value = { [key]: `echo ${key}`, list: [key.toUpperCase(), 1, null], quote: secret };
		expect(redactDeep(value, [key, secret])).toEqual({
			[REDACTED]: `echo ${REDACTED}`,
			list: [REDACTED, 1, null],
			quote: REDACTED,
		});
		expect(redactDeep(undefined, [key])).toBeUndefined();
	});

	it('never shows a piece of a secret through its marker', () => {
		const secret = 'x[redacted]y';
		const clean = redact(`a ${secret} b`, [secret]);
		expect(showsSecret(clean, secret)).toBe(false);
		expect(clean).toBe('a [hidden] b');
	});

	it('scans a megabyte body with a key in it quickly', () => {
		const filler = 'lorem ipsum dolor sit amet %20 \\n + '.repeat(15_000);
		const body = `${filler}${key}${filler}${encodeURIComponent(key)}`;
		const started = performance.now();
		const clean = redact(body, [key, 'another-secret-value']);
		const took = performance.now() - started;
		expect(showsSecret(clean.slice(filler.length - 100, filler.length + 100), key)).toBe(false);
		expect(clean.length).toBe(body.length - 2 * key.length + 2 * REDACTED.length);
		// Loose: the machine is shared; a scan that grew with the square of the size would take minutes.
		expect(took).toBeLessThan(10_000);
	});
});

describe('redactDeep: a field named after the callback token', () => {
	it('hides what it holds, however the name is written, and leaves other fields, nulls, booleans and markers', () => {
		expect(
			redactDeep(
				{
					seedance_token: 'abc',
					'seedance%5Ftoken': 'def',
					'"seedance_token"': 7,
					seedance_token_count: 3,
					nested: { seedance_token: null, SEEDANCE_TOKEN: true, ' seedance_token': '[hidden]' },
				},
				[key],
			),
		).toEqual({
			seedance_token: REDACTED,
			'seedance%5Ftoken': REDACTED,
			'"seedance_token"': REDACTED,
			seedance_token_count: 3,
			nested: { seedance_token: null, SEEDANCE_TOKEN: true, ' seedance_token': '[hidden]' },
		});
	});

	it("uses the secrets' own marker there too", () => {
		expect(redactDeep({ seedance_token: 'abc' }, ['x[redacted]y'])).toEqual({
			seedance_token: '[hidden]',
		});
	});

	it('falls back to *** when a secret holds pieces of the other two markers', () => {
		expect(redact('a [redacted]+[hidden] b', ['[redacted]+[hidden]'])).toBe('a *** b');
	});
});

describe('quote: redact first, then cut', () => {
	it('a key across the cut shows nothing of it (the old cut showed 35 of its 36 characters)', () => {
		const message = `${'x'.repeat(265)}${key}${'y'.repeat(100)}`;
		expect(message.indexOf(key)).toBe(265);
		const quoted = quote(message, [key], 300);
		expect(quoted).toBe(`${'x'.repeat(265)}${REDACTED}${'y'.repeat(25)}…`);
		expect(quote('short', [key], 300)).toBe('short');
		expect(quote('exact', [key], 5)).toBe('exact');
		expect(quote('exact!', [key], 5)).toBe('exact…');
	});

	it('a "starts with" quote of the first bytes shows nothing of a key there', () => {
		expect(quote(`${key}<html>`, [key], 12)).toBe(`${REDACTED}<html`.slice(0, 12) + '…');
	});

	it('a secret repeated past the quoted length is one marker, and what follows it still shows', () => {
		const repeated = `${key.repeat(100)} tail`;
		expect(quote(repeated, [key], 300)).toBe(`${REDACTED} tail`);
	});

	it('a text of megabytes: a secret repeated throughout is one marker, a page is cut', () => {
		expect(quote(`${key.repeat(60_000)}`, [key], 300)).toBe(REDACTED);
		const page = `<html>${'x'.repeat(10_000_000)}`;
		expect(quote(page, [key], 300)).toBe(`${page.slice(0, 300)}…`);
	});
});

describe('redact reads long runs of escape characters in one pass', () => {
	// Before: the token name's pre-check backtracked over every backslash run (200,000: minutes).
	it('runs of backslashes, percent signs or plus signs come back unchanged', () => {
		for (const char of ['\\', '%', '+', '%25', '\\u00'])
			expect(redact(char.repeat(200_000), [key]) === char.repeat(200_000)).toBe(true);
		expect(redact('\\'.repeat(200_000), []).length).toBe(200_000);
	});

	it('a token name after a run of backslashes is still found', () => {
		expect(redact(`${'\\'.repeat(100_000)}seedance_token=abcdef`, [])).toBe(
			`${'\\'.repeat(100_000)}seedance_token=${REDACTED}`,
		);
		expect(redact(`x${'\\'.repeat(1_001)}u0073eedance_token=abcdef`, [])).toMatch(
			new RegExp(`u0073eedance_token=${REDACTED.replace(/[[\]]/g, '\\$&')}$`),
		);
		// Escaped twice inside the name: the run of backslashes follows the letter before it.
		expect(redact('x seed\\\\u0061nce_token=abcdefgh y', [])).toBe(
			`x seed\\\\u0061nce_token=${REDACTED} y`,
		);
		expect(redactDeep({ 'seed\\\\u0061nce_token': 'abcdefgh' }, [])).toEqual({
			'seed\\\\u0061nce_token': REDACTED,
		});
	});
});

describe('generated secrets never show (property)', () => {
	it('in redacted and quoted text, wherever and however they are placed', async () => {
		const caseArbitrary = secretArbitrary().chain((secret) =>
			fc.record({
				secret: fc.constant(secret),
				other: secretArbitrary({ maxLength: 16 }),
				before: fc.string({ maxLength: 400 }),
				placed: fc.array(placedArbitrary(secret), { minLength: 1, maxLength: 3 }),
				between: fc.string({ maxLength: 20 }),
				after: fc.string({ maxLength: 400 }),
				cut: fc.nat(900),
			}),
		);
		await checkProperty(
			'redact/quote hide every form of a generated secret',
			fc.property(caseArbitrary, ({ secret, other, before, placed, between, after, cut }) => {
				const text = `${before}${placed.join(between)}${after}`;
				const secrets = [other, secret];
				const clean = redact(text, secrets);
				const quoted = quote(text, secrets, cut);
				return (
					!showsSecret(clean, secret) &&
					!showsSecret(quoted, secret) &&
					!showsSecret(JSON.stringify({ clean }), secret) &&
					!showsSecret(JSON.stringify(redactDeep({ text, [text]: [text] }, secrets)), secret)
				);
			}),
			1500,
		);
	});
});

describe('wholeOnly: a secret found whole, never by its runs', () => {
	it("hides this execution's resume path in any form, and leaves other n8n URLs alone", () => {
		expect(wholeOnly('')).toBe('');
		const path = wholeOnly('/webhook-waiting/4711');
		const text = `cb https://n8n.example/webhook-waiting/4711?x=1 ${encodeURIComponent('/WEBHOOK-WAITING/4711')} https://n8n.example/webhook/abc/callback /webhook-waiting/12`;
		expect(redact(text, [path])).toBe(
			`cb https://n8n.example${REDACTED}?x=1 ${REDACTED} https://n8n.example/webhook/abc/callback /webhook-waiting/12`,
		);
	});
});

/** A secret whose every character folds the same in any case (no `ß` to `SS`, no `İ` to `i̇`). */
const caseStable = (secret: string) =>
	Array.from(secret).every((char) =>
		[char.toLowerCase(), char.toUpperCase()].every(
			(form) => form.length === char.length && fold(form) === fold(char),
		),
	);
const fold = (text: string) => text.toLowerCase().replace(/ς/g, 'σ');

/**
 * Text that can neither hold nor finish a piece of the secrets: none of their characters (in any
 * case), nothing that starts or ends an escape (`\`, `%`, `+`, hex digits, JSON's escape letters).
 */
function contextArbitrary(secrets: string[], minLength = 0): fc.Arbitrary<string> {
	const used = new Set(Array.from(fold(secrets.join(''))));
	const safe = Array.from('ghijklmopqsvwxyz .,:;!?()<>-~').filter(
		(char) => !used.has(char) && !used.has(char.toUpperCase().toLowerCase()),
	);
	const upper = safe.filter((char) => /[a-z]/.test(char)).map((char) => char.toUpperCase());
	const chars = [...safe, ...upper];
	return chars.length === 0
		? fc.constant('')
		: fc
				.array(fc.constantFrom(...chars), { minLength, maxLength: 60 })
				.map((parts) => parts.join(''));
}

/** The marker redact picks: the first that holds no run of any secret (none: the secret goes). */
function markerFor(secrets: string[]): string {
	const runs = secrets.flatMap((secret) =>
		[secret, secret.toLowerCase(), secret.toUpperCase()].flatMap((form) => {
			const text = fold(form);
			const size = Math.min(8, text.length);
			return Array.from({ length: text.length - size + 1 }, (_, at) => text.slice(at, at + size));
		}),
	);
	return (
		[REDACTED, '[hidden]', '***'].find(
			(marker) => !runs.some((run) => fold(marker).includes(run)),
		) ?? ''
	);
}

describe('redact replaces the secret and nothing else (property)', () => {
	it('each form of a secret amid other text becomes one marker; the text around stays as it was', async () => {
		const secretCase = fc
			.tuple(
				secretArbitrary().filter(caseStable),
				secretArbitrary({ maxLength: 16 }).filter(caseStable),
			)
			.chain(([secret, other]) =>
				fc.record({
					secret: fc.constant(secret),
					other: fc.constant(other),
					before: contextArbitrary([secret, other]),
					// Forms side by side may make an escape across their seam (`…%0` then `3…`).
					between: contextArbitrary([secret, other], 1),
					after: contextArbitrary([secret, other]),
				}),
			)
			.chain((drawn) =>
				fc
					.array(placedArbitrary(drawn.secret), { maxLength: drawn.between === '' ? 1 : 3 })
					.map((placed) => ({ ...drawn, placed })),
			);
		await checkProperty(
			'redact replaces exactly the placed forms of a generated secret',
			fc.property(secretCase, ({ secret, other, before, placed, between, after }) => {
				const marker = markerFor([other, secret]);
				const text = `${before}${placed.join(between)}${after}`;
				const expected = `${before}${placed.map(() => marker).join(between)}${after}`;
				expect(redact(text, [other, secret])).toBe(expected);
			}),
			1000,
		);
	});
});
