import type { IExecuteFunctions } from 'n8n-workflow';

/** How the node was called: in a workflow, or by an AI Agent as one of its tools. */
export interface CallMode {
	asTool: boolean;
}

/**
 * n8n runs a node as an agent's tool through a tool variant of its type (`...seedanceTool`);
 * n8n's own flag says so too where the version has it.
 */
export function callModeOf(context: IExecuteFunctions): CallMode {
	const flagged = (
		context as Partial<Pick<IExecuteFunctions, 'isToolExecution'>>
	).isToolExecution?.();
	return { asTool: flagged === true || context.getNode().type.endsWith('Tool') };
}
