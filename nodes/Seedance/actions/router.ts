import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ExecutionStopped } from '../domain/timing';
import { leanItems } from '../waiting/leanOutput';
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
	const stopped = await execute.call(this, items, call).then(
		(output) => [leanItems(output, lean)],
		(error: unknown) => {
			if (error instanceof ExecutionStopped) return null;
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
	if (stopped === null) {
		throw new NodeOperationError(
			this.getNode(),
			'The execution was stopped while waiting for Seedance',
			{
				description:
					'Tasks already created keep running at the service (and are charged if they succeed). Use the Wait operation with their task IDs to pick them up.',
			},
		);
	}
	return stopped;
}
