import { MAX_IMAGE_SIDE, imageTypeOf, readImage } from '../../../../nodes/Seedance/domain/image';
import { checkProperty, fc } from '../../../property';
import { IMAGES } from './images';

const bytes = (...parts: Array<number[] | string | Buffer>) =>
	Buffer.concat(
		parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
	);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const samples = Object.entries(IMAGES);
/** How many first bytes make each type's claim. */
const MAGIC: Record<string, number> = {
	'image/jpeg': 3,
	'image/png': 8,
	'image/webp': 12,
	'image/gif': 6,
};
const HTML = '<!doctype html><html><body><h1>Not found</h1></body></html>';

describe('readImage: a whole image of the type its first bytes claim, with its dimensions', () => {
	it.each(samples)('reads the %s sample with its type and size', (_name, sample) => {
		expect(readImage(sample.bytes)).toEqual({
			ok: true,
			mimeType: sample.mimeType,
			width: sample.width,
			height: sample.height,
		});
		expect(imageTypeOf(sample.bytes)).toBe(sample.mimeType);
	});

	it.each([
		[
			'a PNG signature and IHDR followed by an HTML page',
			bytes(IMAGES.png.bytes.subarray(0, 33), HTML),
			'its',
		],
		['a PNG signature followed by an HTML page', bytes(PNG_SIGNATURE, HTML), 'chunk'],
		[
			'a JPEG start followed by text',
			bytes([0xff, 0xd8, 0xff], '<svg onload=alert(1)>'),
			'segment',
		],
		['RIFF/WEBP without a VP8 chunk', bytes('RIFF', [36, 0, 0, 0], 'WEBP<html>...'), 'RIFF'],
		['a GIF header and nothing else', bytes('GIF89a', [1, 0, 1, 0, 0, 0, 0]), 'cut off'],
		['a PNG of 0 x 1 pixels', pngWithSize(0, 1), '0 x 1 pixels'],
		['a PNG of 70000 x 1 pixels', pngWithSize(70_000, 1), `more than ${MAX_IMAGE_SIDE}`],
		['a GIF whose logical screen is 0 x 0', gifWithScreen(0, 0), '0 x 0 pixels'],
	])('refuses %s', (_name, file, reason) => {
		const reading = readImage(file);
		expect(reading.ok).toBe(false);
		expect(reading.ok ? '' : reading.reason).toContain(reason);
		expect(imageTypeOf(file)).toBeNull();
	});

	it('refuses every truncation of every sample, down to its first byte', () => {
		for (const [name, sample] of samples)
			for (let length = 0; length < sample.bytes.length; length++)
				expect([name, length, readImage(sample.bytes.subarray(0, length)).ok]).toEqual([
					name,
					length,
					false,
				]);
	});

	it('any sample cut after its magic bytes and followed by text (an HTML page) is refused, naming the type it claimed', async () => {
		await checkProperty(
			'truncated images followed by text',
			fc.property(
				fc.constantFrom(...samples),
				fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
				fc.oneof(fc.constant(''), fc.constant(HTML), fc.string({ minLength: 1, maxLength: 80 })),
				([, sample], where, text) => {
					const magic = MAGIC[sample.mimeType];
					const cut = magic + Math.floor(where * (sample.bytes.length - magic));
					const tail = text && !text.startsWith('<') ? `<${text}` : text;
					// A WebP's frame data is not decoded: only text of another length than what it replaces
					// is known not to be an image.
					fc.pre(sample.mimeType !== 'image/webp' || cut + tail.length !== sample.bytes.length);
					const reading = readImage(bytes(sample.bytes.subarray(0, cut), tail));
					expect(reading).toMatchObject({ ok: false, claimed: sample.mimeType });
				},
			),
			1000,
		);
	});

	it('any single byte of a PNG changed after its signature is refused (its chunks carry checksums)', async () => {
		await checkProperty(
			'garbled PNGs',
			fc.property(
				fc.integer({ min: 8, max: IMAGES.png.bytes.length - 1 }),
				fc.integer({ min: 1, max: 255 }),
				(at, change) => {
					const garbled = Buffer.from(IMAGES.png.bytes);
					garbled[at] ^= change;
					expect(readImage(garbled)).toMatchObject({ ok: false, claimed: 'image/png' });
				},
			),
			1000,
		);
	});

	it('any bytes at all after any magic: read without throwing, and a size in range when taken', async () => {
		await checkProperty(
			'random bytes after magic',
			fc.property(
				fc.constantFrom(...samples),
				fc.integer({ min: 0, max: 64 }),
				fc.uint8Array({ maxLength: 600 }),
				([, sample], keep, noise) => {
					const file = bytes(
						sample.bytes.subarray(0, MAGIC[sample.mimeType] + keep),
						Buffer.from(noise),
					);
					const reading = readImage(file);
					if (reading.ok) {
						expect(reading.width).toBeGreaterThanOrEqual(1);
						expect(reading.height).toBeLessThanOrEqual(MAX_IMAGE_SIDE);
					}
				},
			),
			2000,
		);
	});
});

/** The PNG sample with another size in its IHDR (and the checksum made right again). */
function pngWithSize(width: number, height: number): Buffer {
	const png = Buffer.from(IMAGES.png.bytes);
	png.writeUInt32BE(width, 16);
	png.writeUInt32BE(height, 20);
	png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
	return png;
}

function gifWithScreen(width: number, height: number): Buffer {
	const gif = Buffer.from(IMAGES.gif.bytes);
	gif.writeUInt16LE(width, 6);
	gif.writeUInt16LE(height, 8);
	return gif;
}

function crc32(data: Buffer): number {
	let c = 0xffffffff;
	for (const byte of data) {
		c ^= byte;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	}
	return (c ^ 0xffffffff) >>> 0;
}
