/** Image formats the service takes as a reference image, recognised by their first bytes. */
const SIGNATURES: ReadonlyArray<{ mimeType: string; matches: (bytes: Uint8Array) => boolean }> = [
	// Start of image, then a marker (0xC0-0xFE): a signature glued to text is not a JPEG.
	{
		mimeType: 'image/jpeg',
		matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff && b[3] >= 0xc0 && b[3] < 0xff,
	},
	// The PNG signature, then the IHDR chunk every PNG starts with.
	{
		mimeType: 'image/png',
		matches: (b) =>
			[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, index) => b[index] === byte) &&
			ascii(b, 12, 16) === 'IHDR',
	},
	{
		mimeType: 'image/webp',
		matches: (b) =>
			ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP' && ascii(b, 12, 15) === 'VP8',
	},
	{ mimeType: 'image/gif', matches: (b) => /^GIF8[79]a$/.test(ascii(b, 0, 6)) },
];

function ascii(bytes: Uint8Array, start: number, end: number): string {
	return String.fromCharCode(...bytes.subarray(start, end));
}

/**
 * The image type the bytes really are, or null. A file's label (its MIME type or name) is a claim:
 * an HTML page labelled image/png must not be sent (and paid for) as the reference image.
 */
export function imageTypeOf(bytes: Uint8Array): string | null {
	if (bytes.length < 16) return null;
	return SIGNATURES.find((signature) => signature.matches(bytes))?.mimeType ?? null;
}
