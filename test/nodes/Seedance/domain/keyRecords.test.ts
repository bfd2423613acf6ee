import {
	charCandidates,
	keyDigest,
	markerCandidates,
	readMarkers,
	readTaskId,
	storable,
	taskEntries,
	claimEntry,
	lostEntry,
} from '../../../../nodes/Seedance/domain/keyRecords';
import { checkProperty, fc } from '../../../property';

const taskIdArb = fc.stringMatching(/^[A-Za-z0-9._:-]{1,200}$/);

/** What n8n's store answers: the asked entries it holds. */
const ask = (held: Set<string>, entries: string[]) =>
	new Set(entries.filter((entry) => held.has(entry)));

function readBack(held: Set<string>, key: string): string | undefined {
	const digest = keyDigest(key);
	const markers = readMarkers(digest, ask(held, markerCandidates(digest)));
	return readTaskId(digest, markers, ask(held, charCandidates(digest, markers.length)));
}

describe('Idempotency Key records', () => {
	it('any task ID written for a key reads back exactly, beside other keys', async () => {
		await checkProperty(
			'task ID round trip',
			fc.property(
				fc.uniqueArray(fc.tuple(fc.string({ minLength: 1 }), taskIdArb), {
					selector: ([key]) => key,
					maxLength: 6,
				}),
				(pairs) => {
					const held = new Set<string>();
					for (const [key, taskId] of pairs)
						for (const entry of [
							claimEntry(keyDigest(key)),
							...taskEntries(keyDigest(key), taskId),
						])
							held.add(entry);
					for (const [key, taskId] of pairs)
						if (readBack(held, key) !== taskId) throw new Error(`key ${key} lost ${taskId}`);
				},
			),
			300,
		);
	});

	it('a key never written reads as free; a claim alone has no task', () => {
		const held = new Set([claimEntry(keyDigest('a'))]);
		expect(readMarkers(keyDigest('b'), ask(held, markerCandidates(keyDigest('b'))))).toEqual({
			claimed: false,
			lost: false,
			length: 0,
			sum: 0,
		});
		expect(readBack(held, 'a')).toBeUndefined();
	});

	it('entries cut short (the store dropped the oldest) never read as another task ID', async () => {
		await checkProperty(
			'partial entries are refused',
			fc.property(taskIdArb, fc.nat(), (taskId, seed) => {
				const entries = taskEntries(keyDigest('k'), taskId);
				if (entries.length < 2) return;
				const kept = new Set(entries.filter((_, index) => index !== seed % entries.length));
				const read = readBack(kept, 'k');
				if (read !== undefined && read !== taskId) throw new Error(`read ${read} for ${taskId}`);
			}),
			300,
		);
	});

	it('only task IDs of the service alphabet up to 200 characters are storable', () => {
		expect(storable('n38abc_seedance')).toBe(true);
		expect(storable('a/b')).toBe(false);
		expect(storable('x'.repeat(200))).toBe(true);
		expect(storable('x'.repeat(201))).toBe(false);
		expect(storable('')).toBe(false);
	});

	it("a key's digest is 22 URL-safe characters, the same for the same key, and its entries name it", () => {
		// Entry names go into n8n's store as text: 22 base64url characters (132 bits of SHA-256).
		const digest = keyDigest('order-42');
		expect(digest).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(keyDigest('order-42')).toBe(digest);
		expect(keyDigest('order-43')).not.toBe(digest);
		expect(claimEntry(digest)).toContain(digest);
		expect(lostEntry(digest)).toContain(digest);
	});

	it('a lost answer is read for its own key only, apart from its claim', () => {
		const held = new Set([lostEntry(keyDigest('a'))]);
		expect(readMarkers(keyDigest('a'), ask(held, markerCandidates(keyDigest('a'))))).toEqual({
			claimed: false,
			lost: true,
			length: 0,
			sum: 0,
		});
		expect(readMarkers(keyDigest('b'), ask(held, markerCandidates(keyDigest('b')))).lost).toBe(
			false,
		);
	});

	it('bits that make no character of the alphabet never read as a task ID, whatever the checksum', () => {
		const digest = keyDigest('k');
		// The checksum of the text "undefined", beside one character whose 7 bits are all set (127).
		const { sum } = readMarkers(digest, new Set(taskEntries(digest, 'undefined')));
		const markers = { claimed: true, lost: false, length: 1, sum };
		expect(readTaskId(digest, markers, new Set(charCandidates(digest, 1)))).toBeUndefined();
	});
});
