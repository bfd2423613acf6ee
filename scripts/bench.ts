/**
 * `npm run bench`: the performance figures the README quotes, each measured in this one run
 * against the emulator with time-compressed job latency, printed as a table with its target.
 *   1. 100 items in one Generate (wait + download) vs the same items one after another;
 *   2. status requests for a 5-minute job (compressed 10x: 30 s job, 0.5 s poll interval);
 *   3. peak RSS growth of a real n8n (filesystem binary mode) downloading a 1 GB video, the V8
 *      collections behind it, the same with a smaller V8 young generation, and what a bare Node
 *      process needs to store the same bytes;
 *   4. size of dist/ and the import time of the node modules.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { INode } from 'n8n-workflow';

import { Emulator } from '../test/emulator/server';
import { itemsNode, runWorkflow, seedanceNode } from '../test/harness/n8n';
import { RealN8n, installN8n, packPackage } from '../test/harness/realN8n';

const root = path.resolve(__dirname, '../..');
const say = (line: string) => console.error(`==> ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Row {
	figure: string;
	value: string;
	target: string;
	met: boolean | null;
}
const rows: Row[] = [];

function generateNode(options: Record<string, unknown>): INode {
	return seedanceNode({ resource: 'video', operation: 'generate', prompt: '={{ $json.prompt }}', resolution: '480p', duration: '4', options: { requestTimeout: 30, ...options } });
}

async function timedBatch(emulator: Emulator, count: number, options: Record<string, unknown>): Promise<number> {
	const items = Array.from({ length: count }, (_, index) => ({ json: { prompt: `Clip ${index}` } }));
	const started = Date.now();
	const result = await runWorkflow([itemsNode(items), generateNode(options)], { credentials: { seedanceApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } } });
	const error = result.errorOf('Seedance');
	if (error) throw new Error(`Batch failed: ${error.message}`);
	const output = result.output('Seedance');
	if (output.length !== count || output.some((item) => item.json.state !== 'succeeded' || !item.binary?.data)) throw new Error('Batch output is incomplete');
	return Date.now() - started;
}

async function batchVersusSequential(): Promise<void> {
	const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 3000);
	const items = 100;
	const sampled = Number(process.env.BENCH_SEQUENTIAL_SAMPLE ?? 10);
	const options = { pollInterval: 0.25, downloadVideo: true };
	const emulator = await new Emulator({ latencyMs }).start();
	try {
		say(`Batch: ${items} items in one node, job latency L = ${seconds(latencyMs)}`);
		const batchMs = await timedBatch(emulator, items, options);
		say(`Sequential baseline: ${sampled} items one after another (one execution each), same settings`);
		let sequentialMs = 0;
		for (let index = 0; index < sampled; index++) sequentialMs += await timedBatch(emulator, 1, options);
		const perItem = sequentialMs / sampled;
		const baseline = perItem * items;
		const limit = 1.1 * latencyMs + 2000;
		rows.push({ figure: `${items} items, wall time (L = ${seconds(latencyMs)})`, value: seconds(batchMs), target: `<= 1.1 L + 2 s = ${seconds(limit)}`, met: batchMs <= limit });
		rows.push({ figure: `  sequential: ${sampled} items measured, x${items / sampled}`, value: `${seconds(perItem)} per item, ${seconds(baseline)} for ${items}`, target: '', met: null });
		rows.push({ figure: '  speed-up vs sequential', value: `${(baseline / batchMs).toFixed(1)}x`, target: '>= 50x', met: baseline / batchMs >= 50 });
		rows.push({ figure: '  wall time / L', value: `${(batchMs / latencyMs).toFixed(2)}`, target: '', met: null });
	} finally {
		await emulator.stop();
	}
}

async function readsPerLongJob(): Promise<void> {
	// 5 minutes at the node's defaults (5 s poll interval, 15 min max wait), compressed 10x.
	const scale = 10;
	const jobMs = 300_000 / scale;
	const options = { pollInterval: 5 / scale, maxWaitTime: 900 / scale, downloadVideo: false };
	say(`Status requests for a 5-minute job (compressed ${scale}x: ${seconds(jobMs)} job, ${options.pollInterval} s poll interval)`);
	const withProgress = await new Emulator({ latencyMs: jobMs }).start();
	const withoutProgress = await new Emulator({ latencyMs: jobMs, shape: 'resultJson' }).start();
	try {
		await Promise.all([timedRun(withProgress, options), timedRun(withoutProgress, options)]);
		const reads = withProgress.count('status');
		rows.push({ figure: '5-minute job, status requests (service reports progress)', value: String(reads), target: '<= 8', met: reads <= 8 });
		rows.push({ figure: '5-minute job, status requests (no progress reported)', value: String(withoutProgress.count('status')), target: '(geometric back-off)', met: null });
	} finally {
		await withProgress.stop();
		await withoutProgress.stop();
	}
}

async function timedRun(emulator: Emulator, options: Record<string, unknown>): Promise<void> {
	const result = await runWorkflow([itemsNode([{ json: { prompt: 'A long job' } }]), generateNode(options)], { credentials: { seedanceApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } } });
	if (result.errorOf('Seedance')) throw new Error(`Long job failed: ${result.errorOf('Seedance')!.message}`);
}

/** Peak resident memory (VmHWM) of a process while it runs, in bytes. */
async function peakRssOf(pid: number, running: () => boolean): Promise<number> {
	let peak = 0;
	while (running()) {
		try {
			const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (match) peak = Math.max(peak, Number(match[1]) * 1024);
		} catch {
			break;
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return peak;
}

/** Runs a command to its end and returns its peak RSS (and its output); fails when the command does. */
async function peakOfCommand(command: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<{ high: number; ms: number; output: string }> {
	const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	let done = false;
	const exited = new Promise<number>((resolve) => child.on('close', (code) => ((done = true), resolve(code ?? 1))));
	const started = Date.now();
	const high = await peakRssOf(child.pid!, () => !done);
	if ((await exited) !== 0) throw new Error(`${what} failed:\n${output.slice(-2000)}`);
	return { high, ms: Date.now() - started, output };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/**
 * What Node itself needs, with no n8n and no node code: a bare process receiving the same video
 * from the emulator into a file as n8n stores binary data (`fs.promises.writeFile(path, stream)`);
 * growth of 1 GB over 2 KB, median of three, measured as for n8n.
 */
async function nodeFloor(emulator: Emulator, bytes: number): Promise<number> {
	const [task] = [...emulator.tasks.values()].slice(-1);
	const url = `${emulator.url}/files/${task.taskId}.mp4?expires=later`;
	const target = path.join(tmpdir(), `seedance-floor-${process.pid}.bin`);
	const script = `
		require('node:http').get(${JSON.stringify(url)}, (response) => {
			require('node:fs/promises').writeFile(${JSON.stringify(target)}, response).then(() => process.exit(0), () => process.exit(1));
		}).on('error', () => process.exit(1));`;
	const once = async (size: number) => {
		emulator.options.downloadBytes = size;
		return (await peakOfCommand(process.execPath, ['-e', script], process.env, 'the bare Node download')).high;
	};
	try {
		const runs: number[] = [];
		for (let run = 0; run < 3; run++) runs.push((await once(bytes)) - (await once(2115)));
		return median(runs);
	} finally {
		rmSync(target, { force: true });
	}
}

/** Garbage collections V8 reports (`--trace-gc`) in one `n8n execute`, by kind. */
function collectionsIn(output: string): { full: number; young: number } {
	return { full: output.match(/: Mark-Compact /g)?.length ?? 0, young: output.match(/: (Scavenge|Minor Mark-Sweep)/g)?.length ?? 0 };
}

async function downloadMemory(): Promise<void> {
	const version = process.env.BENCH_N8N_VERSION ?? '2.40.7';
	const bigBytes = 1024 ** 3;
	// The one setting found that changes the figure: a smaller V8 young generation (see README).
	const tuned = '--max-semi-space-size=1';
	say(`Memory: a real n8n ${version} (filesystem binary mode) downloading ${bigBytes / 1024 ** 3} GB vs 2 KB`);
	const n8n = new RealN8n(version, installN8n(version));
	const emulator = await new Emulator({ latencyMs: 500 }).start();
	try {
		n8n.installPackage(packPackage(tmpdir()));
		await n8n.importCredential({ id: 'seedanceCred01', name: 'Seedance (API in One)', type: 'seedanceApi', data: { apiKey: emulator.apiKey, baseUrl: emulator.url } });
		const workflow = JSON.parse(readFileSync(path.join(root, 'examples/generate-and-download.json'), 'utf8')) as { nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }> };
		const generate = workflow.nodes.find((node) => node.type === 'n8n-nodes-seedance.seedance')!;
		Object.assign(generate.parameters.options as Record<string, unknown>, { pollInterval: 0.2, requestTimeout: 600 });
		await n8n.importWorkflow(workflow);
		const bin = path.join(n8n.dir, 'node_modules/.bin/n8n');
		const run = async (bytes: number, how: { nodeOptions?: string; nodeFlags?: string[] } = {}) => {
			emulator.options.downloadBytes = bytes;
			const env = how.nodeOptions ? { ...n8n.environment, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${how.nodeOptions}`.trim() } : n8n.environment;
			const [command, args] = how.nodeFlags ? [process.execPath, [...how.nodeFlags, bin, 'execute', '--id=seedanceDemo0001']] : [bin, ['execute', '--id=seedanceDemo0001']];
			return await peakOfCommand(command, args, env, `n8n execute downloading ${bytes} bytes`);
		};
		// One run's peak varies by about 10 MB with n8n's start-up, so each growth is the median of three pairs.
		const growthOf = async (bytes: number, how: { nodeOptions?: string } = {}) => {
			const pairs: Array<{ growth: number; small: number; big: number; ms: number }> = [];
			for (let pair = 0; pair < 3; pair++) {
				const big = await run(bytes, how);
				const small = await run(2115, how);
				pairs.push({ growth: big.high - small.high, small: small.high, big: big.high, ms: big.ms });
			}
			return pairs.sort((a, b) => a.growth - b.growth)[1];
		};
		const big = await growthOf(bigBytes);
		const [execution] = (await n8n.executions('seedanceDemo0001')).slice(-2);
		const stored = (await n8n.runOf(execution.id)).resultData.runData[generate.name]?.at(-1)?.data?.main[0][0].binary?.data;
		const storedBytes = stored ? statSync(n8n.binaryPath(stored)).size : 0;
		if (storedBytes !== bigBytes) throw new Error(`n8n stored ${storedBytes} bytes, not ${bigBytes}`);
		const quarter = await growthOf(bigBytes / 4);
		say(`Memory: which collections V8 ran (--trace-gc), and the same with NODE_OPTIONS=${tuned}`);
		const traced = collectionsIn((await run(bigBytes, { nodeFlags: ['--trace-gc'] })).output);
		const tracedSmall = collectionsIn((await run(2115, { nodeFlags: ['--trace-gc'] })).output);
		const tunedBig = await growthOf(bigBytes, { nodeOptions: tuned });
		const floor = await nodeFloor(emulator, bigBytes);
		rows.push({ figure: 'peak RSS of n8n execute, 2 KB / 1 GB video (stored on disk: 1 GB)', value: `${(big.small / 1048576).toFixed(0)} MB / ${(big.big / 1048576).toFixed(0)} MB (${seconds(big.ms)})`, target: '', met: null });
		rows.push({ figure: '  growth while downloading 256 MB', value: megabytes(quarter.growth), target: '', met: null });
		rows.push({ figure: '  growth while downloading 1 GB', value: megabytes(big.growth), target: '<= 64 MB', met: big.growth <= 64 * 1048576 });
		rows.push({ figure: '  V8 collections the 1 GB download added: full / young', value: `${traced.full - tracedSmall.full} / ${traced.young - tracedSmall.young}`, target: '', met: null });
		rows.push({ figure: `  growth while downloading 1 GB, NODE_OPTIONS=${tuned}`, value: `${megabytes(tunedBig.growth)} (peak ${(tunedBig.big / 1048576).toFixed(0)} MB)`, target: '', met: null });
		rows.push({ figure: '  floor: plain Node, no n8n, 1 GB socket -> file (as n8n stores it)', value: megabytes(floor), target: '', met: null });
	} finally {
		await emulator.stop();
		await n8n.stop();
		n8n.remove();
	}
}

function sizeOf(dir: string): { bytes: number; files: number } {
	let bytes = 0;
	let files = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			const inner = sizeOf(full);
			bytes += inner.bytes;
			files += inner.files;
		} else {
			bytes += statSync(full).size;
			files++;
		}
	}
	return { bytes, files };
}

function packageFigures(): void {
	const dist = sizeOf(path.join(root, 'dist'));
	const js = readdirSync(path.join(root, 'dist'), { recursive: true }).filter((file) => String(file).endsWith('.js.map'));
	const mapBytes = js.reduce((sum, file) => sum + statSync(path.join(root, 'dist', String(file))).size, 0);
	rows.push({ figure: 'dist/ size', value: `${(dist.bytes / 1024).toFixed(1)} kB in ${dist.files} files (${(mapBytes / 1024).toFixed(1)} kB of it source maps)`, target: '', met: null });
	const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{ size: number; unpackedSize: number }>;
	rows.push({ figure: 'npm package', value: `${(pack[0].size / 1024).toFixed(1)} kB packed, ${(pack[0].unpackedSize / 1024).toFixed(1)} kB unpacked`, target: '', met: null });
	const script = `
		const t0 = performance.now(); require('n8n-workflow'); const t1 = performance.now();
		require('./dist/nodes/Seedance/Seedance.node.js'); const t2 = performance.now();
		require('./dist/nodes/SeedanceTrigger/SeedanceTrigger.node.js'); require('./dist/credentials/SeedanceApi.credentials.js'); const t3 = performance.now();
		console.log(JSON.stringify([t1 - t0, t2 - t1, t3 - t2]));`;
	const runs = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })) as number[]);
	const ms = (index: number) => `${median(runs.map((run) => run[index])).toFixed(1)} ms`;
	rows.push({ figure: 'import time: Seedance.node.js (n8n-workflow already loaded)', value: ms(1), target: '', met: null });
	rows.push({ figure: 'import time: trigger + credential after it', value: ms(2), target: '', met: null });
	rows.push({ figure: '  (n8n-workflow itself, for scale)', value: ms(0), target: '', met: null });
}

async function main(): Promise<void> {
	const only = process.env.BENCH_ONLY;
	if (!only || only === 'batch') await batchVersusSequential();
	if (!only || only === 'reads') await readsPerLongJob();
	if ((!only || only === 'memory') && process.env.BENCH_SKIP_N8N !== '1') await downloadMemory();
	if (!only || only === 'package') packageFigures();
	const width = Math.max(...rows.map((row) => row.figure.length));
	const valueWidth = Math.max(...rows.map((row) => row.value.length));
	console.log(`\nn8n-nodes-seedance benchmark (${new Date().toISOString().slice(0, 10)}, ${process.version}, emulator on loopback)\n`);
	for (const row of rows) {
		const verdict = row.met === null ? '' : row.met ? '  met' : '  NOT MET';
		console.log(`  ${row.figure.padEnd(width)}  ${row.value.padEnd(valueWidth)}  ${row.target}${verdict}`);
	}
	if (rows.some((row) => row.met === false)) process.exitCode = 1;
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
