/** Image formats the service takes as a reference image, recognised by their first bytes. */
const SIGNATURES: ReadonlyArray<{ mimeType: string; matches: (bytes: Uint8Array) => boolean }> = [
	{ mimeType: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
	{
		mimeType: 'image/png',
		matches: (b) =>
			[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, index) => b[index] === byte),
	},
	{
		mimeType: 'image/webp',
		matches: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP',
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
	if (bytes.length < 12) return null;
	return SIGNATURES.find((signature) => signature.matches(bytes))?.mimeType ?? null;
}
