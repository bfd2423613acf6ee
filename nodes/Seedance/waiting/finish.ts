import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { SeedanceTask } from '../../shared/domain/task';
import { attempt, mapWithLimit } from '../../shared/domain/timing';
import type { Connection, SeedanceContext } from '../../shared/transport';
import { downloadVideo } from '../../shared/download/download';
import { failed, type ItemOutcome } from './outcomes';
import { awaitTasks, type OpenTask, type PollSettings } from './poll';

export interface FinishOptions {
	settings: PollSettings;
	/** Name of the binary property to download into; undefined: no download. */
	binaryProperty?: string;
	maxVideoBytes: number;
	extraJson?: (itemIndex: number) => IDataObject;
}

async function taskItem(
	context: SeedanceContext,
	connection: Connection,
	task: SeedanceTask,
	itemIndex: number,
	options: FinishOptions,
): Promise<ItemOutcome> {
	const item: INodeExecutionData = {
		json: { ...task, ...(options.extraJson?.(itemIndex) ?? {}) },
		pairedItem: { item: itemIndex },
	};
	if (!options.binaryProperty || task.state !== 'succeeded') return { itemIndex, ok: true, item };
	if (!task.videoUrl) {
		const error = new NodeOperationError(
			context.getNode(),
			`Task ${task.taskId} succeeded but the service sent no video link`,
			{
				itemIndex,
				description:
					'The task output is in the raw response. Run Get Status later, or turn off "Download Video".',
			},
		);
		return { itemIndex, ok: false, error, taskId: task.taskId };
	}
	const download = await attempt(
		downloadVideo(context, connection, task, {
			timeoutMs: options.settings.requestTimeoutMs,
			itemIndex,
			maxBytes: options.maxVideoBytes,
		}),
	);
	if (!download.ok) return failed(itemIndex, download.error, task.taskId);
	return {
		itemIndex,
		ok: true,
		item: { ...item, binary: { [options.binaryProperty]: download.value } },
	};
}

/** Waits for every open task with the shared poll loop, then downloads the finished videos. */
export async function finishTasks(
	context: SeedanceContext,
	connection: Connection,
	open: OpenTask[],
	options: FinishOptions,
): Promise<ItemOutcome[]> {
	const outcomes = await awaitTasks(context, connection, open, options.settings);
	return await mapWithLimit(open, options.settings.concurrency, async (task) => {
		const outcome = outcomes.get(task.itemIndex);
		if (!outcome) throw new Error(`No outcome for item ${task.itemIndex}`);
		if (!outcome.ok) return failed(task.itemIndex, outcome.error, outcome.taskId);
		return await taskItem(context, connection, outcome.task, task.itemIndex, options);
	});
}
