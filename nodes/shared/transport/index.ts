import type { IDataObject } from 'n8n-workflow';

import { holdCreate, holdTask } from '../domain/bill';
import { normalizeTask, type SeedanceTask } from '../domain/task';
import { cancelSignalOf, throwIfStopped } from '../domain/timing';
import { scrub, type Connection, type SeedanceContext } from './connection';
import { exchange, jsonRequest, requestError, type CallOptions } from './request';

export {
	CREDENTIAL_TYPE,
	getConnection,
	scrub,
	type Connection,
	type SeedanceContext,
} from './connection';
export { createCertainlyRefused, isPassingFault, type CallOptions, type Readable } from './request';

/** POST /api/v1/videos/generations: the paid request. */
export async function createTask(
	context: SeedanceContext,
	connection: Connection,
	body: IDataObject,
	options: CallOptions,
): Promise<SeedanceTask> {
	// Never sent once stopped; once sent, the bill follows it to its task or to its cut by the stop.
	throwIfStopped(cancelSignalOf(context));
	const response = await holdCreate(
		context,
		exchange(
			context,
			connection,
			{
				purpose: 'create',
				subject: 'the new video',
				request: jsonRequest(connection, 'POST', '/api/v1/videos/generations', body),
			},
			options,
		),
	);
	const task = normalizeTask(response.body);
	if (!task) {
		// Accepted (2xx) but no task id: the task may exist and be charged. Never re-sent.
		throw requestError(
			context,
			connection,
			{ kind: 'malformed', status: response.statusCode },
			{ purpose: 'create', subject: 'the new video' },
			options.itemIndex,
		);
	}
	const created = scrub(connection, task);
	holdTask(context, created.taskId, options.itemIndex, created.state);
	return created;
}

/** GET /api/v1/tasks/{task_id} */
export async function fetchTask(
	context: SeedanceContext,
	connection: Connection,
	taskId: string,
	options: CallOptions,
): Promise<SeedanceTask> {
	const subject = `task ${taskId}`;
	// `.` and `..` would be read as path segments and reach other routes of the service.
	if (!taskId || /^\.+$/.test(taskId)) {
		throw requestError(
			context,
			connection,
			{ kind: 'malformed', status: 0 },
			{ purpose: 'status', subject },
			options.itemIndex,
		);
	}
	const response = await exchange(
		context,
		connection,
		{
			purpose: 'status',
			subject,
			request: jsonRequest(connection, 'GET', `/api/v1/tasks/${encodeURIComponent(taskId)}`),
		},
		options,
	);
	const task = normalizeTask(response.body, taskId);
	if (!task) {
		throw requestError(
			context,
			connection,
			{ kind: 'malformed', status: response.statusCode },
			{ purpose: 'status', subject },
			options.itemIndex,
		);
	}
	holdTask(context, taskId, options.itemIndex, task.state);
	return scrub(connection, task);
}
