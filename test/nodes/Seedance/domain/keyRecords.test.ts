import {
	charCandidates,
	keyDigest,
	markerCandidates,
	readMarkers,
	readTaskId,
	storable,
	taskEntries,
	claimEntry,
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
		expect(storable('x'.repeat(201))).toBe(false);
		expect(storable('')).toBe(false);
	});
});
