/**
 * The memory figures of `npm run bench`: a real n8n (filesystem binary mode) downloading a 1 GB
 * video through the Seedance node from the emulator on loopback.
 *   - the target figure: n8n as it runs for its users, a server (`n8n start`) at rest whose
 *     workflow a webhook call starts; the growth of its RSS during that run;
 *   - the same download under `n8n execute` (a process that starts, runs one workflow and exits),
 *     the V8 collections behind its larger growth, and the n8n setting that shrinks it;
 *   - what a bare Node process needs to store the same bytes (no n8n, no node code).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Emulator } from '../../test/emulator/server';
import { NEWEST_N8N, RealN8n, freePort, installN8n, packPackage } from '../../test/harness/realN8n';
import { median, megabytes, rows, say, seconds } from './table';

const root = path.resolve(__dirname, '../../..');
const GB = 1024 ** 3;
const MB = 1024 ** 2;
/** The emulator's sample MP4: a run that downloads next to nothing. */
const SMALL = 2115;
const LIMIT = 64 * MB;
const CLI_WORKFLOW = 'seedanceDemo0001';
const SERVER_WORKFLOW = 'seedanceBenchSrv';
const WEBHOOK_PATH = 'bench-download';
/** Servers started for the server figure; each is measured once per figure, the median printed. */
const SERVERS = 5;
// The one setting found that changes the `n8n execute` figure: a smaller V8 young generation (see
// docs/performance.md).
const TUNED = '--max-semi-space-size=1';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process's resident memory now and its peak since start or the last reset (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kB = (field: string) =>
		Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
	return { rss: kB('VmRSS'), peak: kB('VmHWM') };
}

/**
 * Runs a command to its end and returns its peak RSS (and its output); fails when the command does.
 */
async function peakOfCommand(
	command: string,
	args: string[],
	env: NodeJS.ProcessEnv,
	what: string,
): Promise<{ high: number; ms: number; output: string }> {
	const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	let done = false;
	const exited = new Promise<number>((resolve) =>
		child.on('close', (code) => ((done = true), resolve(code ?? 1))),
	);
	const started = Date.now();
	let high = 0;
	while (!done) {
		try {
			high = Math.max(high, memoryOf(child.pid!).peak);
		} catch {
			break;
		}
		await pause(50);
	}
	if ((await exited) !== 0) throw new Error(`${what} failed:\n${output.slice(-2000)}`);
	return { high, ms: Date.now() - started, output };
}

/** Bytes of the video the last execution of a workflow stored (n8n's filesystem binary data). */
async function storedBytes(n8n: RealN8n, workflowId: string, nodeName: string): Promise<number> {
	const [execution] = (await n8n.executions(workflowId)).slice(-1);
	const binary = (await n8n.runOf(execution.id)).resultData.runData[nodeName]?.at(-1)?.data
		?.main[0][0].binary?.data;
	return binary ? statSync(n8n.binaryPath(binary)).size : 0;
}

/**
 * Installs the package, a credential, the example workflow (run by `n8n execute`) and the same node
 * behind a webhook (run by the server).
 */
async function setUp(n8n: RealN8n, emulator: Emulator): Promise<string> {
	n8n.installPackage(packPackage(tmpdir()));
	await n8n.importCredential({
		id: 'seedanceCred01',
		name: 'Seedance (API in One)',
		type: 'seedanceApi',
		data: { apiKey: emulator.apiKey, baseUrl: emulator.url },
	});
	const example = JSON.parse(
		readFileSync(path.join(root, 'examples/generate-and-download.json'), 'utf8'),
	) as { nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }> };
	const generate = example.nodes.find((node) => node.type === 'n8n-nodes-seedance.seedance')!;
	Object.assign(generate.parameters.options as Record<string, unknown>, {
		pollInterval: 0.2,
		requestTimeout: 600,
	});
	await n8n.importWorkflow(example);
	const webhook = {
		id: 'b0000000-5eed-4000-8000-000000000001',
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: 'b0000000-5eed-4000-8000-0000000000aa',
		// Answer when the run ends, without sending the video back.
		parameters: {
			httpMethod: 'POST',
			path: WEBHOOK_PATH,
			responseMode: 'lastNode',
			responseData: 'noData',
			options: {},
		},
	};
	await n8n.importWorkflow({
		id: SERVER_WORKFLOW,
		name: 'Bench: download on a webhook call',
		nodes: [webhook, generate],
		connections: { [webhook.name]: { main: [[{ node: generate.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	});
	await n8n.activate(SERVER_WORKFLOW);
	return generate.name;
}

/**
 * Waits until the server's RSS holds still (within 2 MB for 30 s), as a server between scheduled
 * runs does; returns it.
 */
async function atRest(pid: number): Promise<number> {
	const readings: number[] = [];
	for (const end = Date.now() + 120_000; Date.now() < end;) {
		await pause(2500);
		readings.push(memoryOf(pid).rss);
		const last = readings.slice(-13);
		if (last.length === 13 && Math.max(...last) - Math.min(...last) <= 2 * MB) break;
	}
	return readings.at(-1)!;
}

/**
 * One webhook-started run on the server downloading `bytes`: the peak RSS during the run (the
 * peak is reset to the current RSS just before it: Linux `clear_refs` 5) minus the RSS then.
 */
async function serverRunGrowth(
	n8n: RealN8n,
	emulator: Emulator,
	bytes: number,
	nodeName: string,
): Promise<number> {
	const pid = n8n.pid!;
	emulator.options.downloadBytes = bytes;
	writeFileSync(`/proc/${pid}/clear_refs`, '5');
	const before = memoryOf(pid).rss;
	const response = await fetch(n8n.webhookUrl(WEBHOOK_PATH), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: '{}',
	});
	const body = await response.text();
	const growth = memoryOf(pid).peak - before;
	if (!response.ok)
		throw new Error(`The server's run failed (HTTP ${response.status}): ${body.slice(0, 500)}`);
	const stored = await storedBytes(n8n, SERVER_WORKFLOW, nodeName);
	if (stored !== bytes) throw new Error(`n8n stored ${stored} bytes, not ${bytes}`);
	return growth;
}

async function serverFigures(n8n: RealN8n, emulator: Emulator, nodeName: string): Promise<void> {
	const rest: number[] = [];
	const first: number[] = [];
	const next: number[] = [];
	for (let server = 1; server <= SERVERS; server++) {
		say(`Memory: n8n start (${server} of ${SERVERS}): two 2 KB runs, at rest, then 1 GB twice`);
		await n8n.start(await freePort(), [WEBHOOK_PATH]);
		try {
			// The first runs load the node and n8n's execution paths, as a server at rest did long ago.
			for (let warm = 0; warm < 2; warm++) await serverRunGrowth(n8n, emulator, SMALL, nodeName);
			rest.push(await atRest(n8n.pid!));
			first.push(await serverRunGrowth(n8n, emulator, GB, nodeName));
			next.push(await serverRunGrowth(n8n, emulator, GB, nodeName));
		} finally {
			await n8n.stop();
		}
	}
	const runs = (values: number[]) =>
		`${megabytes(median(values))} (${values.map((value) => (value / MB).toFixed(1)).join(', ')})`;
	rows.push({
		figure: `n8n start: RSS of the server at rest (${SERVERS} servers)`,
		value: runs(rest),
		target: '',
		met: null,
	});
	rows.push({
		figure: '  growth while a webhook-started run downloads 1 GB',
		value: runs(first),
		target: '<= 64 MB',
		met: median(first) <= LIMIT,
	});
	rows.push({
		figure: '  growth of the next 1 GB download in the same server',
		value: runs(next),
		target: '',
		met: null,
	});
}

/** Garbage collections V8 reports (`--trace-gc`) in one `n8n execute`, by kind. */
function collectionsIn(output: string): { full: number; young: number } {
	return {
		full: output.match(/: Mark-Compact /g)?.length ?? 0,
		young: output.match(/: (Scavenge|Minor Mark-Sweep)/g)?.length ?? 0,
	};
}

async function cliFigures(n8n: RealN8n, emulator: Emulator, nodeName: string): Promise<void> {
	const bin = path.join(n8n.dir, 'node_modules/.bin/n8n');
	const run = async (bytes: number, how: { nodeOptions?: string; nodeFlags?: string[] } = {}) => {
		emulator.options.downloadBytes = bytes;
		const env = how.nodeOptions
			? {
					...n8n.environment,
					NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${how.nodeOptions}`.trim(),
				}
			: n8n.environment;
		const [command, args] = how.nodeFlags
			? [process.execPath, [...how.nodeFlags, bin, 'execute', `--id=${CLI_WORKFLOW}`]]
			: [bin, ['execute', `--id=${CLI_WORKFLOW}`]];
		const result = await peakOfCommand(
			command,
			args,
			env,
			`n8n execute downloading ${bytes} bytes`,
		);
		const stored = await storedBytes(n8n, CLI_WORKFLOW, nodeName);
		if (stored !== bytes) throw new Error(`n8n stored ${stored} bytes, not ${bytes}`);
		return result;
	};
	// A whole process's peak varies by about 10 MB with n8n's start-up: each growth is the median of
	// three big/small pairs.
	const growthOf = async (bytes: number, how: { nodeOptions?: string } = {}) => {
		const pairs: Array<{ growth: number; small: number; big: number; ms: number }> = [];
		for (let pair = 0; pair < 3; pair++) {
			const big = await run(bytes, how);
			const small = await run(SMALL, how);
			pairs.push({ growth: big.high - small.high, small: small.high, big: big.high, ms: big.ms });
		}
		return pairs.sort((a, b) => a.growth - b.growth)[1];
	};
	say('Memory: n8n execute, 1 GB and 256 MB against 2 KB');
	const big = await growthOf(GB);
	const quarter = await growthOf(GB / 4);
	say(`Memory: which collections V8 ran (--trace-gc), and the same with NODE_OPTIONS=${TUNED}`);
	const traced = collectionsIn((await run(GB, { nodeFlags: ['--trace-gc'] })).output);
	const tracedSmall = collectionsIn((await run(SMALL, { nodeFlags: ['--trace-gc'] })).output);
	const tuned = await growthOf(GB, { nodeOptions: TUNED });
	rows.push({
		figure: 'n8n execute (one-shot process): peak RSS, 2 KB / 1 GB video',
		value: `${(big.small / MB).toFixed(0)} MB / ${(big.big / MB).toFixed(0)} MB (${seconds(big.ms)})`,
		target: '',
		met: null,
	});
	rows.push({
		figure: '  its growth for 256 MB / 1 GB (peak over a 2 KB run)',
		value: `${megabytes(quarter.growth)} / ${megabytes(big.growth)}`,
		target: '',
		met: null,
	});
	rows.push({
		figure: '  V8 collections the 1 GB download added: full / young',
		value: `${traced.full - tracedSmall.full} / ${traced.young - tracedSmall.young}`,
		target: '',
		met: null,
	});
	rows.push({
		figure: `  growth for 1 GB with NODE_OPTIONS=${TUNED}`,
		value: `${megabytes(tuned.growth)} (peak ${(tuned.big / MB).toFixed(0)} MB)`,
		target: '',
		met: null,
	});
}

/**
 * What Node itself needs, with no n8n and no node code: a bare process receiving the same video
 * from the emulator into a file as n8n stores binary data (`fs.promises.writeFile(path, stream)`);
 * growth of 1 GB over 2 KB, median of three, measured as for `n8n execute`.
 */
async function nodeFloor(emulator: Emulator): Promise<void> {
	const [task] = [...emulator.tasks.values()].slice(-1);
	const url = `${emulator.url}/files/${task.taskId}.mp4?expires=later`;
	const target = path.join(tmpdir(), `seedance-floor-${process.pid}.bin`);
	const script = `
		require('node:http').get(${JSON.stringify(url)}, (response) => {
			require('node:fs/promises').writeFile(${JSON.stringify(target)}, response).then(() => process.exit(0), () => process.exit(1));
		}).on('error', () => process.exit(1));`;
	const once = async (size: number) => {
		emulator.options.downloadBytes = size;
		return (
			await peakOfCommand(process.execPath, ['-e', script], process.env, 'the bare Node download')
		).high;
	};
	try {
		const runs: number[] = [];
		for (let run = 0; run < 3; run++) runs.push((await once(GB)) - (await once(SMALL)));
		rows.push({
			figure: 'floor: plain Node, no n8n, 1 GB socket -> file (as n8n stores it)',
			value: megabytes(median(runs)),
			target: '',
			met: null,
		});
	} finally {
		rmSync(target, { force: true });
	}
}

/** `part`: 'server' measures only the server figures (BENCH_ONLY=server). */
export async function downloadMemory(part: 'all' | 'server' = 'all'): Promise<void> {
	const version = process.env.BENCH_N8N_VERSION ?? NEWEST_N8N;
	say(`Memory: a real n8n ${version} (filesystem binary mode) downloading 1 GB through the node`);
	const n8n = new RealN8n(version, installN8n(version));
	const emulator = await new Emulator({ latencyMs: 500 }).start();
	try {
		const nodeName = await setUp(n8n, emulator);
		await serverFigures(n8n, emulator, nodeName);
		if (part === 'server') return;
		await cliFigures(n8n, emulator, nodeName);
		await nodeFloor(emulator);
	} finally {
		await emulator.stop();
		await n8n.stop();
		n8n.remove();
	}
}
