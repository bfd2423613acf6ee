/** The one door for text leaving the node: errors, output, logs pass redact, quote or redactDeep. */
import { BoundedMap } from './boundedMemory';
import { CALLBACK_TOKEN_PARAMETER } from './callbackToken';

/** What stands in for a secret wherever the service echoes one back. */
export const REDACTED = '[redacted]';

/** Markers in order of preference: one that holds a piece of a secret would show that piece. */
const MARKERS = [REDACTED, '[hidden]', '***'];

/** The shortest run of a secret's characters that is replaced wherever it appears. */
export const RUN = 8;

/** Shorter secrets are not scrubbed: replacing a few common characters would garble text. */
const MIN_SECRET_LENGTH = 4;

/** Case-folds keeping each character's length (positions stay comparable); final sigma as sigma. */
function foldAll(text: string): string {
	const lower = text.toLowerCase();
	if (lower.length === text.length) return lower.replace(/ς/g, 'σ');
	let folded = '';
	for (const char of text) {
		const one = char.toLowerCase();
		folded += one.length === char.length ? one : char;
	}
	return folded.replace(/ς/g, 'σ');
}

/** A decoded, case-folded text: unit i came from the original span [start[i], end[i]). */
interface Reading {
	text: string;
	start?: Int32Array;
	end?: Int32Array;
}

/** UTF-16 units to a string, in slices small enough for `fromCharCode`'s argument list. */
function unitsToText(units: Uint16Array, length: number): string {
	const parts: string[] = [];
	for (let from = 0; from < length; from += 8192)
		parts.push(
			String.fromCharCode.apply(null, units.subarray(from, Math.min(length, from + 8192)) as never),
		);
	return parts.join('');
}

/** A reading decoded from another: `step` may decode an escape at each `trigger` character. */
function decodeReading(
	source: Reading,
	trigger: RegExp,
	step: (text: string, at: number) => { text: string; used: number } | null,
): Reading {
	const { text } = source;
	const units = new Uint16Array(text.length);
	const start = new Int32Array(text.length);
	const end = new Int32Array(text.length);
	let length = 0;
	const emit = (unit: number, from: number, to: number) => {
		units[length] = unit;
		start[length] = source.start ? source.start[from] : from;
		end[length] = source.end ? source.end[to] : to + 1;
		length++;
	};
	const search = new RegExp(trigger.source, 'g');
	for (let at = 0; at < text.length;) {
		search.lastIndex = at;
		const next = search.exec(text)?.index ?? text.length;
		for (; at < next; at++) emit(text.charCodeAt(at), at, at);
		if (at >= text.length) break;
		const decoded = step(text, at);
		const used = decoded?.used ?? 1;
		const out = decoded?.text ?? text[at];
		for (let unit = 0; unit < out.length; unit++) emit(out.charCodeAt(unit), at, at + used - 1);
		at += used;
	}
	return {
		text: unitsToText(units, length),
		start: start.subarray(0, length),
		end: end.subarray(0, length),
	};
}

const HEX2 = /^[0-9a-fA-F]{2}$/;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const JSON_ESCAPES: Record<string, string> = {
	'"': '"',
	'\\': '\\',
	'/': '/',
	b: '\b',
	f: '\f',
	n: '\n',
	r: '\r',
	t: '\t',
};

/** `\"`, `\\`, `\n`, `\u00e9`… as JSON (and JavaScript) strings write them. */
function jsonStep(text: string, at: number) {
	if (text[at] !== '\\') return null;
	const next = text[at + 1];
	if (next !== undefined && next in JSON_ESCAPES) return { text: JSON_ESCAPES[next], used: 2 };
	const hex = text.slice(at + 2, at + 6);
	if (next === 'u' && HEX4.test(hex))
		return { text: String.fromCharCode(parseInt(hex, 16)), used: 6 };
	return null;
}

/** One character written as `%XX` escapes of its UTF-8 bytes (and `+` for a space, if asked). */
function percentStep(plus: boolean) {
	const byteAt = (text: string, at: number) =>
		text[at] === '%' && HEX2.test(text.slice(at + 1, at + 3))
			? parseInt(text.slice(at + 1, at + 3), 16)
			: null;
	return (text: string, at: number) => {
		if (plus && text[at] === '+') return { text: ' ', used: 1 };
		const lead = byteAt(text, at);
		if (lead === null) return null;
		const size = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
		if (size === 0) return null;
		try {
			return { text: decodeURIComponent(text.slice(at, at + size * 3)), used: size * 3 };
		} catch {
			return null;
		}
	};
}

function folded(reading: Reading): Reading {
	return { ...reading, text: foldAll(reading.text) };
}

/**
 * The readings worth scanning: raw, and decoded where the text has something to decode (JSON
 * escapes only for secrets JSON escapes: an `aio_` key never is).
 */
function readingsOf(text: string, jsonEscaped: boolean): Reading[] {
	const raw: Reading = { text };
	const readings = [raw];
	const json = jsonEscaped && text.includes('\\') ? decodeReading(raw, /\\/, jsonStep) : null;
	if (json) readings.push(json);
	// `+` is a space in a form, itself anywhere else.
	for (const base of json ? [raw, json] : [raw]) {
		if (text.includes('%')) readings.push(decodeReading(base, /%/, percentStep(false)));
		if (text.includes('+')) readings.push(decodeReading(base, /[%+]/, percentStep(true)));
	}
	return readings.map(folded);
}

/** Pieces of secrets to look for, grouped by length (RUN, or a whole secret shorter than RUN). */
interface Pieces {
	groups: Map<number, { pieces: Set<string>; hashes: Set<number> }>;
	/** Whether JSON would escape a character of a secret (a control, `"`, `\\`, `/` or non-ASCII). */
	jsonEscaped: boolean;
	shortest: number;
	marker: string;
	/** Whether a piece could form anew across a marker: then redact until nothing changes. */
	again: boolean;
}

const BASE = 0x01000193;

/** A rolling hash of `size` units: Σ unit[k]·BASE^(size-1-k), modulo 2^32. */
function hashOf(text: string, from: number, size: number): number {
	let hash = 0;
	for (let index = from; index < from + size; index++)
		hash = (Math.imul(hash, BASE) + text.charCodeAt(index)) | 0;
	return hash;
}

const WHOLE = '\u0000whole:';

/** A secret replaced only whole, never by runs (a resume URL's path: `/webhook` is in every URL). */
export function wholeOnly(secret: string): string {
	return secret ? `${WHOLE}${secret}` : '';
}

function piecesOf(secrets: ReadonlyArray<string | undefined>): Pieces {
	const entries = secrets
		.filter((secret): secret is string => !!secret)
		.map((secret) =>
			secret.startsWith(WHOLE)
				? { secret: secret.slice(WHOLE.length), whole: true }
				: { secret, whole: false },
		);
	const kept = entries.filter(({ secret }) => secret.length >= MIN_SECRET_LENGTH);
	const groups: Pieces['groups'] = new Map();
	for (const { secret, whole } of kept) {
		for (const form of new Set([secret, secret.toLowerCase(), secret.toUpperCase()])) {
			const text = foldAll(form);
			const size = whole ? text.length : Math.min(RUN, text.length);
			const group = groups.get(size) ?? { pieces: new Set<string>(), hashes: new Set<number>() };
			groups.set(size, group);
			for (let index = 0; index + size <= text.length; index++) {
				group.pieces.add(text.slice(index, index + size));
				group.hashes.add(hashOf(text, index, size));
			}
		}
	}
	const pieces: Pieces = {
		groups,
		jsonEscaped: kept.some(({ secret }) => /[^ !#-.0-[\]-~]/.test(secret)),
		shortest: Math.min(...groups.keys()),
		marker: '',
		again: false,
	};
	pieces.marker = MARKERS.find((candidate) => !holdsPiece(candidate, pieces)) ?? '';
	// A piece can form anew across a marker only through the marker's first or last character.
	const edges = [pieces.marker[0], pieces.marker[pieces.marker.length - 1]];
	pieces.again = [...groups.values()].some((group) =>
		[...group.pieces].some((piece) => edges.some((edge) => edge && piece.includes(edge))),
	);
	return pieces;
}

/** The pieces of the last few sets of secrets: a connection redacts many texts with one set. */
const cache = new BoundedMap<string, Pieces>(16);

function cachedPiecesOf(secrets: ReadonlyArray<string | undefined>): Pieces {
	const key = JSON.stringify(secrets);
	const known = cache.get(key);
	if (known) return known;
	const pieces = piecesOf(secrets);
	cache.set(key, pieces);
	return pieces;
}

/** Marks characters in a piece of a secret: a rolling hash per length, compared on a hash hit. */
function markPieces(reading: Reading, pieces: Pieces, marked: Uint8Array): boolean {
	let found = false;
	const { text } = reading;
	for (const [size, group] of pieces.groups) {
		if (text.length < size) continue;
		let top = 1;
		for (let index = 1; index < size; index++) top = Math.imul(top, BASE);
		let hash = hashOf(text, 0, size);
		for (let index = 0; ; index++) {
			if (group.hashes.has(hash) && group.pieces.has(text.slice(index, index + size))) {
				const last = index + size - 1;
				marked.fill(1, reading.start?.[index] ?? index, reading.end?.[last] ?? last + 1);
				found = true;
			}
			if (index + size >= text.length) break;
			const out = Math.imul(text.charCodeAt(index), top);
			hash = (Math.imul((hash - out) | 0, BASE) + text.charCodeAt(index + size)) | 0;
		}
	}
	return found;
}

function holdsPiece(text: string, pieces: Pieces): boolean {
	return markPieces({ text: foldAll(text) }, pieces, new Uint8Array(text.length));
}

/** A token after its name: `=`, `=>` or `:` amid spaces and quotes; a marker is left alone. */
const NAMED_TOKEN = new RegExp(
	`${CALLBACK_TOKEN_PARAMETER}["'\\s]*(?::|=>?)[\\s"']*(?!\\[redacted\\]|\\[hidden\\]|\\*\\*\\*)([^\\s"'&#,;{}\\]<>\\\\|]+)`,
	'g',
);

/** The name with each character raw, `%XX` (also `%25XX`…) or `\\u00XX` (also percent-encoded). */
const ENCODED_NAME = new RegExp(
	Array.from(CALLBACK_TOKEN_PARAMETER, (char) => {
		const hex = [...new Set([char.toLowerCase(), char.toUpperCase()])]
			.map((form) => form.charCodeAt(0).toString(16))
			.join('|');
		// A run of backslashes is matched from its first only: from each of them it backtracked (n²).
		return `(?:${char}|%(?:25)*(?:${hex})|(?:(?<!\\\\)\\\\+|%(?:25)*5c)u00(?:${hex}))`;
	}).join(''),
	'i',
);

/** Decodings a token's name and value may hide behind: JSON escapes, `%XX` (and `+`), nested. */
function tokenReadingsOf(text: string): Reading[] {
	const readings: Reading[] = [{ text }];
	const seen = new Set([text]);
	for (let level = readings.slice(); level.length > 0 && readings.length < 32;) {
		const next: Reading[] = [];
		for (const reading of level)
			next.push(
				decodeReading(reading, /\\/, jsonStep),
				decodeReading(reading, /[%+]/, percentStep(true)),
				decodeReading(reading, /%/, percentStep(false)),
			);
		level = next.filter((reading) => !seen.has(reading.text) && seen.add(reading.text));
		readings.push(...level);
	}
	return readings.map(folded);
}

function markNamedTokens(text: string, marked: Uint8Array): boolean {
	// One cheap scan first: no decoding unless the name is there in some form.
	if (!ENCODED_NAME.test(text)) return false;
	let found = false;
	for (const reading of tokenReadingsOf(text)) {
		for (const match of reading.text.matchAll(NAMED_TOKEN)) {
			const first = (match.index ?? 0) + match[0].length - match[1].length;
			const last = (match.index ?? 0) + match[0].length - 1;
			marked.fill(1, reading.start?.[first] ?? first, reading.end?.[last] ?? last + 1);
			found = true;
		}
	}
	return found;
}

/** Whether a JSON key is the token's parameter name (in any case or encoding). */
function namesToken(key: string): boolean {
	const name = new RegExp(`^["'\\s]*${CALLBACK_TOKEN_PARAMETER}["'\\s]*$`);
	return ENCODED_NAME.test(key) && tokenReadingsOf(key).some((reading) => name.test(reading.text));
}

function redactOnce(text: string, pieces: Pieces, marker: string): string {
	const marked = new Uint8Array(text.length);
	let found = markNamedTokens(text, marked);
	if (pieces.groups.size > 0 && text.length >= pieces.shortest)
		for (const reading of readingsOf(text, pieces.jsonEscaped))
			found = markPieces(reading, pieces, marked) || found;
	if (!found) return text;
	const parts: string[] = [];
	for (let index = 0; index < text.length;) {
		const inside = marked[index];
		let end = index;
		while (end < text.length && marked[end] === inside) end++;
		parts.push(inside ? marker : text.slice(index, end));
		index = end;
	}
	return parts.join('');
}

/** The text with every secret, in any form, and every run of RUN of its characters replaced. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
	if (text === '') return text;
	const pieces = cachedPiecesOf(secrets);
	let clean = redactOnce(text, pieces, pieces.marker);
	for (let pass = 0; pieces.again && pass < 3; pass++) {
		const next = redactOnce(clean, pieces, pieces.marker);
		if (next === clean) break;
		clean = next;
	}
	return clean;
}

/** Text to quote: redacted, then cut (a cut piece of a secret could go unrecognised). */
export function quote(
	text: string,
	secrets: ReadonlyArray<string | undefined>,
	maxChars: number,
): string {
	const clean = redact(text, secrets);
	return clean.length > maxChars ? `${clean.slice(0, maxChars)}…` : clean;
}

function redactValue(value: unknown, secrets: ReadonlyArray<string | undefined>): unknown {
	if (typeof value === 'string') return redact(value, secrets);
	if (Array.isArray(value)) return value.map((inner) => redactValue(inner, secrets));
	if (typeof value !== 'object' || value === null) return value;
	const copy: Record<string, unknown> = {};
	for (const [key, inner] of Object.entries(value))
		copy[redact(key, secrets)] =
			// `{"seedance_token": "…"}`: a token whatever it holds, never checked against the key alone.
			namesToken(key) && inner !== null && typeof inner !== 'boolean' && !isMarker(inner)
				? cachedPiecesOf(secrets).marker || REDACTED
				: redactValue(inner, secrets);
	return copy;
}

const isMarker = (value: unknown) => typeof value === 'string' && MARKERS.includes(value);

/** A JSON copy with every string, keys included, redacted on its own (the JSON stays valid). */
export function redactDeep<T>(value: T, secrets: ReadonlyArray<string | undefined>): T {
	const text = JSON.stringify(value);
	if (text === undefined) return value;
	return redactValue(JSON.parse(text), secrets) as T;
}
