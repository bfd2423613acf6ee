/**
 * The main job: runs examples/generate-and-download.json (Manual start -> Seedance Generate with
 * wait and download) inside a real n8n with this package installed as a community package, and
 * saves the MP4 n8n stored. Against the local emulator by default; against the real API in One
 * when SEEDANCE_API_KEY is set (paid!).
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Emulator } from '../test/emulator/server';
import { NEWEST_N8N, RealN8n, installN8n, packPackage } from '../test/harness/realN8n';

// Runs compiled from .build/scripts (see scripts/demo.sh).
const root = path.resolve(__dirname, '../..');
const N8N_VERSION = process.env.DEMO_N8N_VERSION ?? NEWEST_N8N;
const say = (line: string) => console.log(`==> ${line}`);

async function main(): Promise<void> {
	const workflow = JSON.parse(
		readFileSync(path.join(root, 'examples/generate-and-download.json'), 'utf8'),
	) as {
		id: string;
		name: string;
		nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }>;
	};
	const generate = workflow.nodes.find((node) => node.type === 'n8n-nodes-seedance.seedance')!;
	const realKey = process.env.SEEDANCE_API_KEY?.trim();
	let emulator: Emulator | undefined;
	let credentialData: Record<string, string>;
	if (realKey) {
		const baseUrl = process.env.SEEDANCE_BASE_URL ?? 'https://apiin.one';
		say(
			`SEEDANCE_API_KEY is set: this run uses the REAL service at ${baseUrl} and spends about 8 credits (480p, 4 s, no audio). Ctrl+C within 5 s to cancel.`,
		);
		await new Promise((resolve) => setTimeout(resolve, 5000));
		credentialData = { apiKey: realKey, baseUrl };
	} else {
		emulator = await new Emulator({
			latencyMs: Number(process.env.EMULATOR_LATENCY_MS ?? 4000),
		}).start();
		say(
			`Started the API in One emulator at ${emulator.url} (set SEEDANCE_API_KEY to use the real service)`,
		);
		credentialData = { apiKey: emulator.apiKey, baseUrl: emulator.url };
		// The emulator's jobs take seconds, not minutes: poll it more often than the real service.
		(generate.parameters.options as Record<string, unknown>).pollInterval = 0.5;
	}

	say(
		`Preparing n8n ${N8N_VERSION} (installed once into ~/.cache/n8n-nodes-seedance; the first run takes about 5 minutes)`,
	);
	const n8n = new RealN8n(N8N_VERSION, installN8n(N8N_VERSION));
	try {
		say('Installing this package into n8n as a community package (npm pack -> ~/.n8n/nodes)');
		n8n.installPackage(packPackage(tmpdir()));
		say('Importing the Seedance credential and the example workflow');
		await n8n.importCredential({
			id: 'seedanceCred01',
			name: 'Seedance (API in One)',
			type: 'seedanceApi',
			data: credentialData,
		});
		await n8n.importWorkflow(workflow);
		say(`Running "${workflow.name}" with n8n execute`);
		const started = Date.now();
		const run = await n8n.execute(workflow.id);
		const nodeRun = run.data.resultData.runData[generate.name]?.at(-1);
		if (run.status !== 'success' || !nodeRun?.data) {
			const error = nodeRun?.error ?? run.data.resultData.error;
			console.error(
				`\nThe execution ended with status "${run.status}": ${error?.message ?? 'no error recorded'}\n${error?.description ?? ''}`,
			);
			process.exitCode = 1;
			return;
		}
		const [item] = nodeRun.data.main[0];
		const binary = item.binary?.data;
		const outDir = path.join(root, 'demo-output');
		mkdirSync(outDir, { recursive: true });
		const file = path.join(outDir, String(binary?.fileName ?? 'video.mp4'));
		if (binary) writeFileSync(file, n8n.binaryBytes(binary));
		say(
			`Done in ${((Date.now() - started) / 1000).toFixed(1)} s (n8n ${N8N_VERSION}, execution status "${run.status}")`,
		);
		console.log(`
  task               ${String(item.json.taskId)}
  state              ${String(item.json.state)} (service said "${String(item.json.rawStatus)}")
  estimated credits  ${String(item.json.estimatedCredits)}
  video URL          ${String(item.json.videoUrl)}
  saved MP4          ${binary ? `${file} (${statSync(file).size} bytes, ${String(binary.mimeType)})` : 'not downloaded'}
`);
	} finally {
		await n8n.stop();
		n8n.remove();
		await emulator?.stop();
	}
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
