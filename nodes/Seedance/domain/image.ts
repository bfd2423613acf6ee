// Images are judged by structure, as the service's decoder reads them: a label or magic is a claim.

/** Largest side taken: the most JPEG and GIF can state, far above any reference image. */
export const MAX_IMAGE_SIDE = 65_535;

export interface ImageInfo {
	mimeType: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';
	width: number;
	height: number;
}

export type ImageReading =
	| ({ ok: true } & ImageInfo)
	| {
			ok: false;
			claimed: ImageInfo['mimeType'] | null;
			reason: string;
	  };

class NotThatImage extends Error {}

function refuse(reason: string): never {
	throw new NotThatImage(reason);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
	return String.fromCharCode(...bytes.subarray(start, end));
}

const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u32be = (b: Uint8Array, at: number) =>
	((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u24le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
const u32le = (b: Uint8Array, at: number) =>
	(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

function sides(width: number, height: number): { width: number; height: number } {
	if (width < 1 || height < 1) refuse(`it states a size of ${width} x ${height} pixels`);
	if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
		refuse(`it states ${width} x ${height} pixels, more than ${MAX_IMAGE_SIDE} on a side`);
	return { width, height };
}

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
	let c = 0xffffffff;
	for (let at = start; at < end; at++) c = CRC_TABLE[(c ^ bytes[at]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

const PNG_DEPTHS: Record<number, number[]> = {
	0: [1, 2, 4, 8, 16],
	2: [8, 16],
	3: [1, 2, 4, 8],
	4: [8, 16],
	6: [8, 16],
};

/** Chunks from the signature to IEND, each whole and matching its checksum; IHDR first, IDAT in between. */
function readPng(b: Uint8Array) {
	let at = 8;
	let size: { width: number; height: number } | undefined;
	let imageData = false;
	for (;;) {
		if (at + 12 > b.length) refuse('it ends before its IEND chunk: the file is cut off');
		const length = u32be(b, at);
		const type = ascii(b, at + 4, at + 8);
		if (!/^[A-Za-z]{4}$/.test(type)) refuse('a chunk has no valid name');
		if (length > 0x7fffffff || at + 12 + length > b.length)
			refuse(`its ${type} chunk runs past the end of the file`);
		if (crc32(b, at + 4, at + 8 + length) !== u32be(b, at + 8 + length))
			refuse(`its ${type} chunk is damaged (wrong checksum)`);
		if (!size) {
			if (type !== 'IHDR' || length !== 13) refuse('it does not start with an IHDR header');
			const [depth, colour, compression, filter, interlace] = b.subarray(at + 16, at + 21);
			if (!PNG_DEPTHS[colour]?.includes(depth) || compression || filter || interlace > 1)
				refuse('its IHDR header holds values no PNG has');
			size = sides(u32be(b, at + 8), u32be(b, at + 12));
		} else if (type === 'IHDR') refuse('it has a second IHDR header');
		if (type === 'IDAT') imageData = true;
		if (type === 'IEND') {
			if (!imageData) refuse('it holds no image data (IDAT)');
			return size;
		}
		at += 12 + length;
	}
}

/** Start-of-frame markers, which state the dimensions (C4, C8 and CC are other segments). */
const isFrameHeader = (marker: number) =>
	marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** Segments from SOI to the first scan, a frame header (SOF) with dimensions among them, and an EOI after the scan. */
function readJpeg(b: Uint8Array) {
	let at = 2;
	let size: { width: number; height: number } | undefined;
	for (;;) {
		if (at + 4 > b.length) refuse('it ends before its image data: the file is cut off');
		if (b[at] !== 0xff) refuse('a segment does not start with a marker');
		let marker = b[at + 1];
		// Any number of 0xFF may pad before a marker.
		while (marker === 0xff && at + 2 < b.length) marker = b[++at + 1];
		if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
			at += 2;
			continue;
		}
		if (marker === 0x00 || marker === 0xd8 || marker === 0xd9)
			refuse('a marker stands where a segment should');
		const length = u16be(b, at + 2);
		if (length < 2 || at + 2 + length > b.length) refuse('a segment runs past the end of the file');
		if (isFrameHeader(marker)) {
			const components = b[at + 9];
			if (length !== 8 + 3 * components || components < 1 || components > 4)
				refuse('its frame header (SOF) is malformed');
			size = sides(u16be(b, at + 7), u16be(b, at + 5));
		}
		if (marker === 0xda) {
			if (!size) refuse('it has no frame header (SOF) with its dimensions');
			for (let end = b.length - 2; end >= at + 2 + length; end--)
				if (b[end] === 0xff && b[end + 1] === 0xd9) return size;
			refuse('it ends without its end marker (EOI): the file is cut off');
		}
		at += 2 + length;
	}
}

function webpFrame(b: Uint8Array, type: string, at: number, length: number) {
	if (type === 'VP8 ') {
		// A key frame tag (3 bytes, bit 0 clear), the start code 9D 01 2A, then 14-bit sides.
		if (length < 10 || b[at] & 1 || b[at + 3] !== 0x9d || b[at + 4] !== 0x01 || b[at + 5] !== 0x2a)
			refuse('its VP8 frame header is malformed');
		return sides(u16le(b, at + 6) & 0x3fff, u16le(b, at + 8) & 0x3fff);
	}
	// The signature 2F, then 14 bits width-1, 14 bits height-1, 1 bit alpha, a 3-bit version 0.
	const bits = u32le(b, at + 1);
	if (length < 5 || b[at] !== 0x2f || bits >>> 29 !== 0)
		refuse('its VP8L frame header is malformed');
	return sides((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
}

/** A RIFF container exactly as long as it says, of chunks that fit it: a frame, or VP8X and a frame. */
function readWebp(b: Uint8Array) {
	const end = u32le(b, 4) + 8;
	if (end > b.length) refuse('it is shorter than its RIFF header says: the file is cut off');
	if (end < b.length) refuse('bytes follow the end its RIFF header states');
	let size: { width: number; height: number } | undefined;
	let extended = false;
	let frames = 0;
	for (let at = 12; at < end;) {
		if (at + 8 > end) refuse('a chunk header runs past the end of the file');
		const type = ascii(b, at, at + 4);
		const length = u32le(b, at + 4);
		if (at + 8 + length > end) refuse(`its ${type} chunk runs past the end of the file`);
		if (at === 12) {
			extended = type === 'VP8X';
			if (extended) {
				if (length < 10) refuse('its VP8X header is malformed');
				size = sides(u24le(b, at + 12) + 1, u24le(b, at + 15) + 1);
			} else if (type !== 'VP8 ' && type !== 'VP8L') refuse('it does not start with a VP8 frame');
		}
		if (type === 'VP8 ' || type === 'VP8L') {
			const frame = webpFrame(b, type, at + 8, length);
			size ??= frame;
			frames++;
		}
		if (type === 'ANMF') frames++;
		at += 8 + length + (length % 2);
	}
	if (!size || frames === 0) refuse('it holds no image frame');
	return size;
}

/** Skips a GIF's data sub-blocks (a size byte, that many bytes, until a size 0); -1 when cut off. */
function afterSubBlocks(b: Uint8Array, at: number): number {
	while (at < b.length) {
		const length = b[at++];
		if (length === 0) return at;
		at += length;
	}
	return -1;
}

/** The logical screen, its colour table, then extensions and images until the trailer (3B). */
function readGif(b: Uint8Array) {
	if (b.length < 14) refuse('it ends inside its header: the file is cut off');
	const size = sides(u16le(b, 6), u16le(b, 8));
	let at = 13 + (b[10] & 0x80 ? 3 * (2 << (b[10] & 7)) : 0);
	let images = 0;
	for (;;) {
		if (at < 0 || at >= b.length) refuse('it ends before its trailer: the file is cut off');
		const block = b[at];
		if (block === 0x3b) {
			if (images === 0) refuse('it holds no image');
			return size;
		}
		if (block === 0x21) {
			at = afterSubBlocks(b, at + 2);
			continue;
		}
		if (block !== 0x2c) refuse('a block of an unknown kind follows its header');
		if (at + 11 > b.length) refuse('it ends inside an image descriptor: the file is cut off');
		sides(u16le(b, at + 5), u16le(b, at + 7));
		const packed = b[at + 9];
		at += 10 + (packed & 0x80 ? 3 * (2 << (packed & 7)) : 0);
		const codeSize = b[at];
		if (!(codeSize >= 1 && codeSize <= 12)) refuse('an image has no valid LZW code size');
		at = afterSubBlocks(b, at + 1);
		images++;
	}
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const FORMATS: ReadonlyArray<{
	mimeType: ImageInfo['mimeType'];
	claims: (bytes: Uint8Array) => boolean;
	read: (bytes: Uint8Array) => { width: number; height: number };
}> = [
	{
		mimeType: 'image/jpeg',
		claims: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
		read: readJpeg,
	},
	{
		mimeType: 'image/png',
		claims: (b) => PNG_SIGNATURE.every((byte, index) => b[index] === byte),
		read: readPng,
	},
	{
		mimeType: 'image/webp',
		claims: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP',
		read: readWebp,
	},
	{ mimeType: 'image/gif', claims: (b) => /^GIF8[79]a$/.test(ascii(b, 0, 6)), read: readGif },
];

/** Reads an image as the service would: the type its first bytes claim, its header and its end. */
export function readImage(bytes: Uint8Array): ImageReading {
	const format = FORMATS.find(({ claims }) => claims(bytes));
	if (!format)
		return { ok: false, claimed: null, reason: 'its first bytes are no JPEG, PNG, WebP or GIF' };
	try {
		return { ok: true, mimeType: format.mimeType, ...format.read(bytes) };
	} catch (error) {
		// Anything else that stops the reading is a refusal too: nothing unread is sent.
		const reason = error instanceof NotThatImage ? error.message : 'it cannot be read';
		return { ok: false, claimed: format.mimeType, reason };
	}
}

export function imageTypeOf(bytes: Uint8Array): string | null {
	const reading = readImage(bytes);
	return reading.ok ? reading.mimeType : null;
}
