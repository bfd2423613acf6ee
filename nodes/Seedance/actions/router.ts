import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { describeStop, heldAtStop, releaseTasks } from '../../shared/domain/bill';
import { ExecutionStopped } from '../../shared/domain/timing';
import { leanItems } from '../../shared/domain/leanOutput';
import { failed, outputItems } from '../waiting/outcomes';
import { callModeOf, type CallMode } from './video/callMode';
import * as video from './video/Video.resource';

const operations: Record<
	string,
	(
		this: IExecuteFunctions,
		items: INodeExecutionData[],
		call: CallMode,
	) => Promise<INodeExecutionData[]>
> = {
	generate: video.generate.execute,
	getStatus: video.getStatus.execute,
	wait: video.wait.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0);
	const operation = this.getNodeParameter('operation', 0) as string;
	const execute = resource === 'video' ? operations[operation] : undefined;
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	const call = callModeOf(this);
	// As an AI Agent's tool: the compact task only, never binary data.
	const lean = {
		simplify: call.asTool || this.getNodeParameter('simplify', 0, false) === true,
		jsonOnly: call.asTool,
	};
	const output = await execute.call(this, items, call).then(
		(done) => [leanItems(done, lean)],
		(error: unknown) => {
			if (error instanceof ExecutionStopped) return null;
			releaseTasks(this);
			// n8n would pass the input items on as if they were output: each item says what failed.
			if (
				!this.continueOnFail() ||
				!(error instanceof NodeOperationError || error instanceof NodeApiError)
			)
				throw error;
			return [
				outputItems(
					items.map((_, index) => failed(index, error)),
					this.getNode(),
				),
			];
		},
	);
	if (output === null) throw await stoppedError(this);
	releaseTasks(this);
	return output;
}

/** How long a stop waits for create requests already sent, to name the tasks they paid for. */
const CREATE_ANSWER_GRACE_MS = 15_000;

/** The stop as the node's error, naming every task in hand: they keep running and are charged. */
async function stoppedError(context: IExecuteFunctions): Promise<NodeOperationError> {
	const held = await heldAtStop(context, CREATE_ANSWER_GRACE_MS);
	const { message, description } = describeStop(held);
	const error = new NodeOperationError(context.getNode(), message, { description });
	error.context.seedanceTasks = held.tasks.map((task) => ({
		taskId: task.taskId,
		item: task.itemIndex === null ? null : task.itemIndex + 1,
		state: task.state,
	}));
	if (held.unanswered) error.context.unansweredCreates = held.unanswered;
	// n8n 2.x saves neither this error nor the node's context after a stop: its log keeps the IDs.
	context.logger.warn(`Seedance: ${message}. ${description}`);
	return error;
}
