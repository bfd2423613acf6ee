/**
 * A second n8n process (a queue-mode worker) on one database: its own copy of the node's modules
 * (jest.isolateModules: its own per-process queue), sharing the deduplication store.
 */
import type { INode, INodeType } from 'n8n-workflow';

import { keyedGenerate } from './keyedGenerate';
import { nodeTypes } from './n8n';

/** Registers the node as the second process loads it, under `n8n-nodes-seedance.<name>`. */
export function registerSecondProcess(name: string): string {
	let SecondProcess: new () => INodeType = class {} as never;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		SecondProcess = (
			require('../../nodes/Seedance/Seedance.node') as { Seedance: new () => INodeType }
		).Seedance;
	});
	const type = `n8n-nodes-seedance.${name}`;
	nodeTypes.register(type, new SecondProcess());
	return type;
}

/** The same keyed Generate node (one ID, one row of the store) as a process runs it. */
export function keyedNodeOf(id: string, type?: string): INode {
	return keyedGenerate({}, { id, ...(type ? { type } : {}) }, { prompt: '={{ $json.key }}' });
}
