/**
 * The keyed Generate node the pay-once tests run: 480p, 4 s, not waiting, the fast test timings,
 * its prompt and Idempotency Key read from each item (`prompt`, `key`).
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { FAST } from '../helpers';
import { seedanceNode } from './n8n';

export function keyedGenerate(
	options: IDataObject = {},
	settings: Partial<INode> = {},
	parameters: IDataObject = {},
): INode {
	return seedanceNode(
		{
			resource: 'video',
			operation: 'generate',
			prompt: '={{ $json.prompt }}',
			resolution: '480p',
			duration: '4',
			waitForCompletion: false,
			...parameters,
			options: { ...FAST, idempotencyKey: '={{ $json.key }}', ...options },
		},
		settings,
	);
}

/** One item per key, its prompt `p <key>`. */
export const keyedRows = (...keys: unknown[]) =>
	keys.map((key) => ({ json: { key, prompt: `p ${String(key)}` } }));
