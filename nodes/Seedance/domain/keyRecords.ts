import { createHash } from 'node:crypto';

// Keys live in n8n's deduplication store, which only answers "seen before?": a task ID as bits.

/** Longest Idempotency Key accepted (characters). */
export const MAX_KEY_LENGTH = 1000;

/** Longest task ID a key can remember (8 bits of length); the service's are about 20 characters. */
export const MAX_STORED_TASK_ID = 200;

/** The characters a task ID may hold (the rule of `checkTaskId`), 7 bits each. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-';
const CHAR_BITS = 7;
const LENGTH_BITS = 8;
const SUM_BITS = 24;

/** What the first question tells of a key. */
export interface KeyMarkers {
	claimed: boolean;
	lost: boolean;
	length: number;
	sum: number;
}

export const keyDigest = (key: string) =>
	createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 22);

export const claimEntry = (digest: string) => `seedance:${digest}:claim`;
export const lostEntry = (digest: string) => `seedance:${digest}:lost`;
const bitEntries = (prefix: string, bits: number) =>
	Array.from({ length: bits }, (_, bit) => `${prefix}${bit}`);
const lengthPrefix = (digest: string) => `seedance:${digest}:n`;
const sumPrefix = (digest: string) => `seedance:${digest}:s`;
const charPrefix = (digest: string, position: number) => `seedance:${digest}:${position}.`;

const checksum = (taskId: string) =>
	createHash('sha256').update(taskId, 'utf8').digest().readUIntBE(0, 3);

const setBits = (prefix: string, bits: number, value: number) =>
	bitEntries(prefix, bits).filter((_, bit) => (value >> bit) & 1);

const valueOf = (prefix: string, bits: number, seen: ReadonlySet<string>) =>
	bitEntries(prefix, bits).reduce(
		(value, entry, bit) => value | (seen.has(entry) ? 1 << bit : 0),
		0,
	);

/** Whether a task ID can be written as entries (else the key is kept as paid, task unknown). */
export const storable = (taskId: string) =>
	taskId.length > 0 &&
	taskId.length <= MAX_STORED_TASK_ID &&
	[...taskId].every((char) => ALPHABET.includes(char));

/** The entries that remember `taskId` for a key (its claim stays as the "used" marker). */
export function taskEntries(digest: string, taskId: string): string[] {
	return [
		...setBits(lengthPrefix(digest), LENGTH_BITS, taskId.length),
		...setBits(sumPrefix(digest), SUM_BITS, checksum(taskId)),
		...[...taskId].flatMap((char, position) =>
			setBits(charPrefix(digest, position), CHAR_BITS, ALPHABET.indexOf(char)),
		),
	];
}

/** First question about a key: its claim, a lost answer, the length and checksum of its task. */
export const markerCandidates = (digest: string) => [
	claimEntry(digest),
	lostEntry(digest),
	...bitEntries(lengthPrefix(digest), LENGTH_BITS),
	...bitEntries(sumPrefix(digest), SUM_BITS),
];

export const readMarkers = (digest: string, seen: ReadonlySet<string>): KeyMarkers => ({
	claimed: seen.has(claimEntry(digest)),
	lost: seen.has(lostEntry(digest)),
	length: valueOf(lengthPrefix(digest), LENGTH_BITS, seen),
	sum: valueOf(sumPrefix(digest), SUM_BITS, seen),
});

/** Second question: every bit of every character of a task ID of `length`. */
export const charCandidates = (digest: string, length: number) =>
	Array.from({ length }, (_, position) =>
		bitEntries(charPrefix(digest, position), CHAR_BITS),
	).flat();

/** The task ID read back; undefined when its bits do not make one that matches its checksum. */
export function readTaskId(
	digest: string,
	markers: KeyMarkers,
	seen: ReadonlySet<string>,
): string | undefined {
	let taskId = '';
	for (let position = 0; position < markers.length; position++) {
		const char = ALPHABET[valueOf(charPrefix(digest, position), CHAR_BITS, seen)];
		if (char === undefined) return undefined;
		taskId += char;
	}
	return taskId && checksum(taskId) === markers.sum ? taskId : undefined;
}
