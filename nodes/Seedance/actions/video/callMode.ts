import type { IExecuteFunctions } from 'n8n-workflow';

export interface CallMode {
	asTool: boolean;
}

/** An agent's tool runs as the type's tool variant (`...seedanceTool`); newer n8n flags it too. */
export function callModeOf(context: IExecuteFunctions): CallMode {
	const flagged = (
		context as Partial<Pick<IExecuteFunctions, 'isToolExecution'>>
	).isToolExecution?.();
	return { asTool: flagged === true || context.getNode().type.endsWith('Tool') };
}
