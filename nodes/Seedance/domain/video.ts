/** Types a video link may answer with: a video, or bytes of no declared kind (storage services). */
const ACCEPTED_TYPES = [/^video\//, /^application\/octet-stream$/, /^binary\/octet-stream$/, /^$/];

/** Whether a content type may be a video (the bytes decide: `videoKindOf`). */
export function acceptsVideoType(contentType: string): boolean {
	const type = contentType.toLowerCase();
	return ACCEPTED_TYPES.some((pattern) => pattern.test(type));
}

/** Bytes needed to recognise a container. */
export const VIDEO_HEAD_BYTES = 12;

/**
 * The container the first bytes belong to, as a MIME type, or null when they are not a video:
 * MP4 / QuickTime (an ISO box: `ftyp`, `moov`, `mdat`, `free`, `wide` at offset 4) or WebM /
 * Matroska (EBML header).
 */
export function videoKindOf(head: Uint8Array): string | null {
	const bytes = Buffer.from(head);
	if (bytes.length < 8) return null;
	const box = bytes.subarray(4, 8).toString('latin1');
	if (box === 'ftyp')
		return bytes.subarray(8, 10).toString('latin1') === 'qt' ? 'video/quicktime' : 'video/mp4';
	if (['moov', 'mdat', 'free', 'wide'].includes(box)) return 'video/mp4';
	if (bytes.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
	return null;
}

/** Whether a link may be downloaded at all: web addresses only (no data:, file:, ftp:). */
export function isWebAddress(url: string): boolean {
	try {
		return ['http:', 'https:'].includes(new URL(url).protocol);
	} catch {
		return false;
	}
}
