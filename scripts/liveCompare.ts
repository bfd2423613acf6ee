/**
 * `npm run live`'s comparison: what the real service answered (a recording) against what the
 * emulator assumes (test/emulator/shapes.ts, the contract's default shape). Pure: it reads a
 * recording and lists each difference, so it is tested on recorded samples.
 */
import { stateFromWord } from '../nodes/shared/domain/task';
import { SHAPES, createdBody, type EmulatedState } from '../test/emulator/shapes';

/** One request the node (or the script) sent and the service's answer. */
export interface Exchange {
	/** generate, get-status, wait, bad-key, unknown-task... */
	step: string;
	method: string;
	path: string;
	/** The request body, when there was one. */
	sent?: unknown;
	status: number;
	body: unknown;
}

export interface CallbackDelivery {
	path: string;
	body: unknown;
}

export interface LiveRecord {
	startedAt: string;
	baseUrl: string;
	exchanges: Exchange[];
	/** Callback bodies received; undefined when no callback was asked for. */
	callbacks?: CallbackDelivery[];
	[other: string]: unknown;
}

export interface Difference {
	topic: string;
	emulator: string;
	service: string;
}

const ID = 'n1abc_seedance';
const STATES: EmulatedState[] = [
	'queued',
	'running',
	'succeeded',
	'failed',
	'cancelled',
	'expired',
];
const emulatorStatus = (state: EmulatedState) =>
	SHAPES.default({
		taskId: ID,
		state,
		progress: state === 'succeeded' ? 100 : 50,
		videoUrl: 'https://files.example/v.mp4',
		error: 'Task failed',
	});
/** The status words of the emulator's default shape, by state. */
const EMULATOR_WORDS = new Map(
	STATES.map((state) => [state, String((emulatorStatus(state).data as { status: string }).status)]),
);
/** The error answers the emulator gives (test/emulator/server.ts): a code and a message. */
const EMULATOR_ERRORS: Record<string, { status: number; body: Record<string, unknown> }> = {
	'bad-key': { status: 401, body: { code: 401, message: 'Invalid API key' } },
	'unknown-task': { status: 404, body: { code: 404, message: 'Task x not found' } },
};

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';
const kindOf = (value: unknown): Kind =>
	value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as Kind);

/** Every leaf of a JSON value by its path (`data.output.video_url`, `urls[]`), with its kind. */
export function leaves(value: unknown, prefix = ''): Map<string, Kind> {
	const found = new Map<string, Kind>();
	const kind = kindOf(value);
	if (kind === 'object' && Object.keys(value as object).length > 0) {
		for (const [key, child] of Object.entries(value as Record<string, unknown>))
			for (const [path, childKind] of leaves(child, prefix ? `${prefix}.${key}` : key))
				found.set(path, childKind);
	} else if (kind === 'array' && (value as unknown[]).length > 0) {
		for (const child of value as unknown[])
			for (const [path, childKind] of leaves(child, `${prefix}[]`)) found.set(path, childKind);
	} else if (prefix) found.set(prefix, kind);
	return found;
}

/** The value at a dotted path, or undefined. */
function at(value: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(node, key) =>
				node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
			value,
		);
}

/** Paths whose last key matches, shallowest first. */
function pathsNamed(value: unknown, name: RegExp): string[] {
	return [...leaves(value).keys()]
		.filter((path) => name.test(path.split('.').at(-1) ?? ''))
		.sort((a, b) => a.split('.').length - b.split('.').length);
}

/** Paths of string values that are web links. */
function linkPaths(value: unknown): Array<{ path: string; url: string }> {
	const links: Array<{ path: string; url: string }> = [];
	const walk = (node: unknown, path: string) => {
		if (typeof node === 'string') {
			if (/^https?:\/\//i.test(node)) links.push({ path, url: node });
			// A JSON string holding links (resultJson): its links count, under the string's path.
			else if (/^\s*[[{]/.test(node)) {
				try {
					walk(JSON.parse(node), `${path}(json)`);
				} catch {
					// Not JSON: plain text.
				}
			}
		} else if (Array.isArray(node)) node.forEach((child) => walk(child, `${path}[]`));
		else if (node && typeof node === 'object')
			for (const [key, child] of Object.entries(node)) walk(child, path ? `${path}.${key}` : key);
	};
	walk(value, '');
	return links;
}

/** Compares one answer's fields with the emulator's for the same answer: missing, extra, kinds. */
function compareFields(topic: string, expected: unknown, found: unknown): Difference[] {
	const want = leaves(expected);
	const got = leaves(found);
	const differences: Difference[] = [];
	// The emulator's null fields (output, error before the end) may simply be left out.
	const missing = [...want].filter(([path, kind]) => kind !== 'null' && !got.has(path));
	const extra = [...got.keys()].filter((path) => !want.has(path));
	if (missing.length)
		differences.push({
			topic: `${topic}: fields the emulator sends that the service did not`,
			emulator: missing.map(([path]) => path).join(', '),
			service: 'absent',
		});
	if (extra.length)
		differences.push({
			topic: `${topic}: fields the service sent that the emulator does not`,
			emulator: 'absent',
			service: extra.join(', '),
		});
	for (const [path, kind] of got) {
		const wanted = want.get(path);
		if (wanted && wanted !== kind && wanted !== 'null' && kind !== 'null')
			differences.push({
				topic: `${topic}: ${path} is of another type`,
				emulator: wanted,
				service: `${kind} (${JSON.stringify(at(found, path.replace(/\[\]/g, '')))})`,
			});
	}
	return differences;
}

/** The status word of an answer and where it was, as the emulator has it or found elsewhere. */
function statusWordOf(body: unknown): { path: string; word: string } | undefined {
	const inPlace = at(body, 'data.status');
	if (typeof inPlace === 'string') return { path: 'data.status', word: inPlace };
	const path = pathsNamed(body, /^(status|state)$/i).find(
		(candidate) => typeof at(body, candidate) === 'string',
	);
	return path ? { path, word: String(at(body, path)) } : undefined;
}

const hostOf = (url: string) => {
	try {
		return new URL(url);
	} catch {
		return undefined;
	}
};
/** example.com for cdn.example.com; an IP address stays whole. */
const domainOf = (host: string) =>
	/^[\d.]+$|:/.test(host) ? host : host.split('.').slice(-2).join('.');

/** One task answer (status route or callback): status word, fields, and the video link. */
function compareTaskAnswer(topic: string, body: unknown, baseUrl: string): Difference[] {
	const differences: Difference[] = [];
	const status = statusWordOf(body);
	if (!status) {
		differences.push({
			topic: `${topic}: status word`,
			emulator: 'data.status',
			service: 'no status or state field',
		});
		return [...differences, ...compareFields(topic, emulatorStatus('running'), body)];
	}
	if (status.path !== 'data.status')
		differences.push({
			topic: `${topic}: status word location`,
			emulator: 'data.status',
			service: status.path,
		});
	const state = stateFromWord(status.word);
	if (EMULATOR_WORDS.get(state) !== status.word)
		differences.push({
			topic: `${topic}: status word "${status.word}"`,
			emulator: `${[...EMULATOR_WORDS.values()].join(', ')}`,
			service: `"${status.word}", which the node reads as ${state}${state === 'running' ? ' (unknown words count as running until the wait deadline)' : ''}`,
		});
	differences.push(...compareFields(topic, emulatorStatus(state), body));
	if (state === 'succeeded') differences.push(...compareLinks(topic, body, baseUrl));
	return differences;
}

function compareLinks(topic: string, body: unknown, baseUrl: string): Difference[] {
	const links = linkPaths(body);
	if (links.length === 0)
		return [
			{
				topic: `${topic}: video link`,
				emulator: 'data.output.video_url',
				service: 'no link in the finished task',
			},
		];
	const differences: Difference[] = [];
	const video = links.find((link) => link.path === 'data.output.video_url') ?? links[0];
	if (video.path !== 'data.output.video_url')
		differences.push({
			topic: `${topic}: video link location`,
			emulator: 'data.output.video_url',
			service: links.map((link) => link.path).join(', '),
		});
	const link = hostOf(video.url);
	const base = hostOf(baseUrl);
	if (link && base) {
		if (link.origin === base.origin)
			differences.push({
				topic: `${topic}: video link host`,
				emulator: "a separate origin from the Base URL (the emulator's CDN)",
				service: `the Base URL's own origin ${link.origin}`,
			});
		else if (domainOf(link.hostname) !== domainOf(base.hostname))
			differences.push({
				topic: `${topic}: video link host`,
				emulator: `a host of the Base URL's domain (${domainOf(base.hostname)})`,
				service: `${link.hostname} (another domain)`,
			});
		if (base.protocol === 'https:' && link.protocol !== 'https:')
			differences.push({
				topic: `${topic}: video link scheme`,
				emulator: 'https',
				service: link.protocol.replace(':', ''),
			});
	}
	return differences;
}

const isCreate = (exchange: Exchange) =>
	exchange.method === 'POST' && exchange.path.startsWith('/api/v1/videos/generations');
const isStatus = (exchange: Exchange) =>
	exchange.method === 'GET' && exchange.path.startsWith('/api/v1/tasks/');
const ok = (exchange: Exchange) => exchange.status >= 200 && exchange.status < 300;

/** Each difference once, in order of first appearance. */
function unique(differences: Difference[]): Difference[] {
	const seen = new Set<string>();
	return differences.filter((difference) => {
		const key = JSON.stringify(difference);
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/** Every difference between the recording and what the emulator assumes. */
export function compareWithEmulator(record: LiveRecord): Difference[] {
	const differences: Difference[] = [];
	for (const exchange of record.exchanges.filter((item) => isCreate(item) && ok(item))) {
		differences.push(...compareFields('Create answer', createdBody(ID), exchange.body));
		if (typeof at(exchange.body, 'data.task_id') !== 'string')
			differences.push({
				topic: 'Create answer: task id location',
				emulator: 'data.task_id',
				service: pathsNamed(exchange.body, /^(task_?id|id)$/i).join(', ') || 'no id field',
			});
	}
	for (const exchange of record.exchanges.filter((item) => isStatus(item) && ok(item)))
		differences.push(...compareTaskAnswer('Status answer', exchange.body, record.baseUrl));
	for (const [step, expected] of Object.entries(EMULATOR_ERRORS)) {
		for (const exchange of record.exchanges.filter((item) => item.step === step)) {
			const topic = `Error answer (${step})`;
			if (exchange.status !== expected.status)
				differences.push({
					topic: `${topic}: HTTP status`,
					emulator: String(expected.status),
					service: String(exchange.status),
				});
			differences.push(...compareFields(topic, expected.body, exchange.body));
		}
	}
	if (record.callbacks !== undefined && record.callbacks.length === 0)
		differences.push({
			topic: 'Callback',
			emulator: 'one POST on the terminal state, body shaped like the status answer',
			service: 'no callback arrived',
		});
	for (const callback of record.callbacks ?? [])
		differences.push(...compareTaskAnswer('Callback body', callback.body, record.baseUrl));
	return unique(differences);
}

/** The printed form: one block per difference, or a line saying everything matched. */
export function formatDifferences(differences: Difference[]): string {
	if (differences.length === 0)
		return 'The service answered as the emulator assumes: no difference found.';
	return [
		`${differences.length} difference(s) between the service and the emulator:`,
		...differences.map(
			(difference) =>
				`- ${difference.topic}\n    emulator: ${difference.emulator}\n    service:  ${difference.service}`,
		),
	].join('\n');
}
