import type { INodeExecutionData } from 'n8n-workflow';

export interface LeanOptions {
	/** Leave out `raw`. */
	simplify: boolean;
	/** Leave out binary data too (an AI Agent cannot use it). */
	jsonOnly?: boolean;
}

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
