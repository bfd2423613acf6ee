import type { INodeExecutionData } from 'n8n-workflow';

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
