import { NodeOperationError } from 'n8n-workflow';
import type { IBinaryData } from 'n8n-workflow';

import type { SeedanceTask } from '../domain/task';
import { attempt, cancelSignalOf, pause, throwIfStopped } from '../domain/timing';
import { openVideo, type CallOptions, type Connection, type SeedanceContext } from '../transport';

/** Tries of a download that breaks off mid-stream; a download is free, so it is tried again. */
const DOWNLOAD_TRIES = 3;
const RETRY_PAUSE_MS = 1000;

/** A file name from the task id, safe on every file system. */
export function videoFileName(taskId: string): string {
	return `${taskId.replace(/[^\w.-]+/g, '_').slice(0, 120) || 'seedance'}.mp4`;
}

function brokenDownload(
	context: SeedanceContext,
	task: SeedanceTask,
	error: unknown,
	itemIndex: number | undefined,
): NodeOperationError {
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

/**
 * Downloads the finished video into n8n binary data. The response is a stream handed straight
 * to n8n's binary data service, so in filesystem/S3 mode the video never sits whole in memory.
 */
export async function downloadVideo(
	context: SeedanceContext,
	connection: Connection,
	task: SeedanceTask,
	options: CallOptions,
): Promise<IBinaryData> {
	const signal = cancelSignalOf(context);
	for (let tries = 1; ; tries++) {
		const { stream, mimeType } = await openVideo(
			context,
			connection,
			task.videoUrl ?? '',
			task.taskId,
			options,
		);
		const stored = await attempt(
			context.helpers.prepareBinaryData(stream, videoFileName(task.taskId), mimeType),
		);
		if (stored.ok) return stored.value;
		throwIfStopped(signal);
		if (tries >= DOWNLOAD_TRIES)
			throw brokenDownload(context, task, stored.error, options.itemIndex);
		context.logger.debug(
			`Seedance: the download of task ${task.taskId} broke off; try ${tries + 1} of ${DOWNLOAD_TRIES}`,
		);
		await pause(RETRY_PAUSE_MS * tries, signal);
	}
}
