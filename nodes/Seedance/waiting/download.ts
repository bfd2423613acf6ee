import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IBinaryData } from 'n8n-workflow';

import { quote, redact } from '../domain/redact';
import type { SeedanceTask } from '../domain/task';
import { attempt, cancelSignalOf, pause, throwIfStopped } from '../domain/timing';
import { VIDEO_HEAD_BYTES, acceptsVideoType, isWebAddress, videoKindOf } from '../domain/video';
import {
	openVideo,
	type CallOptions,
	type Connection,
	type Readable,
	type SeedanceContext,
} from '../transport';

/** Tries of a download that breaks off mid-stream; a download is free, so it is tried again. */
const DOWNLOAD_TRIES = 3;
const RETRY_PAUSE_MS = 1000;
/** How much of a page that is not a video is quoted in the error. */
const SNIPPET_BYTES = 200;

export interface DownloadOptions extends CallOptions {
	/** Largest video accepted, in bytes; enforced while the bytes arrive. */
	maxBytes: number;
}

/** A file name from the task id, safe on every file system. */
export function videoFileName(taskId: string): string {
	return `${taskId.replace(/[^\w.-]+/g, '_').slice(0, 120) || 'seedance'}.mp4`;
}

/** What the link returned when it was not the video: refused at once, never tried again. */
class NotAVideo extends Error {}

function notAVideo(context: SeedanceContext, task: SeedanceTask, what: string, itemIndex?: number) {
	return new NodeOperationError(
		context.getNode(),
		`The video link of task ${task.taskId} did not return a video`,
		{
			itemIndex,
			description: `It returned ${what}. The link may have expired or be wrong: get a fresh one with a Seedance Wait node (Download Video on) or Get Status on task ID ${task.taskId}.`,
		},
	);
}

function brokenDownload(
	context: SeedanceContext,
	task: SeedanceTask,
	error: unknown,
	itemIndex?: number,
) {
	const reason = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(
		context.getNode(),
		`The download of the video of task ${task.taskId} broke off`,
		{
			itemIndex,
			description: `The video is made and paid for. Fetch it again before its link expires: a Seedance Wait node with Download Video on, on task ID ${task.taskId}. The node tried ${DOWNLOAD_TRIES} times; the last error: ${reason}.`,
		},
	);
}

/** The start of a body that is not a video, as text to quote. */
async function snippetOf(stream: Readable): Promise<string> {
	let text = '';
	for await (const chunk of stream as AsyncIterable<Buffer | string>) {
		text += chunk.toString();
		if (text.length >= SNIPPET_BYTES) break;
	}
	stream.destroy();
	return text.replace(/\s+/g, ' ').trim();
}

/**
 * Checks the bytes as they arrive, before n8n stores them: the first ones must be a video
 * container, and there must not be more than `maxBytes`. A community node may not import
 * node:stream for a Transform, so the check sits on the stream's own `push`, where every byte
 * enters it. Returns the kind of video found (once the first bytes are in) and the refusal, if any.
 */
function guard(stream: Readable, maxBytes: number) {
	const found: { kind?: string; refusal?: string } = {};
	const push = stream.push.bind(stream);
	let seen = 0;
	let head = Buffer.alloc(0);
	const refuse = (reason: string) => {
		found.refusal = reason;
		stream.destroy(new NotAVideo(reason));
		return false;
	};
	stream.push = (chunk: unknown, encoding?: BufferEncoding) => {
		if (found.refusal) return false;
		if (chunk === null) {
			if (!found.kind) return refuse(`${seen} bytes, too few for a video`);
			return push(chunk, encoding);
		}
		const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
		seen += bytes.length;
		if (seen > maxBytes)
			return refuse(`more than the Max Video Size of ${Math.round(maxBytes / 1048576)} MB`);
		if (!found.kind) {
			head = Buffer.concat([head, bytes]).subarray(0, VIDEO_HEAD_BYTES);
			if (head.length >= VIDEO_HEAD_BYTES) {
				const kind = videoKindOf(head);
				if (!kind)
					return refuse(
						`bytes that are not a video (they start with "${head.toString('latin1').replace(/[^\x20-\x7e]/g, '.')}")`,
					);
				found.kind = kind;
			}
		}
		return push(chunk, encoding);
	};
	return found;
}

/** One try: open the link, check what it says it is, and store the checked bytes. */
async function downloadOnce(
	context: SeedanceContext,
	connection: Connection,
	task: SeedanceTask,
	options: DownloadOptions,
): Promise<IBinaryData> {
	const video = await openVideo(context, connection, task.videoUrl ?? '', task.taskId, options);
	if (!acceptsVideoType(video.contentType)) {
		const snippet = quote(await snippetOf(video.stream), connection.secrets, SNIPPET_BYTES);
		const type = quote(video.contentType, connection.secrets, 100);
		throw new NotAVideo(`${type}${snippet ? `: "${snippet}"` : ''}`);
	}
	if (video.contentLength !== null && video.contentLength > options.maxBytes) {
		video.stream.destroy();
		throw new NotAVideo(
			`${video.contentLength} bytes, more than the Max Video Size of ${Math.round(options.maxBytes / 1048576)} MB`,
		);
	}
	const checks = guard(video.stream, options.maxBytes);
	const stored = await attempt(
		context.helpers.prepareBinaryData(video.stream, videoFileName(task.taskId), 'video/mp4'),
	);
	if (checks.refusal) throw new NotAVideo(checks.refusal);
	if (!stored.ok) throw stored.error;
	const mimeType = video.contentType.startsWith('video/')
		? video.contentType
		: (checks.kind ?? 'video/mp4');
	return { ...stored.value, mimeType };
}

/**
 * Downloads the finished video into n8n binary data, streamed straight into n8n's binary data
 * service (in filesystem/S3 mode the video never sits whole in memory). Only a video is stored:
 * anything else fails the item, naming the task and what the link returned.
 */
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
		throw notAVideo(
			context,
			task,
			`a link that is not a web address ("${scheme}:")`,
			options.itemIndex,
		);
	}
	const signal = cancelSignalOf(context);
	for (let tries = 1; ; tries++) {
		const stored = await attempt(downloadOnce(context, connection, task, options));
		if (stored.ok) return stored.value;
		if (stored.error instanceof NotAVideo)
			throw notAVideo(
				context,
				task,
				redact(stored.error.message, connection.secrets),
				options.itemIndex,
			);
		// A refusal of the link itself (403, 404: expired) is the transport's error, with its own advice.
		if (stored.error instanceof NodeApiError) throw stored.error;
		throwIfStopped(signal);
		if (tries >= DOWNLOAD_TRIES)
			throw brokenDownload(
				context,
				task,
				redact(String((stored.error as Error)?.message ?? stored.error), connection.secrets),
				options.itemIndex,
			);
		context.logger.debug(
			`Seedance: the download of task ${task.taskId} broke off; try ${tries + 1} of ${DOWNLOAD_TRIES}`,
		);
		await pause(RETRY_PAUSE_MS * tries, signal);
	}
}
