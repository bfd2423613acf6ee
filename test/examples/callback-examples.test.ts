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

const STICKY_NOTE = 'n8n-nodes-base.stickyNote';

describe('examples/generate-with-callback.json', () => {
	it('ships no Callback URL the service could reach by mistake: a YOUR-N8N-HOST placeholder a sticky note explains', () => {
		const { nodes } = example('generate-with-callback.json');
		const start = nodes.find((node) => node.type === 'n8n-nodes-seedance.seedance')!;
		const url = String(start.parameters.callbackUrl);
		expect(url).toMatch(/^https:\/\/YOUR-N8N-HOST\/webhook\//);
		expect(JSON.stringify(nodes)).not.toMatch(/https?:\/\/(localhost|127\.)/);
		const notes = nodes.filter((node) => node.type === STICKY_NOTE);
		expect(notes.map((note) => String(note.parameters.content)).join('\n')).toMatch(
			/YOUR-N8N-HOST[\s\S]*Production URL/,
		);
	});
});

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
			// The example points at the trigger's path on a host the user must fill in; only the host
			// differs here.
			const exampleUrl = new URL(String(start.parameters.callbackUrl));
			expect(exampleUrl.pathname).toBe(new URL(receiver.productionUrl).pathname);
			start.parameters.callbackUrl = receiver.productionUrl;
			// The engine harness knows no sticky notes; they do not run anyway.
			const nodes = generating.nodes.filter((node) => node.type !== STICKY_NOTE);

			// Generate and the trigger are in one n8n: the trigger's URL is of the n8n Generate runs in.
			const run = await runWorkflowGraph(nodes, generating.connections, {
				credentials: credentials(),
				webhookBase: `${new URL(receiver.productionUrl).origin}/`,
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
