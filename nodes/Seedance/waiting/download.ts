import type { IBinaryData } from 'n8n-workflow';

import type { SeedanceTask } from '../domain/task';
import { openVideo, type CallOptions, type Connection, type SeedanceContext } from '../transport';

/** A file name from the task id, safe on every file system. */
export function videoFileName(taskId: string): string {
	return `${taskId.replace(/[^\w.-]+/g, '_').slice(0, 120) || 'seedance'}.mp4`;
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
	const { stream, mimeType } = await openVideo(
		context,
		connection,
		task.videoUrl ?? '',
		task.taskId,
		options,
	);
	return await context.helpers.prepareBinaryData(stream, videoFileName(task.taskId), mimeType);
}
