import type { IExecuteFunctions } from 'n8n-workflow';

import { runsAsTool } from '../../../shared/n8nInternals';

export interface CallMode {
	asTool: boolean;
}

/** An agent's tool runs as the type's tool variant (`...seedanceTool`); newer n8n flags it too. */
export function callModeOf(context: IExecuteFunctions): CallMode {
	return { asTool: runsAsTool(context) };
}
