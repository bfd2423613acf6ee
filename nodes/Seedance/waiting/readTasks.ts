import type { SeedanceTask } from '../../shared/domain/task';
import { attempt, mapWithLimit, type Attempt } from '../../shared/domain/timing';
import { fetchTask, type Connection, type SeedanceContext } from '../../shared/transport';

export interface TaskRef {
	itemIndex: number;
	taskId: string;
}

/** Reads each task once, at most `concurrency` at a time: a task, or the error of its read. */
export async function readTasksOnce<T extends TaskRef>(
	context: SeedanceContext,
	connection: Connection,
	tasks: readonly T[],
	options: { concurrency: number; timeoutMs: number },
): Promise<Array<{ ref: T; read: Attempt<SeedanceTask> }>> {
	return await mapWithLimit(tasks, options.concurrency, async (ref) => ({
		ref,
		read: await attempt(
			fetchTask(context, connection, ref.taskId, {
				timeoutMs: options.timeoutMs,
				itemIndex: ref.itemIndex,
			}),
		),
	}));
}
