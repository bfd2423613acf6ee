/**
 * `npm run bench`: the performance figures docs/performance.md quotes, each measured in this one run
 * against the emulator with time-compressed job latency, printed as a table with its target.
 *   1. 100 items in one Generate (wait + download) vs the same items one after another;
 *   2. status requests for a 5-minute job (compressed 10x: 30 s job, 0.5 s poll interval);
 *   3. peak RSS growth of a real n8n (filesystem binary mode) downloading a 1 GB video: a server
 *      at rest (the target), a one-shot `n8n execute` and what lies behind its larger figure, and
 *      what a bare Node process needs to store the same bytes (scripts/bench/memory.ts);
 *   4. size of dist/ and the import time of the node modules;
 *   5. the execution data a 100-item Generate leaves in n8n, with and without Simplify;
 *   6. queue mode: 20 executions on 2 workers, Poll vs Resume on Callback (scripts/bench/queue.ts);
 *   7. requests with the key per inbound callback, trigger and resume URL (scripts/bench/callbacks.ts);
 *   8. the daily pipeline run twice: creates and saved videos of a re-run (scripts/bench/pipeline.ts).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import type { INode } from 'n8n-workflow';

import { Emulator } from '../test/emulator/server';
import { itemsNode, runWorkflow } from '../test/harness/n8n';
import { promptedGenerate } from '../test/harness/webhook';
import { MAX_PACKED_BYTES, pack } from '../test/pack';
import { callbackCosts } from './bench/callbacks';
import { downloadMemory } from './bench/memory';
import { pipelineFigures } from './bench/pipeline';
import { queueModeFigures } from './bench/queue';
import { median, printTable, rows, say, seconds } from './bench/table';

const root = path.resolve(__dirname, '../..');

function generateNode(options: Record<string, unknown>): INode {
	return promptedGenerate({ requestTimeout: 30, ...options });
}

async function timedBatch(
	emulator: Emulator,
	count: number,
	options: Record<string, unknown>,
): Promise<number> {
	const items = Array.from({ length: count }, (_, index) => ({
		json: { prompt: `Clip ${index}` },
	}));
	const started = Date.now();
	const result = await runWorkflow([itemsNode(items), generateNode(options)], {
		credentials: { seedanceApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } },
	});
	const error = result.errorOf('Seedance');
	if (error) throw new Error(`Batch failed: ${error.message}`);
	const output = result.output('Seedance');
	if (
		output.length !== count ||
		output.some((item) => item.json.state !== 'succeeded' || !item.binary?.data)
	)
		throw new Error('Batch output is incomplete');
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
		say(
			`Sequential baseline: ${sampled} items one after another (one execution each), same settings`,
		);
		let sequentialMs = 0;
		for (let index = 0; index < sampled; index++)
			sequentialMs += await timedBatch(emulator, 1, options);
		const perItem = sequentialMs / sampled;
		const baseline = perItem * items;
		const limit = 1.1 * latencyMs + 2000;
		rows.push({
			figure: `${items} items, wall time (L = ${seconds(latencyMs)})`,
			value: seconds(batchMs),
			target: `<= 1.1 L + 2 s = ${seconds(limit)}`,
			met: batchMs <= limit,
		});
		rows.push({
			figure: `  sequential: ${sampled} items measured, x${items / sampled}`,
			value: `${seconds(perItem)} per item, ${seconds(baseline)} for ${items}`,
			target: '',
			met: null,
		});
		rows.push({
			figure: '  speed-up vs sequential',
			value: `${(baseline / batchMs).toFixed(1)}x`,
			target: '>= 50x',
			met: baseline / batchMs >= 50,
		});
		rows.push({
			figure: '  wall time / L',
			value: `${(batchMs / latencyMs).toFixed(2)}`,
			target: '',
			met: null,
		});
	} finally {
		await emulator.stop();
	}
}

async function readsPerLongJob(): Promise<void> {
	// 5 minutes at the node's defaults (5 s poll interval, 15 min max wait), compressed 10x.
	const scale = 10;
	const jobMs = 300_000 / scale;
	const options = { pollInterval: 5 / scale, maxWaitTime: 900 / scale, downloadVideo: false };
	say(
		`Status requests for a 5-minute job (compressed ${scale}x: ${seconds(jobMs)} job, ${options.pollInterval} s poll interval)`,
	);
	const withProgress = await new Emulator({ latencyMs: jobMs }).start();
	const withoutProgress = await new Emulator({ latencyMs: jobMs, shape: 'resultJson' }).start();
	try {
		await Promise.all([timedRun(withProgress, options), timedRun(withoutProgress, options)]);
		const reads = withProgress.count('status');
		rows.push({
			figure: '5-minute job, status requests (service reports progress)',
			value: String(reads),
			target: '<= 8',
			met: reads <= 8,
		});
		rows.push({
			figure: '5-minute job, status requests (no progress reported)',
			value: String(withoutProgress.count('status')),
			target: '(geometric back-off)',
			met: null,
		});
	} finally {
		await withProgress.stop();
		await withoutProgress.stop();
	}
}

async function timedRun(emulator: Emulator, options: Record<string, unknown>): Promise<void> {
	const result = await runWorkflow(
		[itemsNode([{ json: { prompt: 'A long job' } }]), generateNode(options)],
		{ credentials: { seedanceApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } } },
	);
	if (result.errorOf('Seedance'))
		throw new Error(`Long job failed: ${result.errorOf('Seedance')!.message}`);
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
	const js = readdirSync(path.join(root, 'dist'), { recursive: true }).filter((file) =>
		String(file).endsWith('.js.map'),
	);
	const mapBytes = js.reduce(
		(sum, file) => sum + statSync(path.join(root, 'dist', String(file))).size,
		0,
	);
	rows.push({
		figure: 'dist/ size',
		value: `${(dist.bytes / 1024).toFixed(1)} kB in ${dist.files} files (${(mapBytes / 1024).toFixed(1)} kB of it source maps)`,
		target: '',
		met: null,
	});
	const packed = pack(root);
	rows.push({
		figure: 'npm package',
		value: `${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked`,
		target: `<= ${MAX_PACKED_BYTES / 1024} kB packed`,
		met: packed.size <= MAX_PACKED_BYTES,
	});
	const script = `
		const t0 = performance.now(); require('n8n-workflow'); const t1 = performance.now();
		require('./dist/nodes/Seedance/Seedance.node.js'); const t2 = performance.now();
		require('./dist/nodes/SeedanceTrigger/SeedanceTrigger.node.js'); require('./dist/credentials/SeedanceApi.credentials.js'); const t3 = performance.now();
		console.log(JSON.stringify([t1 - t0, t2 - t1, t3 - t2]));`;
	const runs = Array.from(
		{ length: 5 },
		() =>
			JSON.parse(
				execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }),
			) as number[],
	);
	const ms = (index: number) => `${median(runs.map((run) => run[index])).toFixed(1)} ms`;
	rows.push({
		figure: 'import time: Seedance.node.js (n8n-workflow already loaded)',
		value: ms(1),
		target: '',
		met: null,
	});
	rows.push({
		figure: 'import time: trigger + credential after it',
		value: ms(2),
		target: '',
		met: null,
	});
	rows.push({ figure: '  (n8n-workflow itself, for scale)', value: ms(0), target: '', met: null });
}

/** The execution data n8n stores for a 100-item Generate (its run data, serialised as n8n saves it). */
async function executionData(): Promise<void> {
	const emulator = await new Emulator({ latencyMs: 200 }).start();
	const items = Array.from({ length: 100 }, (_, index) => ({ json: { prompt: `Clip ${index}` } }));
	say('Execution data of a 100-item Generate (no download), Simplify on and off');
	const stored = async (simplify: boolean) => {
		const node = {
			...generateNode({ pollInterval: 0.1, downloadVideo: false }),
			typeVersion: 1.1,
		};
		node.parameters = { ...node.parameters, simplify };
		const result = await runWorkflow([itemsNode(items), node], {
			credentials: { seedanceApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } },
		});
		if (result.output('Seedance').length !== items.length) throw new Error('Batch incomplete');
		return JSON.stringify(result.run.data.resultData.runData).length;
	};
	try {
		const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
		const full = await stored(false);
		const lean = await stored(true);
		rows.push({
			figure: '100-item Generate, execution data, Simplify off',
			value: kilobytes(full),
			target: '',
			met: null,
		});
		rows.push({
			figure: '100-item Generate, execution data, Simplify on (default)',
			value: `${kilobytes(lean)} (${(full / lean).toFixed(1)}x smaller)`,
			target: 'smaller',
			met: lean < full,
		});
	} finally {
		await emulator.stop();
	}
}

async function main(): Promise<void> {
	const only = process.env.BENCH_ONLY;
	if (!only || only === 'batch') await batchVersusSequential();
	if (!only || only === 'reads') await readsPerLongJob();
	if ((!only || only === 'memory') && process.env.BENCH_SKIP_N8N !== '1') await downloadMemory();
	if (only === 'server') await downloadMemory('server');
	if (!only || only === 'package') packageFigures();
	if (!only || only === 'data') await executionData();
	if ((!only || only === 'queue') && process.env.BENCH_SKIP_N8N !== '1') await queueModeFigures();
	if (!only || only === 'callbacks') await callbackCosts();
	if (!only || only === 'pipeline') await pipelineFigures();
	printTable();
	if (rows.some((row) => row.met === false)) process.exitCode = 1;
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
