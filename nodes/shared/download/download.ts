import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, INode } from 'n8n-workflow';

import { N8nChanged, binaryModeOf as modeOfFile, bodyHasEnded, replacePush } from '../n8nInternals';

import { quote, redact } from '../domain/redact';
import type { SeedanceTask } from '../domain/task';
import { attempt, cancelSignalOf, pause, throwIfStopped } from '../domain/timing';
import { VideoCheck, acceptsVideoType, isWebAddress, quoteBytes } from '../domain/video';
import type { CallOptions, Connection, Readable, SeedanceContext } from '../transport';
import { openVideo, type VideoStream } from './openVideo';

/** Tries of a download that breaks off mid-stream; a download is free, so it is tried again. */
const DOWNLOAD_TRIES = 3;
/** Requests one download may send in all: the first, and its redirects and retries together. */
export const DOWNLOAD_REQUESTS = 6;
const RETRY_PAUSE_MS = 1000;
const SNIPPET_BYTES = 200;
const MB = 1048576;

export interface DownloadOptions extends CallOptions {
	/** Largest video in bytes, checked by Content-Length and as bytes arrive; 0: what the mode holds. */
	maxBytes: number;
}

export function videoFileName(taskId: string): string {
	return `${taskId.replace(/[^\w.-]+/g, '_').slice(0, 120) || 'seedance'}.mp4`;
}

/** What n8n's binary data modes hold: `default` keeps one base64 string (V8 caps it near 384 MB). */
const MODE_LIMITS: Record<string, { automatic: number; most: number }> = {
	default: { automatic: 300 * MB, most: 384 * MB },
	database: { automatic: 512 * MB, most: 1024 * MB },
	filesystem: { automatic: 2048 * MB, most: Infinity },
};
/** The smallest automatic limit: a video announced below it fits whatever the mode. */
const SMALLEST_AUTOMATIC = MODE_LIMITS.default.automatic;

export interface SizeLimit {
	bytes: number;
	/** The binary data mode that set it, or null when the Max Video Size option did. */
	mode: string | null;
}

const modes = new WeakMap<object, Promise<string>>();

/** n8n's binary data mode, read from the id it gives an empty file: nodes get no other sign of it. */
async function binaryModeOf(context: SeedanceContext): Promise<string> {
	let mode = modes.get(context);
	if (!mode) {
		mode = context.helpers
			.prepareBinaryData(Buffer.alloc(0), 'seedance-mode-probe', 'application/octet-stream')
			.then(
				(stored) => modeOfFile(context.getNode(), stored),
				() => 'default',
			);
		modes.set(context, mode);
	}
	return await mode;
}

/** The limit for one video: Max Video Size, or the mode's automatic size; never more than the mode holds. */
function sizeLimitOf(maxBytes: number, mode: string): SizeLimit {
	const { automatic, most } = MODE_LIMITS[mode] ?? MODE_LIMITS.filesystem;
	if (maxBytes > 0 && maxBytes <= most) return { bytes: maxBytes, mode: null };
	return { bytes: maxBytes > 0 ? most : automatic, mode };
}

/** What the link returned when it was not the video: refused at once, never tried again. */
class NotAVideo extends Error {}

/** A video larger than the limit: refused before (or while) it arrives, never tried again. */
class TooLarge extends Error {
	constructor(
		readonly size: string,
		readonly limit: SizeLimit,
	) {
		super(); // its words are built by explainTooLarge
	}
}

/** The download passed its deadline (its words are built by explainFailure). */
class TooSlow extends Error {
	constructor(readonly budgetMs = 0) {
		super();
	}
}

/** n8n could not store a video that arrived whole: its storage, not the link, is at fault. */
class NotStored extends Error {}

const FETCH_AGAIN = (taskId: string) =>
	`then fetch it with a Seedance Wait node (Download Video on) or Get Status on task ID ${taskId} before its link expires. The video is made and paid for; it was not downloaded.`;

const MODE_ADVICE: Record<string, (limitMb: number) => { name: string; advice: string }> = {
	default: (limitMb) => ({
		name: 'in-memory ("default") binary data mode',
		advice: `In this mode n8n keeps each file as one text string in memory, which holds about ${limitMb} MB safely. Set N8N_DEFAULT_BINARY_DATA_MODE=filesystem (or s3) and restart n8n,`,
	}),
	database: (limitMb) => ({
		name: 'database binary data mode',
		advice: `In this mode (queue mode's default) n8n keeps each file in its database, up to N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (512 MB unless raised, 1024 MB at most; the limit here is ${limitMb} MB). Set N8N_DEFAULT_BINARY_DATA_MODE=s3, or raise that limit and Max Video Size,`,
	}),
};

function explainTooLarge(
	taskId: string,
	refusal: TooLarge,
): { message: string; description: string } {
	const limitMb = Math.round(refusal.limit.bytes / MB);
	const byMode = refusal.limit.mode ? MODE_ADVICE[refusal.limit.mode]?.(limitMb) : undefined;
	if (byMode) {
		return {
			message: `The video of task ${taskId} is too large for n8n's ${byMode.name}`,
			description: `It is ${refusal.size}. ${byMode.advice} ${FETCH_AGAIN(taskId)}`,
		};
	}
	const automatic = refusal.limit.mode ? 'automatic ' : '';
	return {
		message: `The video of task ${taskId} is larger than the ${automatic}Max Video Size (${limitMb} MB)`,
		description: `It is ${refusal.size}. Raise Max Video Size in the node's options, ${FETCH_AGAIN(taskId)}`,
	};
}

function explainFailure(
	taskId: string,
	error: unknown,
	tries: number,
): { message: string; description: string } {
	const reason = error instanceof Error ? error.message : String(error);
	if (error instanceof NotAVideo) {
		return {
			message: `The video link of task ${taskId} did not return a video`,
			description: `It returned ${reason}. The link may have expired or be wrong: get a fresh one with a Seedance Wait node (Download Video on) or Get Status on task ID ${taskId}.`,
		};
	}
	if (error instanceof TooLarge) return explainTooLarge(taskId, error);
	if (error instanceof TooSlow) {
		return {
			message: `The video host was too slow: the video of task ${taskId} did not arrive within ${Math.round(error.budgetMs / 1000)} s`,
			description: `The download was stopped at its deadline, which covers the redirects, the headers and every byte. The video is made and paid for: get a fresh link with Get Status (or a Seedance Wait node with Download Video on) on task ID ${taskId} and download again. If the host is only slow, raise "Request Timeout" in the node's options: it bounds each download as a whole.`,
		};
	}
	if (error instanceof NotStored) {
		return {
			message: `n8n could not store the video of task ${taskId}`,
			description: `The whole video arrived, but n8n's binary data storage refused it: ${reason}. Check n8n's binary data mode and its limits (N8N_DEFAULT_BINARY_DATA_MODE, N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE), ${FETCH_AGAIN(taskId)}`,
		};
	}
	return {
		message: `The download of the video of task ${taskId} broke off`,
		description: `The video is made and paid for. Fetch it again before its link expires: a Seedance Wait node with Download Video on, on task ID ${taskId}. The node tried ${tries} times; the last error: ${reason}.`,
	};
}

function downloadFailure(
	context: SeedanceContext,
	connection: Connection,
	task: SeedanceTask,
	error: unknown,
	options: { itemIndex?: number; tries?: number },
): NodeOperationError {
	const { message, description } = explainFailure(task.taskId, error, options.tries ?? 1);
	// What a link or its host said is quoted in these texts: through the redaction door.
	return new NodeOperationError(context.getNode(), redact(message, connection.secrets), {
		itemIndex: options.itemIndex,
		description: redact(description, connection.secrets),
	});
}

async function snippetOf(stream: Readable): Promise<string> {
	let text = '';
	for await (const chunk of stream as AsyncIterable<Buffer | string>) {
		text += chunk.toString();
		if (text.length >= SNIPPET_BYTES) break;
	}
	// Leaving `for await` early destroyed the stream; otherwise it has ended.
	return text.replace(/\s+/g, ' ').trim();
}

/** One deadline for the whole download: it destroys the open stream or gives up a pending request. */
class Deadline {
	expired = false;
	private video?: VideoStream;
	private readonly stop = new AbortController();
	private readonly passed: Promise<void>;

	constructor(readonly at: number) {
		this.passed = pause(Math.max(0, at - Date.now()), this.stop.signal).then(
			() => {
				this.expired = true;
				this.video?.close(new TooSlow());
			},
			() => new Promise<void>(() => {}),
		);
	}

	watch(video: VideoStream): void {
		this.video = video;
		if (this.expired) video.close(new TooSlow());
	}

	async race<T>(work: Promise<T>, discard: (late: T) => void): Promise<T> {
		const first = await Promise.race([work.then((value) => ({ value })), this.passed]);
		if (first) return first.value;
		void work.then(discard, () => undefined);
		throw new TooSlow();
	}

	end(): void {
		this.stop.abort();
	}
}

/** Checks bytes on the stream's `push` before n8n stores them (no node:stream in node code). */
export function guard(node: INode, stream: Readable, check: VideoCheck, limit: SizeLimit) {
	const found: { refusal?: Error; ended: boolean } = { ended: false };
	let seen = 0;
	let held: Buffer[] = [];
	const refuse = (error: Error) => {
		found.refusal = error;
		held = [];
		stream.destroy(error);
		return false;
	};
	const notVideo = () =>
		new NotAVideo(
			check.kind
				? (check.refusal ?? '')
				: `bytes that are not a video: ${check.refusal} (they start with "${quoteBytes(check.head)}")`,
		);
	const pastLimit = () => new TooLarge(`more than ${Math.round(limit.bytes / MB)} MB`, limit);
	// Bytes that came with the headers predate the guard: take them out and check them first.
	const endedAlready = bodyHasEnded(node, stream);
	const early = stream.readableLength > 0 ? (stream.read() as Buffer | string | null) : null;
	const push = replacePush(node, stream, (chunk: unknown, encoding?: BufferEncoding) => {
		if (found.refusal) return false;
		if (chunk === null) {
			check.end();
			// Nothing is held here: bytes are held only while undecided, and end() refuses those.
			if (check.refusal) return refuse(notVideo());
			found.ended = true;
			return push(null);
		}
		const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), encoding);
		seen += bytes.length;
		if (seen > limit.bytes) return refuse(pastLimit());
		check.feed(bytes);
		if (check.refusal) return refuse(notVideo());
		if (check.declaredTooLarge !== null)
			return refuse(new TooLarge(`${check.declaredTooLarge} bytes by its own header`, limit));
		held.push(bytes);
		if (!check.decided) return true;
		const ready = held.length === 1 ? bytes : Buffer.concat(held);
		held = [];
		return push(ready);
	});
	const bytes = early === null || Buffer.isBuffer(early) ? early : Buffer.from(early);
	if (endedAlready) {
		// The whole body had arrived (none at all, on n8n 1.x, for an empty one): judge it all, then
		// put it back for n8n to read. A header declaring past the limit here is past it, or cut.
		const whole = bytes ?? Buffer.alloc(0);
		check.feed(whole);
		check.end();
		if (whole.length > limit.bytes) refuse(pastLimit());
		else if (check.refusal) refuse(notVideo());
		else {
			found.ended = true;
			stream.unshift(whole);
		}
	} else if (bytes !== null) stream.push(bytes);
	return found;
}

async function downloadOnce(
	context: SeedanceContext,
	connection: Connection,
	url: string,
	task: SeedanceTask,
	options: DownloadOptions & { budget: { requests: number } },
	deadline: Deadline,
	where: { url: string; redirected: boolean },
): Promise<IBinaryData> {
	const video = await deadline.race(
		openVideo(context, connection, url, task.taskId, {
			...options,
			deadline: deadline.at,
			redirected: where.redirected,
		}),
		(late) => late.close(),
	);
	where.url = video.url;
	where.redirected = video.redirected;
	deadline.watch(video);
	if (!acceptsVideoType(video.contentType)) {
		const snippet = quote(await snippetOf(video.stream), connection.secrets, SNIPPET_BYTES);
		const type = quote(video.contentType, connection.secrets, 100);
		throw new NotAVideo(`${type}${snippet ? `: "${snippet}"` : ''}`);
	}
	// A video announced below every mode's automatic size needs no look at the mode.
	const small = video.contentLength !== null && video.contentLength <= SMALLEST_AUTOMATIC;
	const limit = sizeLimitOf(options.maxBytes, small ? 'default' : await binaryModeOf(context));
	if (video.contentLength !== null && video.contentLength > limit.bytes) {
		video.close();
		throw new TooLarge(
			`${Math.round(video.contentLength / MB)} MB (${video.contentLength} bytes)`,
			limit,
		);
	}
	const check = new VideoCheck({ announcedLength: video.contentLength, maxBytes: limit.bytes });
	const checks = guard(context.getNode(), video.stream, check, limit);
	const stored = await attempt(
		context.helpers.prepareBinaryData(video.stream, videoFileName(task.taskId), 'video/mp4'),
	);
	if (checks.refusal) throw checks.refusal;
	if (!stored.ok)
		throw checks.ended
			? new NotStored(String((stored.error as Error)?.message ?? stored.error))
			: stored.error;
	const mimeType = video.contentType.startsWith('video/')
		? video.contentType
		: (check.kind ?? 'video/mp4');
	return { ...stored.value, mimeType };
}

/** Streams the finished video into n8n binary data: only a video, within one deadline and budget. */
export async function downloadVideo(
	context: SeedanceContext,
	connection: Connection,
	task: SeedanceTask,
	options: DownloadOptions,
): Promise<IBinaryData> {
	if (!isWebAddress(task.videoUrl ?? '')) {
		const scheme = String(task.videoUrl ?? '')
			.split(':')[0]
			.slice(0, 20);
		const what = `a link that is not a web address ("${scheme}:")`;
		throw downloadFailure(context, connection, task, new NotAVideo(what), options);
	}
	const signal = cancelSignalOf(context);
	const start = Date.now();
	const deadline = new Deadline(Math.min(options.deadline ?? Infinity, start + options.timeoutMs));
	const budget = { requests: DOWNLOAD_REQUESTS };
	const where = { url: task.videoUrl ?? '', redirected: false };
	try {
		for (let tries = 1; ; tries++) {
			const stored = await attempt(
				downloadOnce(context, connection, where.url, task, { ...options, budget }, deadline, where),
			);
			if (stored.ok) return stored.value;
			const { error } = stored;
			// TooSlow is thrown only once the deadline has expired.
			if (deadline.expired || Date.now() >= deadline.at)
				throw downloadFailure(context, connection, task, new TooSlow(deadline.at - start), options);
			if (error instanceof NotAVideo || error instanceof TooLarge || error instanceof NotStored)
				throw downloadFailure(context, connection, task, error, options);
			// A refusal of the link itself (403, 404: expired) is the transport's error, with its own advice.
			if (error instanceof NodeApiError || error instanceof N8nChanged) throw error;
			throwIfStopped(signal);
			const wait = RETRY_PAUSE_MS * tries;
			if (tries >= DOWNLOAD_TRIES || budget.requests <= 0 || Date.now() + wait >= deadline.at)
				throw downloadFailure(context, connection, task, error, { ...options, tries });
			context.logger.debug(
				`Seedance: the download of task ${task.taskId} broke off; try ${tries + 1} of ${DOWNLOAD_TRIES}`,
			);
			await pause(wait, signal);
		}
	} finally {
		deadline.end();
	}
}
