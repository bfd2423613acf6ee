/**
 * The main job: runs examples/generate-and-download.json (Manual start -> Seedance Generate with
 * wait and download) through n8n's execution engine and saves the MP4. Against the local
 * emulator by default; against the real API in One when SEEDANCE_API_KEY is set (paid!).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { IConnections, INode } from 'n8n-workflow';

import { Emulator } from '../test/emulator/server';
import { runWorkflowGraph } from '../test/harness/n8n';

// Runs compiled from .build/scripts (see scripts/demo.sh).
const root = path.resolve(__dirname, '../..');
const say = (line: string) => console.log(`==> ${line}`);

async function main(): Promise<void> {
	const workflow = JSON.parse(readFileSync(path.join(root, 'examples/generate-and-download.json'), 'utf8')) as { name: string; nodes: INode[]; connections: IConnections };
	const realKey = process.env.SEEDANCE_API_KEY?.trim();
	let emulator: Emulator | undefined;
	let credentials;
	if (realKey) {
		const baseUrl = process.env.SEEDANCE_BASE_URL ?? 'https://apiin.one';
		say(`SEEDANCE_API_KEY is set: this run uses the REAL service at ${baseUrl} and spends about 8 credits (480p, 4 s, no audio). Ctrl+C within 5 s to cancel.`);
		await new Promise((resolve) => setTimeout(resolve, 5000));
		credentials = { seedanceApi: { apiKey: realKey, baseUrl } };
	} else {
		emulator = await new Emulator({ latencyMs: Number(process.env.EMULATOR_LATENCY_MS ?? 4000) }).start();
		say(`Started the API in One emulator at ${emulator.url} (set SEEDANCE_API_KEY to use the real service)`);
		credentials = { seedanceApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } };
		// The emulator's jobs take seconds, not minutes: poll it more often than the real service.
		const generate = workflow.nodes.find((node) => node.type === 'n8n-nodes-seedance.seedance');
		if (generate) (generate.parameters.options as Record<string, unknown>).pollInterval = 0.5;
	}
	say(`Running the workflow "${workflow.name}" through n8n's execution engine (WorkflowExecute)`);
	const started = Date.now();
	const result = await runWorkflowGraph(workflow.nodes, workflow.connections, { credentials });
	await emulator?.stop();
	const error = result.errorOf('Generate video');
	if (error) {
		console.error(`\nThe Seedance node failed: ${error.message}\n${error.description ?? ''}`);
		process.exit(1);
	}
	const [item] = result.output('Generate video');
	const binary = item.binary?.data;
	const outDir = path.join(root, 'demo-output');
	mkdirSync(outDir, { recursive: true });
	const file = path.join(outDir, binary?.fileName ?? 'video.mp4');
	if (binary) writeFileSync(file, Buffer.from(binary.data, 'base64'));
	say(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	console.log(`
  task               ${String(item.json.taskId)}
  state              ${String(item.json.state)} (service said "${String(item.json.rawStatus)}")
  estimated credits  ${String(item.json.estimatedCredits)}
  video URL          ${String(item.json.videoUrl)}
  saved MP4          ${binary ? `${file} (${readFileSync(file).length} bytes, ${binary.mimeType})` : 'not downloaded'}
`);
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
