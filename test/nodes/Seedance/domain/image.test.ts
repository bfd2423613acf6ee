import { imageTypeOf } from '../../../../nodes/Seedance/domain/image';

const bytes = (...parts: Array<number[] | string>) =>
	Buffer.concat(
		parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
	);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('imageTypeOf: an image by its first bytes, not by a signature glued to something else', () => {
	it('knows real headers', () => {
		expect(imageTypeOf(bytes(PNG_SIGNATURE, [0, 0, 0, 13], 'IHDR', [0, 0, 0, 1, 0, 0, 0, 1]))).toBe(
			'image/png',
		);
		expect(
			imageTypeOf(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], 'JFIF', [0, 1, 1, 0, 0, 1, 0, 1, 0, 0])),
		).toBe('image/jpeg');
		expect(imageTypeOf(bytes('RIFF', [36, 0, 0, 0], 'WEBPVP8 ', [0, 0, 0, 0]))).toBe('image/webp');
		expect(
			imageTypeOf(
				bytes(
					'GIF89a',
					[1, 0, 1, 0, 0, 0, 0],
					',',
					[0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 1, 0],
					';',
				),
			),
		).toBe('image/gif');
	});

	it.each([
		[
			'a PNG signature followed by an HTML page',
			bytes(PNG_SIGNATURE, '<html><script>x</script></html>'),
		],
		['a JPEG start followed by text', bytes([0xff, 0xd8, 0xff], '<svg onload=alert(1)>')],
		['RIFF/WEBP without a VP8 chunk', bytes('RIFF', [36, 0, 0, 0], 'WEBP<html>...')],
	])('refuses %s', (_name, file) => {
		expect(imageTypeOf(file)).toBeNull();
	});
});
