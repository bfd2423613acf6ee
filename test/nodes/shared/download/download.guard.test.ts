/**
 * The guard on a download stream's `push`, on a real Node stream: bytes that reached the stream
 * before the guard went on (a socket may deliver a small file with its headers) are checked like
 * the rest. n8n-core's own streams deliver none early in these tests, so this path is tested here.
 */
import { SAMPLE_MP4 } from '../../../emulator/server';
import { bodyWith, guarded, readAll } from './guardBodies';

const HTML = Buffer.from('<html><body>Link expired</body></html>');

describe('the download guard: bytes that came before it', () => {
	it('a whole video that had arrived is judged and put back for n8n to read', async () => {
		const stream = bodyWith(SAMPLE_MP4, true);
		const found = guarded(stream);
		expect(found).toEqual({ ended: true });
		expect(await readAll(stream)).toEqual({ bytes: SAMPLE_MP4 });
	});

	it('a body that had ended empty is refused: n8n 1.x hands it over with nothing buffered', async () => {
		const stream = bodyWith(Buffer.alloc(0), true);
		await new Promise((resolve) => setImmediate(resolve));
		expect(stream.readableLength).toBe(0);
		const found = guarded(stream);
		expect(found.refusal?.constructor.name).toBe('NotAVideo');
		expect(found.refusal?.message).toContain('0 bytes, too few for a video');
		expect(found.ended).toBe(false);
	});

	it('a whole video of exactly the limit is taken', async () => {
		const stream = bodyWith(SAMPLE_MP4, true);
		expect(guarded(stream, SAMPLE_MP4.length)).toEqual({ ended: true });
		expect(await readAll(stream)).toEqual({ bytes: SAMPLE_MP4 });
	});

	it('a whole body that is a cut video is judged at its end: refused, nothing read', async () => {
		const stream = bodyWith(SAMPLE_MP4.subarray(0, SAMPLE_MP4.length - 10), true);
		const found = guarded(stream);
		expect(found.refusal?.message).toContain('a cut file');
		expect(found.ended).toBe(false);
		expect((await readAll(stream)).bytes).toHaveLength(0);
	});

	it('a whole page that is not a video is refused, nothing read', async () => {
		const stream = bodyWith(HTML, true);
		const found = guarded(stream);
		expect(found.refusal?.constructor.name).toBe('NotAVideo');
		expect(found.refusal?.message).toContain('bytes that are not a video');
		expect(found.ended).toBe(false);
		expect((await readAll(stream)).bytes).toHaveLength(0);
	});

	it('a whole video larger than the limit is refused by its size', async () => {
		const stream = bodyWith(SAMPLE_MP4, true);
		const found = guarded(stream, SAMPLE_MP4.length - 1);
		expect(found.refusal).toMatchObject({ size: 'more than 0 MB' });
		expect(found.ended).toBe(false);
		expect((await readAll(stream)).bytes).toHaveLength(0);
	});

	it('a video whose own header declares more than the limit is refused by it', async () => {
		// An ftyp box, then an mdat box declaring 5,000,000 bytes: past a 1 MB limit.
		const start = Buffer.alloc(32);
		start.writeUInt32BE(24);
		start.write('ftypisom', 4, 'latin1');
		start.writeUInt32BE(5_000_000, 24);
		start.write('mdat', 28, 'latin1');
		const stream = bodyWith(start, false);
		const found = guarded(stream, 1024 * 1024);
		expect(found.refusal).toMatchObject({ size: '5000024 bytes by its own header' });
		expect((await readAll(stream)).bytes).toHaveLength(0);
	});

	it('the start of a video, the rest arriving after: all of it is read, in order', async () => {
		const stream = bodyWith(SAMPLE_MP4.subarray(0, 5), false);
		const found = guarded(stream);
		const reading = readAll(stream);
		for (let at = 5; at < SAMPLE_MP4.length; at += 100)
			stream.push(SAMPLE_MP4.subarray(at, at + 100));
		stream.push(null);
		expect(await reading).toEqual({ bytes: SAMPLE_MP4 });
		expect(found).toEqual({ ended: true });
	});

	it('the start of a page, the rest arriving after: refused once it is known, nothing read', async () => {
		const stream = bodyWith(HTML.subarray(0, 3), false);
		const found = guarded(stream);
		const reading = readAll(stream);
		stream.push(HTML.subarray(3));
		const { bytes, error } = await reading;
		expect(bytes).toHaveLength(0);
		expect(error?.constructor.name).toBe('NotAVideo');
		expect(found.refusal).toBe(error);
		expect(stream.push(Buffer.from('more'))).toBe(false);
	});

	it('bytes past the limit after the guard went on are refused as they arrive', async () => {
		const stream = bodyWith(Buffer.alloc(0), false);
		const found = guarded(stream, 1000);
		const reading = readAll(stream);
		stream.push(SAMPLE_MP4.subarray(0, 600));
		// The push that passes the limit is refused: the stream is told to send no more.
		expect(stream.push(SAMPLE_MP4.subarray(600, 1200))).toBe(false);
		const { error } = await reading;
		expect(error).toMatchObject({ size: 'more than 0 MB' });
		expect(found.refusal).toBe(error);
	});
});
