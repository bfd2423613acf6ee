/**
 * `npm run live`: for the publisher with a key, checks the emulator against the real API in One.
 * Runs the package's own node (in n8n-core's engine, as the integration tests do) through
 * Generate, Get Status, Wait with the download, and one callback, at the cheapest settings
 * (480p, 4 s, no audio: 8 credits a video), never beyond --max-credits. Every answer passes a
 * recording proxy on loopback; the answers and callback bodies, secrets redacted, go to
 * live-output/record-<date>.json and are compared with what the emulator assumes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { callbackSecretOf, callbackToken } from '../nodes/shared/domain/callbackToken';
import { SEEDANCE_MODEL, estimateCredits } from '../nodes/Seedance/domain/generation';
import { redactDeep } from '../nodes/shared/domain/redact';
import { itemsNode, runWorkflow, seedanceNode } from '../test/harness/n8n';
import {
	compareWithEmulator,
	formatDifferences,
	type CallbackDelivery,
	type Exchange,
	type LiveRecord,
} from './liveCompare';

/** The cheapest video the service makes: 8 credits. */
export const CHEAPEST = {
	model: SEEDANCE_MODEL,
	resolution: '480p',
	duration: '4',
	generateAudio: false,
	aspectRatio: '16:9',
} as const;
const CREDITS_PER_VIDEO = estimateCredits(CHEAPEST) ?? 8;
const PROMPT = 'A paper boat drifting on a calm lake at sunrise, gentle ripples';
const UNKNOWN_TASK = 'live-check-unknown-task';

const USAGE = `npm run live: checks the emulator's assumptions against the real API in One service.

  SEEDANCE_API_KEY=aio_... npm run live -- --max-credits 16 [--callback-url URL --callback-port 8787]

It spends at most --max-credits (default 8), counting each video at its estimate (${CREDITS_PER_VIDEO}
credits: ${CHEAPEST.model}, ${CHEAPEST.resolution}, ${CHEAPEST.duration} s, no audio) before it is
created: 8 runs Generate -> Get Status -> Wait with the download (and the callback); 16 adds a
Generate that waits and downloads itself. Base URL: SEEDANCE_BASE_URL (default https://apiin.one).

A callback needs a public URL the service can reach: start a tunnel to this machine's port
(--callback-port, default 8787; e.g. \`cloudflared tunnel --url http://127.0.0.1:8787\`) and pass
its address as --callback-url. Without it the callback is not checked; the rest still runs.

Options: --poll-interval <s> (default 5), --timeout-minutes <m> (default 15),
         --out-dir <folder> (default live-output).
The answers and callback bodies, key and tokens redacted, go to <out-dir>/record-<date>.json.`;

/** Refuses a create that would take the run past its allowance. */
export class CreditBudget {
	spent = 0;

	constructor(readonly max: number) {}

	/** Counts a create at its estimate before it is sent; false (and nothing counted) if over. */
	reserve(credits: number): boolean {
		if (this.spent + credits > this.max) return false;
		this.spent += credits;
		return true;
	}
}

export interface LiveOptions {
	argv: string[];
	env: Record<string, string | undefined>;
	/** Where live-output/ goes when --out-dir is not given. */
	root: string;
	log?: (line: string) => void;
}

export interface LiveResult {
	exitCode: number;
	recordPath?: string;
	record?: LiveRecord;
}

interface Server {
	url: string;
	close(): Promise<void>;
}

async function listen(server: http.Server, port: number): Promise<Server> {
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

async function readBody(request: http.IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** JSON when it is JSON, else the text (cut: an HTML error page needs no more). */
function parsed(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text.length > 2000 ? `${text.slice(0, 2000)}...` : text;
	}
}

/** A proxy on loopback that forwards to the service and records each exchange. */
async function startRecorder(
	target: string,
	exchanges: Exchange[],
	step: () => string,
): Promise<Server> {
	const server = http.createServer((request, response) => {
		void (async () => {
			const body = await readBody(request);
			const headers: Record<string, string> = {};
			for (const name of ['authorization', 'content-type', 'accept']) {
				const value = request.headers[name];
				if (typeof value === 'string') headers[name] = value;
			}
			const method = request.method ?? 'GET';
			try {
				const answer = await fetch(`${target}${request.url ?? '/'}`, {
					method,
					headers,
					body: method === 'GET' || method === 'HEAD' ? undefined : body,
					redirect: 'manual',
					signal: AbortSignal.timeout(60_000),
				});
				const text = await answer.text();
				exchanges.push({
					step: step(),
					method,
					path: request.url ?? '/',
					...(body.length ? { sent: parsed(body.toString('utf8')) } : {}),
					status: answer.status,
					body: parsed(text),
				});
				const pass: Record<string, string> = {};
				for (const name of ['content-type', 'retry-after', 'location']) {
					const value = answer.headers.get(name);
					if (value) pass[name] = value;
				}
				response.writeHead(answer.status, pass);
				response.end(text);
			} catch (error) {
				exchanges.push({
					step: step(),
					method,
					path: request.url ?? '/',
					status: 0,
					body: `no answer: ${(error as Error).message}`,
				});
				request.socket.destroy();
			}
		})();
	});
	return await listen(server, 0);
}

/** Receives the service's callbacks (through the publisher's tunnel) and answers 200 at once. */
async function startReceiver(port: number, callbacks: CallbackDelivery[]): Promise<Server> {
	const server = http.createServer((request, response) => {
		void readBody(request).then((body) => {
			callbacks.push({ path: request.url ?? '/', body: parsed(body.toString('utf8')) });
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end('{"received":true}');
		});
	});
	return await listen(server, port);
}

/** Signed links (the video's, a tunnel's) carry their secret in the query: keep only its name. */
export function redactLinkSecrets<T>(value: T): T {
	const signed = /([?&][^=&"\s]*(?:signature|token|sig|credential|key|secret)[^=&"\s]*=)[^&"\s]+/gi;
	return JSON.parse(JSON.stringify(value).replace(signed, '$1[redacted]')) as T;
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `npm run live`; returns the exit code instead of exiting, for the test. */
export async function runLive(options: LiveOptions): Promise<LiveResult> {
	const log = options.log ?? ((line: string) => console.log(line));
	const { values } = parseArgs({
		args: options.argv,
		options: {
			'max-credits': { type: 'string', default: String(CREDITS_PER_VIDEO) },
			'callback-url': { type: 'string' },
			'callback-port': { type: 'string', default: '8787' },
			'poll-interval': { type: 'string', default: '5' },
			'timeout-minutes': { type: 'string', default: '15' },
			'out-dir': { type: 'string' },
			help: { type: 'boolean', default: false },
		},
	});
	const key = options.env.SEEDANCE_API_KEY?.trim();
	if (values.help || !key) {
		log(USAGE);
		if (!key) log('\nSEEDANCE_API_KEY is not set: nothing was sent, nothing spent.');
		return { exitCode: 0 };
	}
	const maxCredits = Number(values['max-credits']);
	const pollInterval = Number(values['poll-interval']);
	const timeoutMinutes = Number(values['timeout-minutes']);
	const callbackPort = Number(values['callback-port']);
	const callbackUrl = values['callback-url'];
	if (![maxCredits, pollInterval, timeoutMinutes, callbackPort].every(Number.isFinite)) {
		log('--max-credits, --poll-interval, --timeout-minutes and --callback-port take numbers.');
		return { exitCode: 1 };
	}
	if (maxCredits < CREDITS_PER_VIDEO) {
		log(
			`--max-credits ${maxCredits} is less than one video at the cheapest settings (${CREDITS_PER_VIDEO} credits): nothing was sent, nothing spent.`,
		);
		return { exitCode: 1 };
	}
	const baseUrl = (options.env.SEEDANCE_BASE_URL?.trim() || 'https://apiin.one').replace(
		/\/+$/,
		'',
	);
	const budget = new CreditBudget(maxCredits);
	// Tokens are bound to their URL: the one the callback carries is made for --callback-url.
	const secrets = [
		key,
		...(callbackUrl ? [callbackToken(callbackSecretOf({ apiKey: key }), callbackUrl)] : []),
	];
	const exchanges: Exchange[] = [];
	const callbacks: CallbackDelivery[] = [];
	const steps: Array<{ step: string; ok: boolean; output?: IDataObject; error?: string }> = [];
	const notes: string[] = [];
	const outDir = values['out-dir'] ?? path.join(options.root, 'live-output');
	let current = 'setup';

	log(
		`==> Live check against ${baseUrl}: at most ${maxCredits} credits (${CREDITS_PER_VIDEO} a video: ${CHEAPEST.resolution}, ${CHEAPEST.duration} s, no audio)`,
	);
	const recorder = await startRecorder(baseUrl, exchanges, () => current);
	const receiver = callbackUrl ? await startReceiver(callbackPort, callbacks) : undefined;
	if (!callbackUrl) {
		const note =
			'No --callback-url: the callback is not checked (the service needs a public URL; see --help).';
		notes.push(note);
		log(`==> ${note}`);
	} else log(`==> Callbacks: ${callbackUrl} -> ${receiver?.url}`);
	const credentials: Record<string, ICredentialDataDecryptedObject> = {
		seedanceApi: { apiKey: key, baseUrl: recorder.url },
	};

	/** One workflow run: Items -> Seedance with these parameters; its first item or its error. */
	const node = async (step: string, parameters: IDataObject): Promise<IDataObject | undefined> => {
		current = step;
		log(`==> ${step}`);
		const result = await runWorkflow(
			[
				itemsNode([{ json: {} }]),
				seedanceNode({ resource: 'video', simplify: false, ...parameters }),
			],
			{ credentials },
		);
		const error = result.errorOf('Seedance');
		const [item] = result.output('Seedance');
		const output = item ? { ...item.json } : undefined;
		if (item?.binary?.data) {
			const binary = item.binary.data;
			const bytes = Buffer.from(binary.data, 'base64');
			mkdirSync(outDir, { recursive: true });
			const file = path.join(outDir, binary.fileName ?? `${String(item.json.taskId)}.mp4`);
			writeFileSync(file, bytes);
			if (output) output.download = { bytes: bytes.length, mimeType: binary.mimeType, file };
		}
		steps.push({
			step,
			ok: !error,
			output,
			error: error
				? `${error.message}${error.description ? ` (${error.description})` : ''}`
				: undefined,
		});
		log(
			error
				? `    failed: ${error.message}`
				: `    task ${String(output?.taskId)}: ${String(output?.state)} (service said "${String(output?.rawStatus)}")`,
		);
		return error ? undefined : output;
	};
	const generate = async (step: string, extra: IDataObject): Promise<IDataObject | undefined> => {
		// Counted before it is sent; the node's own Max Credits refuses anything dearer.
		if (!budget.reserve(CREDITS_PER_VIDEO)) {
			const note = `${step} skipped: it would spend ${budget.spent + CREDITS_PER_VIDEO} of --max-credits ${maxCredits}.`;
			notes.push(note);
			log(`==> ${note}`);
			return undefined;
		}
		return await node(step, {
			operation: 'generate',
			prompt: PROMPT,
			aspectRatio: CHEAPEST.aspectRatio,
			resolution: CHEAPEST.resolution,
			duration: CHEAPEST.duration,
			generateAudio: CHEAPEST.generateAudio,
			fixedLens: false,
			...extra,
			options: { maxCredits: CREDITS_PER_VIDEO, ...(extra.options as IDataObject) },
		});
	};
	const waitOptions = {
		pollInterval,
		maxWaitTime: timeoutMinutes * 60,
		downloadVideo: true,
	};

	try {
		// Free: the answers to a wrong key and to an unknown task.
		current = 'bad-key';
		log('==> bad-key (a wrong key, free)');
		await fetch(`${recorder.url}/api/v1/tasks/${UNKNOWN_TASK}`, {
			headers: { authorization: 'Bearer aio_live_check_not_a_key' },
		}).then(async (response) => await response.text());
		await node('unknown-task', { operation: 'getStatus', taskId: UNKNOWN_TASK });

		const created = await generate('generate', {
			callbackUrl: callbackUrl ?? '',
			waitForCompletion: false,
		});
		const taskId = created?.taskId;
		if (typeof taskId === 'string') {
			await node('get-status', { operation: 'getStatus', taskId });
			await node('wait', { operation: 'wait', taskId, options: waitOptions });
			if (receiver) {
				current = 'callback';
				log('==> callback: waiting for the service to call');
				const deadline = Date.now() + Math.min(timeoutMinutes, 5) * 60_000;
				while (
					!callbacks.some((callback) => JSON.stringify(callback.body).includes(taskId)) &&
					Date.now() < deadline
				)
					await sleep(500);
				log(`    ${callbacks.length} callback(s) received`);
			}
		}
		await generate('generate-and-wait', {
			waitForCompletion: true,
			options: waitOptions,
		});
	} finally {
		await recorder.close();
		await receiver?.close();
	}

	const record: LiveRecord = redactLinkSecrets(
		redactDeep(
			{
				startedAt: new Date().toISOString(),
				baseUrl,
				settings: { ...CHEAPEST, maxCredits, creditsCounted: budget.spent, callbackUrl },
				exchanges,
				...(callbackUrl ? { callbacks } : {}),
				steps,
				notes,
			},
			secrets,
		),
	);
	const differences = compareWithEmulator(record);
	record.differences = differences;
	mkdirSync(outDir, { recursive: true });
	const recordPath = path.join(outDir, `record-${record.startedAt.replace(/[:.]/g, '-')}.json`);
	writeFileSync(recordPath, `${JSON.stringify(record, null, '\t')}\n`);
	log(`\n==> ${budget.spent} credits counted; the record: ${recordPath}\n`);
	log(formatDifferences(differences));
	const failed = steps.filter((step) => !step.ok && step.step !== 'unknown-task');
	return { exitCode: failed.length ? 1 : 0, recordPath, record };
}

if (require.main === module) {
	void runLive({
		argv: process.argv.slice(2),
		env: process.env,
		// Runs compiled from .build/scripts (see scripts/live.sh).
		root: path.resolve(__dirname, '../..'),
	}).then(
		(result) => (process.exitCode = result.exitCode),
		(error: unknown) => {
			console.error(error);
			process.exitCode = 1;
		},
	);
}
