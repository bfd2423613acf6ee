import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IConnections, INode } from 'n8n-workflow';

import { runWorkflowGraph } from '../harness/n8n';
import { TriggerReceiver } from '../harness/webhook';
import { useEmulator, waitFor } from '../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 100 });

function example(name: string): { nodes: INode[]; connections: IConnections } {
	return JSON.parse(readFileSync(path.join(__dirname, '../../examples', name), 'utf8')) as {
		nodes: INode[];
		connections: IConnections;
	};
}

describe('examples/generate-with-callback.json + examples/callback-trigger.json', () => {
	it('Generate calls back the trigger of the other example, which starts with the task and its video', async () => {
		const triggerNode = example('callback-trigger.json').nodes[0];
		const receiver = new TriggerReceiver(
			triggerNode.parameters,
			credentials(),
			triggerNode.webhookId,
		);
		await receiver.start();
		try {
			const generating = example('generate-with-callback.json');
			const start = generating.nodes.find((node) => node.type === 'n8n-nodes-seedance.seedance')!;
			// The example points at the trigger's path on a default local n8n; only the host differs
			// here.
			const exampleUrl = new URL(String(start.parameters.callbackUrl));
			expect(exampleUrl.pathname).toBe(new URL(receiver.productionUrl).pathname);
			start.parameters.callbackUrl = receiver.productionUrl;

			const run = await runWorkflowGraph(generating.nodes, generating.connections, {
				credentials: credentials(),
			});
			expect(run.errorOf(start.name)).toBeUndefined();
			const taskId = run.output(start.name)[0].json.taskId;
			await waitFor(() => receiver.executions.length === 1, 5000, 'the trigger execution');
			const [[item]] = receiver.executions;
			expect(item.json).toMatchObject({ taskId, state: 'succeeded' });
			expect(item.binary?.data.mimeType).toBe('video/mp4');
			expect(emulator.count('create')).toBe(1);
		} finally {
			await receiver.stop();
		}
	});
});
