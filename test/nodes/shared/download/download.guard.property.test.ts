/**
 * Generated deliveries through the download guard, on a real Node stream: a body whose first
 * bytes (or all of it, ended or empty) arrived before the guard went on, the rest in chunks after.
 * However a body arrives, the guard takes or refuses it as it does the same bytes all arriving
 * after it, a video is read whole and in order, and a refused body never reaches n8n whole.
 */
import { SAMPLE_MP4 } from '../../../emulator/server';
import { checkProperty, fc } from '../../../property';
import { bodyWith, guarded, readAll } from './guardBodies';

/** The sample followed by a "free" box of `extra` bytes: a valid MP4 too. */
function sampleWithFree(extra: number): Buffer {
	const free = Buffer.alloc(8 + extra);
	free.writeUInt32BE(free.length);
	free.write('free', 4, 'latin1');
	return Buffer.concat([SAMPLE_MP4, free]);
}

type Body = { bytes: Buffer; video: boolean | 'unknown' };

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
	fc.constant({ bytes: SAMPLE_MP4, video: true }),
	fc.nat(5000).map((extra) => ({ bytes: sampleWithFree(extra), video: true as const })),
	// A cut may end on a box boundary: only the guard's own verdict on late bytes is the oracle.
	fc
		.integer({ min: 1, max: SAMPLE_MP4.length - 1 })
		.map((end) => ({ bytes: SAMPLE_MP4.subarray(0, end), video: 'unknown' as const })),
	fc.constant({ bytes: Buffer.from('<html><body>Link expired</body></html>'), video: false }),
	fc.constant({ bytes: Buffer.alloc(0), video: false }),
	fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((raw) => ({
		bytes: Buffer.from(raw),
		video: false as const,
	})),
);

const caseArb = bodyArb.chain((body) =>
	fc.record({
		body: fc.constant(body),
		// How many bytes came before the guard; all of them with the end, or only a start.
		early: fc.integer({ min: 0, max: body.bytes.length }),
		endedEarly: fc.boolean(),
		chunkBytes: fc.integer({ min: 1, max: 4096 }),
		// A limit around the body's size, or far from it.
		limit: fc.oneof(
			fc.integer({ min: Math.max(0, body.bytes.length - 2), max: body.bytes.length + 2 }),
			fc.integer({ min: 1, max: 1_000_000 }),
		),
	}),
);

type Verdict = { refusal?: string; read: Buffer };

/** Delivers `bytes`: `early` of them (with the end when `endedEarly`) before the guard, the rest after. */
async function deliver(
	bytes: Buffer,
	{ early, endedEarly, chunkBytes }: { early: number; endedEarly: boolean; chunkBytes: number },
	limit: number,
): Promise<Verdict> {
	const first = endedEarly ? bytes.length : early;
	const stream = bodyWith(bytes.subarray(0, first), endedEarly);
	const found = guarded(stream, limit);
	const reading = readAll(stream);
	if (!endedEarly) {
		for (let at = first; at < bytes.length; at += chunkBytes)
			stream.push(bytes.subarray(at, at + chunkBytes));
		stream.push(null);
	}
	return { refusal: found.refusal?.constructor.name, read: (await reading).bytes };
}

it('a body judged before the guard, whole or in part, gets the verdict its bytes get after it', async () => {
	await checkProperty(
		'download guard: early or late, one verdict; a video read whole; a refusal never whole',
		fc.asyncProperty(caseArb, async ({ body, early, endedEarly, chunkBytes, limit }) => {
			const late = await deliver(body.bytes, { early: 0, endedEarly: false, chunkBytes }, limit);
			const found = await deliver(body.bytes, { early, endedEarly, chunkBytes }, limit);
			// Refused or taken alike; the reason may differ (a page past the limit is refused by
			// whichever of its size or its first bytes the guard sees first).
			expect(found.refusal === undefined).toBe(late.refusal === undefined);
			if (body.video !== 'unknown') {
				const taken = body.video && body.bytes.length <= limit;
				expect(found.refusal === undefined).toBe(taken);
			}
			if (found.refusal === undefined) expect(found.read.equals(body.bytes)).toBe(true);
			else {
				// What n8n read of a refused body is a start of it, never all of it.
				expect(body.bytes.subarray(0, found.read.length).equals(found.read)).toBe(true);
				if (body.bytes.length > 0) expect(found.read.length).toBeLessThan(body.bytes.length);
				// A body that had all arrived is refused before n8n reads any of it.
				if (endedEarly) expect(found.read).toHaveLength(0);
			}
		}),
		300,
	);
});
