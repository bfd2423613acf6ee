/** Types a video link may answer with: a video, or bytes of no declared kind (storage services). */
const ACCEPTED_TYPES = [/^video\//, /^application\/octet-stream$/, /^binary\/octet-stream$/, /^$/];

/** Whether a content type may be a video (the bytes decide: `VideoCheck`). */
export function acceptsVideoType(contentType: string): boolean {
	const type = contentType.toLowerCase();
	return ACCEPTED_TYPES.some((pattern) => pattern.test(type));
}

/** Whether a link may be downloaded at all: web addresses only (no data:, file:, ftp:). */
export function isWebAddress(url: string): boolean {
	try {
		return ['http:', 'https:'].includes(new URL(url).protocol);
	} catch {
		return false;
	}
}

/** Major brands of an `ftyp` box that name a video file (MP4, QuickTime, 3GP, CMAF/DASH, F4V). */
const VIDEO_BRANDS = new Set([
	'isom',
	'iso2',
	'iso3',
	'iso4',
	'iso5',
	'iso6',
	'iso7',
	'iso8',
	'iso9',
	'mp41',
	'mp42',
	'mp71',
	'avc1',
	'av01',
	'qt  ',
	'M4V ',
	'M4VH',
	'M4VP',
	'3gp4',
	'3gp5',
	'3gp6',
	'3gp7',
	'3gp8',
	'3gp9',
	'3g2a',
	'3g2b',
	'3g2c',
	'dash',
	'msdh',
	'msix',
	'cmfc',
	'cmf2',
	'mmp4',
	'f4v ',
	'XAVC',
	'MSNV',
]);

/** Boxes that may follow `ftyp` at the top level of an ISO-BMFF file (ISO/IEC 14496-12, QuickTime). */
const TOP_LEVEL_BOXES = new Set([
	'moov',
	'mdat',
	'free',
	'skip',
	'wide',
	'uuid',
	'pdin',
	'moof',
	'mfra',
	'meta',
	'sidx',
	'ssix',
	'styp',
	'emsg',
	'prft',
	'udta',
	'pnot',
	'junk',
]);

/** Longest sane `ftyp`: 16 bytes plus up to 60 compatible brands. */
const MAX_FTYP_BYTES = 256;
/** Longest sane EBML header element body (it holds a few short fields and the DocType). */
const MAX_EBML_HEADER_BYTES = 256;
const HEAD_BYTES = 1024;
const EBML_MAGIC = 0x1a45dfa3;
const EBML_DOCTYPE = 0x4282;
const MATROSKA_SEGMENT = 0x18538067;

export interface VideoCheckLimits {
	announcedLength: number | null;
	maxBytes: number;
}

/** Readable text of the first bytes, for an error (non-printable bytes as dots). */
export function quoteBytes(bytes: Uint8Array, length = 40): string {
	return Buffer.from(bytes.subarray(0, length))
		.toString('latin1')
		.replace(/[^\x20-\x7e]/g, '.');
}

/** Checks a video's container outline (ISO-BMFF boxes or EBML) as bytes stream past, not frames. */
export class VideoCheck {
	/** The MIME type, once the first bytes are known to be a video container. */
	kind: string | null = null;
	refusal: string | null = null;
	/** Set when the structure declares more bytes than `maxBytes`: the declared size. */
	declaredTooLarge: number | null = null;
	head = Buffer.alloc(0);
	private seen = 0;
	private early = Buffer.alloc(0);
	private format: 'iso' | 'ebml' | null = null;
	// ISO-BMFF walk: where the next box header starts, its bytes so far, what was found.
	private nextBox = 0;
	private header = Buffer.alloc(0);
	private boxes: string[] = [];
	private toEnd = false;
	private segmentEnd: number | null = null;

	constructor(private readonly limits: VideoCheckLimits) {}

	get decided(): boolean {
		return this.kind !== null || this.refusal !== null;
	}

	feed(chunk: Uint8Array): void {
		if (this.refusal) return;
		let bytes = chunk;
		let start = this.seen;
		this.seen += chunk.length;
		if (!this.decided) this.head = Buffer.concat([this.head, chunk]).subarray(0, HEAD_BYTES);
		if (this.format === null) {
			// Until the format is known every byte so far is kept (fewer than 8 before this chunk).
			this.early = Buffer.concat([this.early, chunk]);
			if (!this.chooseFormat()) return;
			bytes = this.early;
			start = 0;
		}
		if (this.format === 'iso') this.walkBoxes(bytes, start);
		else if (!this.decided) this.readEbmlHeader();
	}

	/** Ends the check when the last byte arrived: the structure must add up to what came. */
	end(): void {
		if (this.refusal) return;
		if (this.format === null || !this.decided) {
			this.refuse(`${this.seen} bytes, too few for a video`);
			return;
		}
		if (this.format === 'ebml') {
			if (this.segmentEnd !== null && this.seen < this.segmentEnd)
				this.refuse(`a cut file: ${this.seen} bytes of the ${this.segmentEnd} it declares`);
			return;
		}
		if (!this.toEnd && (this.header.length > 0 || this.seen !== this.nextBox)) {
			this.refuse(
				`a cut file: its boxes declare ${Math.max(this.nextBox, this.seen)} bytes but ${this.seen} arrived`,
			);
			return;
		}
		if (!this.boxes.includes('moov'))
			this.refuse('an MP4 outline without a "moov" box (no video description)');
		else if (!this.boxes.includes('mdat') && !this.boxes.includes('moof'))
			this.refuse('an MP4 outline without media ("mdat" or "moof")');
	}

	private refuse(reason: string): void {
		if (!this.refusal) this.refusal = reason;
	}

	private chooseFormat(): boolean {
		if (this.early.length < 8) return false;
		if (this.early.subarray(4, 8).toString('latin1') === 'ftyp') this.format = 'iso';
		else if (this.early.readUInt32BE(0) === EBML_MAGIC) this.format = 'ebml';
		else this.refuse('bytes of no video container');
		return this.format !== null;
	}

	private checkEnd(end: number, what: string): boolean {
		const { announcedLength, maxBytes } = this.limits;
		if (announcedLength !== null && end > announcedLength) {
			this.refuse(
				`${what} ending at byte ${end}, past the ${announcedLength} bytes the link announced`,
			);
			return false;
		}
		if (end > maxBytes && this.declaredTooLarge === null) this.declaredTooLarge = end;
		return true;
	}

	/** Follows the top-level boxes through `chunk` (which starts at byte `start` of the file). */
	private walkBoxes(chunk: Uint8Array, start: number): void {
		let index = this.header.length > 0 ? 0 : this.nextBox - start;
		while (!this.refusal && !this.toEnd && index < chunk.length) {
			const need = this.headerBytesNeeded();
			const take = chunk.subarray(index, index + need - this.header.length);
			this.header = Buffer.concat([this.header, take]);
			index += take.length;
			if (this.header.length < need) return;
			if (need !== this.headerBytesNeeded()) continue;
			this.readBox();
			this.header = Buffer.alloc(0);
			index = this.nextBox - start;
		}
	}

	/** Bytes of a box header needed to judge it: 8, the 64-bit size (16), `ftyp`'s brand (12). */
	private headerBytesNeeded(): number {
		if (this.header.length < 8) return 8;
		if (this.header.readUInt32BE(0) === 1) return 16;
		return this.boxes.length === 0 ? 12 : 8;
	}

	private readBox(): void {
		const type = this.header.subarray(4, 8).toString('latin1');
		const small = this.header.readUInt32BE(0);
		const first = this.boxes.length === 0;
		let size = small;
		if (small === 1) {
			const large = this.header.readBigUInt64BE(8);
			size = large > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(large);
			if (size < 16) return this.refuse(`a "${type}" box with an impossible size`);
		} else if (small === 0) {
			if (first) return this.refuse('an "ftyp" box with no size');
			this.toEnd = true;
		} else if (small < 8) {
			return this.refuse(`a box with an impossible size (${small} bytes)`);
		}
		if (first) {
			const brand = this.header.subarray(8, 12).toString('latin1');
			if (size < 16 || size > MAX_FTYP_BYTES || (size - 16) % 4 !== 0)
				return this.refuse(`an "ftyp" box of ${size} bytes, not a video file header`);
			if (!VIDEO_BRANDS.has(brand))
				return this.refuse(
					`an "ftyp" box of brand "${quoteBytes(Buffer.from(brand, 'latin1'))}", not a video`,
				);
		} else if (!TOP_LEVEL_BOXES.has(type)) {
			return this.refuse(
				`a "${quoteBytes(Buffer.from(type, 'latin1'))}" box where an MP4 has none`,
			);
		}
		this.boxes.push(type);
		if (!this.toEnd) {
			if (!this.checkEnd(this.nextBox + size, `a "${type}" box`)) return;
			this.nextBox += size;
		}
		// The start is a video once a valid box follows a valid `ftyp`.
		if (!first && this.kind === null)
			this.kind =
				this.head.subarray(8, 12).toString('latin1') === 'qt  ' ? 'video/quicktime' : 'video/mp4';
	}

	private readEbmlHeader(): void {
		const size = readVint(this.head, 4);
		if (!size) return this.waitOrRefuse(12);
		if (size.value === null || size.value > MAX_EBML_HEADER_BYTES)
			return this.refuse('an EBML header of an impossible size');
		const bodyStart = 4 + size.length;
		const bodyEnd = bodyStart + size.value;
		// The Segment's ID (4 bytes) and its size (up to 8) follow the header.
		const segment = readElementId(this.head, bodyEnd);
		const segmentSize = segment ? readVint(this.head, bodyEnd + segment.length) : null;
		if (!segment || !segmentSize) return this.waitOrRefuse(bodyEnd + 12);
		const docType = ebmlDocType(this.head.subarray(bodyStart, bodyEnd));
		if (docType !== 'webm' && docType !== 'matroska')
			return this.refuse(`an EBML file of DocType "${docType ?? 'none'}", not WebM or Matroska`);
		if (segment.id !== MATROSKA_SEGMENT)
			return this.refuse('an EBML header not followed by a Segment');
		if (segmentSize.value !== null) {
			const end = bodyEnd + segment.length + segmentSize.length + segmentSize.value;
			if (!this.checkEnd(end, 'a Segment')) return;
			this.segmentEnd = end;
		}
		this.kind = docType === 'webm' ? 'video/webm' : 'video/x-matroska';
	}

	/** More bytes may complete a header, unless the head is already past where it must end. */
	private waitOrRefuse(needed: number): void {
		if (this.head.length >= Math.min(needed, HEAD_BYTES))
			this.refuse('an EBML header that does not hold together');
	}
}

/** An EBML variable-size integer at `at`: its length and value (null: "unknown size"). */
function readVint(bytes: Buffer, at: number): { length: number; value: number | null } | null {
	if (at >= bytes.length) return null;
	const first = bytes[at];
	if (first === 0) return { length: 9, value: null };
	const length = Math.clz32(first) - 23;
	if (at + length > bytes.length) return null;
	let value = first & (0xff >> length);
	let allOnes = value === 0xff >> length;
	for (let index = 1; index < length; index++) {
		value = value * 256 + bytes[at + index];
		allOnes &&= bytes[at + index] === 0xff;
	}
	return { length, value: allOnes ? null : value };
}

/** An EBML element ID at `at` (its marker bits kept, as IDs are written). */
function readElementId(bytes: Buffer, at: number): { length: number; id: number } | null {
	if (at >= bytes.length || bytes[at] === 0) return null;
	const length = Math.clz32(bytes[at]) - 23;
	if (length > 4 || at + length > bytes.length) return null;
	let id = 0;
	for (let index = 0; index < length; index++) id = id * 256 + bytes[at + index];
	return { length, id };
}

function ebmlDocType(body: Buffer): string | null {
	let at = 0;
	while (at < body.length) {
		const element = readElementId(body, at);
		const size = element ? readVint(body, at + element.length) : null;
		if (!element || !size || size.value === null) return null;
		const start = at + element.length + size.length;
		if (element.id === EBML_DOCTYPE)
			return body
				.subarray(start, start + size.value)
				.toString('latin1')
				.replace(/\0+$/, '');
		at = start + size.value;
	}
	return null;
}
