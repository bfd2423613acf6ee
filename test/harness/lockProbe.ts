/**
 * A probe node that runs a pause under the Idempotency Keys' store lock, in n8n-core's engine:
 * several executions of it at once stand for several workers.
 */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { withStoreLock } from '../../nodes/Seedance/actions/video/storeLock';
import { itemsNode, nodeTypes, runWorkflow } from './n8n';

/** What the work under the lock did, in order: `<label>:start` and `<label>:end`. */
export const lockEvents: string[] = [];

/** Called as work under the lock starts (an attack checks whether another holder is inside). */
export const lockProbeHooks: { onStart?: (label: string) => void } = {};

class LockProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Lock Probe',
		name: 'lockProbe',
		group: ['transform'],
		version: 1,
		description: 'Runs a pause under the store lock',
		defaults: { name: 'Probe' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Label', name: 'label', type: 'string', default: '' },
			{ displayName: 'Stoppable', name: 'stoppable', type: 'boolean', default: true },
			...['holdMs', 'staleMs', 'foreignMs'].map((name) => ({
				displayName: name,
				name,
				type: 'number' as const,
				default: 0,
			})),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const [label, holdMs, staleMs, foreignMs, stoppable] = [
			'label',
			'holdMs',
			'staleMs',
			'foreignMs',
			'stoppable',
		].map((name) => this.getNodeParameter(name, 0)) as [string, number, number, number, boolean];
		await withStoreLock(
			this,
			async () => {
				lockProbeHooks.onStart?.(label);
				lockEvents.push(`${label}:start`);
				await sleep(holdMs);
				lockEvents.push(`${label}:end`);
			},
			// Unstoppable: the option left out, so the lock's own default is what is tested.
			{ timing: { staleMs, foreignMs }, ...(stoppable ? { stoppable } : {}) },
		);
		return [[{ json: { label } }]];
	}
}
nodeTypes.register('test.lockProbe', new LockProbe());

/** The value a lock row holds (a number far below any counter of Remove Duplicates). */
export const LOCK_ROW_AT = (time: number) => -(2 ** 52) + time;

export interface ProbeTiming {
	holdMs?: number;
	staleMs?: number;
	foreignMs?: number;
	stoppable?: boolean;
}

export const probe = (label: string, timing: ProbeTiming) => ({
	id: `probe-${label}`,
	name: 'Probe',
	type: 'test.lockProbe',
	typeVersion: 1,
	position: [200, 0] as [number, number],
	parameters: { label, holdMs: 20, staleMs: 60_000, foreignMs: 60_000, ...timing },
});

/** One execution of the probe in the workflow `workflowId` (the lock's row is per workflow). */
export async function runProbe(
	workflowId: string,
	label: string,
	timing: ProbeTiming = {},
	cancelAfterMs?: number,
) {
	return await runWorkflow([itemsNode([{ json: {} }]), probe(label, timing)], {
		workflowId,
		cancelAfterMs,
	});
}
