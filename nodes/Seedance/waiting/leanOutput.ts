import type { INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { FROM_VERSION_1_1 } from './waitOptions';

/** Version 1.1 on; version 1 nodes keep the raw answer they always gave. */
export const simplifyField: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		"Whether to leave out the service's full answer (the raw field). Executions with many items stay light; the task's ID, state, progress, video link and error are kept.",
	displayOptions: { show: FROM_VERSION_1_1 },
};

export interface LeanOptions {
	/** Leave out `raw`. */
	simplify: boolean;
	/** Leave out binary data too (an AI Agent cannot use it). */
	jsonOnly?: boolean;
}

/** The node's output items with what the reader asked to leave out removed. */
export function leanItems(items: INodeExecutionData[], options: LeanOptions): INodeExecutionData[] {
	if (!options.simplify && !options.jsonOnly) return items;
	return items.map((item) => {
		const json = { ...item.json };
		if (options.simplify) delete json.raw;
		const lean: INodeExecutionData = { ...item, json };
		if (options.jsonOnly) delete lean.binary;
		return lean;
	});
}
