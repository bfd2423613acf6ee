/**
 * The fault suite: one 100-item Generate batch (wait + download, Continue On Fail) while the
 * emulator injects every fault the contract names, at random but reproducibly (seeded). Every
 * item must end in a result or a clear error with its task id, no create may be sent twice,
 * nothing may be lost, and the API key must appear nowhere. Prints its figures.
 */

import { SAMPLE_MP4, type Fault, type Route } from '../../../../emulator/server';
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { captureLogs, leaks, useEmulator } from '../../../../helpers';

// n8n's logger at its most verbose, so the node's retry lines are among what is searched for the
// key
// (read when this file's logger is first made; put back so later test files in the worker stay
// quiet).
const logLevelBefore = process.env.N8N_LOG_LEVEL;
process.env.N8N_LOG_LEVEL = 'debug';
afterAll(() => {
	if (logLevelBefore === undefined) delete process.env.N8N_LOG_LEVEL;
	else process.env.N8N_LOG_LEVEL = logLevelBefore;
});

const { emulator, credentials } = useEmulator({ latencyMs: 800 });

const ITEMS = 100;

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** What happens to item i's task: the prompt markers the emulator understands. */
const TASK_FATES = [
	'',
	'',
	'',
	'',
	'',
	'[fail]',
	'[expire]',
	'[never]',
	'[unknown-status]',
	'[expire-url]',
] as const;
const fateOf = (index: number) => TASK_FATES[index % TASK_FATES.length];

type Weighted = Array<[number, Fault]>;
const FAULTS: Record<Route, Weighted> = {
	create: [
		[0.06, { kind: 'status', code: 429, retryAfter: '1' }],
		[0.04, { kind: 'status', code: 429 }],
		[0.02, { kind: 'status', code: 500 }],
		[0.02, { kind: 'status', code: 503 }],
		[0.02, { kind: 'reset' }],
		[0.02, { kind: 'resetAfterCreate' }],
	],
	status: [
		[0.04, { kind: 'status', code: 429, retryAfter: '0.2' }],
		[0.03, { kind: 'status', code: 429 }],
		[0.02, { kind: 'status', code: 500 }],
		[0.02, { kind: 'status', code: 502 }],
		[0.02, { kind: 'status', code: 503 }],
		[0.03, { kind: 'reset' }],
		[0.02, { kind: 'slow', ms: 1500 }],
		[0.03, { kind: 'malformed' }],
	],
	download: [
		[0.05, { kind: 'status', code: 503 }],
		[0.03, { kind: 'reset' }],
	],
};

function itemOf(body: unknown): number | null {
	const match = /#(\d+)\b/.exec(String((body as { prompt?: unknown } | undefined)?.prompt ?? ''));
	return match ? Number(match[1]) : null;
}

describe('Fault suite: a 100-item batch under every injected fault', () => {
	it('ends every item in a result or a clear error with its task id; no duplicate creates, nothing lost, no key anywhere', async () => {
		const random = seeded(Number(process.env.FAULT_SEED ?? 20261125));
		const injected: Record<string, number> = {};
		const refusedCreates: number[] = [];
		const lostAnswers = new Set<number>();
		// Every kind of fault at least once (the first requests of each route), then at random.
		const firstOfEach: Record<Route, Fault[]> = {
			create: FAULTS.create.map(([, fault]) => fault),
			status: FAULTS.status.map(([, fault]) => fault),
			download: FAULTS.download.map(([, fault]) => fault),
		};
		const describeFault = (route: Route, fault: Fault) =>
			`${route} ${fault.kind === 'status' ? `${fault.code}${fault.retryAfter ? ' + Retry-After' : ''}` : fault.kind}`;
		const note = (route: Route, fault: Fault, body: unknown) => {
			injected[describeFault(route, fault)] = (injected[describeFault(route, fault)] ?? 0) + 1;
			if (route === 'create' && fault.kind === 'status' && fault.code === 429)
				refusedCreates.push(itemOf(body) ?? -1);
			if (route === 'create' && fault.kind === 'resetAfterCreate')
				lostAnswers.add(itemOf(body) ?? -1);
			return fault;
		};
		emulator.faultSource = (route, request) => {
			const forced = firstOfEach[route].shift();
			if (forced) return note(route, forced, request.body);
			let roll = random();
			for (const [chance, fault] of FAULTS[route]) {
				if (roll < chance) return note(route, fault, request.body);
				roll -= chance;
			}
			return undefined;
		};

		// Everything the engine and n8n print while the batch runs, to look for the key in it.
		const capture = captureLogs();
		const logged = capture.lines;

		const items = Array.from({ length: ITEMS }, (_, index) => ({
			json: { prompt: `Clip #${index} ${fateOf(index)}` },
		}));
		const node = seedanceNode(
			{
				resource: 'video',
				operation: 'generate',
				prompt: '={{ $json.prompt }}',
				options: { pollInterval: 0.1, maxWaitTime: 15, requestTimeout: 1, concurrency: 10 },
			},
			{ onError: 'continueRegularOutput' },
		);
		const began = Date.now();
		let result;
		try {
			result = await runWorkflow([itemsNode(items), node], { credentials: credentials() });
		} finally {
			capture.restore();
		}
		const seconds = (Date.now() - began) / 1000;

		expect(result.errorOf('Seedance')).toBeUndefined();
		const output = result.output('Seedance');
		// Nothing lost, input order and pairing kept.
		expect(output).toHaveLength(ITEMS);
		output.forEach((item, index) => expect(item.pairedItem).toEqual({ item: index }));

		// At most one task per item: a create is never re-sent once it may have reached the service.
		const tasksByItem = new Map<number, string[]>();
		for (const task of emulator.tasks.values()) {
			const index = itemOf(task.body)!;
			tasksByItem.set(index, [...(tasksByItem.get(index) ?? []), task.taskId]);
		}
		const duplicates = [...tasksByItem.values()].filter((ids) => ids.length > 1).length;
		expect(duplicates).toBe(0);
		// Every create request beyond one per item was answered 429 (refused, so not charged) first.
		const reached = emulator.count('create') - refusedCreates.length;
		expect(reached).toBeLessThanOrEqual(ITEMS);
		// On a loaded machine a create can time out (1 s) before the emulator reads it: it is not
		// re-sent either, and its item says the service did not answer.
		const unanswered = output.filter(
			(item, index) =>
				!tasksByItem.has(index) && /did not answer in time/.test(String(item.json.error)),
		);
		expect(unanswered.length).toBeGreaterThanOrEqual(ITEMS - reached);

		const counts: Record<string, number> = {};
		const count = (what: string): void => void (counts[what] = (counts[what] ?? 0) + 1);
		output.forEach((item, index): void => {
			const [taskId] = tasksByItem.get(index) ?? [];
			if (typeof item.json.error !== 'string') {
				expect(item.json).toMatchObject({ taskId, state: 'succeeded' });
				expect(Buffer.from(item.binary!.data.data, 'base64').equals(SAMPLE_MP4)).toBe(true);
				return count('succeeded, video downloaded');
			}
			const message = `${item.json.error} ${String(item.json.description ?? '')}`;
			expect(item.json.error.length).toBeGreaterThan(10);
			if (!taskId) {
				// The create itself failed: nothing exists, and the error says so plainly.
				expect(message).toMatch(/API in One|could not be reached|did not answer|problem/);
				return count('error before a task existed (create refused or failed)');
			}
			if (lostAnswers.has(index) || item.json.taskId === null) {
				// The service made the task but its answer was lost (a reset, or on a loaded machine the
				// 1 s timeout before the answer came): the node cannot know the id, and says a charge is
				// possible.
				expect(message).toMatch(/may have been (created|charged)|charged/i);
				return count('error: create answer lost (warned of a possible charge)');
			}
			// A task exists: its error carries its id, and says what happened to it.
			expect(item.json.taskId).toBe(taskId);
			expect(message).toContain(String(taskId));
			if (/did not finish within \d+ seconds/.test(message)) {
				// The deadline came first: a never-ending task, or faults that kept every read of it
				// failing.
				if (fateOf(index) !== '[never]')
					expect(message).toMatch(
						/The last status check failed: .+\(HTTP \d+\)|could not be reached|did not answer|could not read/,
					);
				return count(
					`error with task id: did not finish in time (${fateOf(index) === '[never]' ? 'never-ending task' : 'faults outlasted every read'})`,
				);
			}
			const fate = fateOf(index);
			if (fate === '[fail]') expect(message).toMatch(/failed/);
			else if (fate === '[expire]') expect(message).toMatch(/expired/);
			// A download has one deadline (Request Timeout, 1 s here): faults before the 403 (a reset, a
			// 5xx) can outlast it on a busy machine, and the error names the last one.
			else if (fate === '[expire-url]')
				expect(message).toMatch(
					/expired or is not accessible|403|host was too slow|could not be reached|had a problem \(HTTP 5\d\d\)/,
				);
			else
				expect(message).toMatch(
					/\(HTTP \d+\)|could not be reached|did not answer|could not read|host was too slow/,
				);
			count(`error with task id: ${fate || 'a fault outlasted the retries'}`);
		});

		// The key is nowhere: not in the output, not in errors, not in what was logged.
		const leakedOutput =
			leaks(output, emulator.apiKey) || leaks(result.run.data.resultData, emulator.apiKey);
		const leakedLogs = logged.filter((line) => line.includes(emulator.apiKey)).length;
		expect(leakedOutput).toBe(false);
		expect(leakedLogs).toBe(0);
		// The search saw the node's own log lines (its retries), not an empty log.
		expect(logged.filter((line) => line.includes('Seedance: ')).length).toBeGreaterThan(10);
		expect(Object.keys(injected).sort()).toEqual(
			Object.entries(FAULTS)
				.flatMap(([route, faults]) =>
					faults.map(([, fault]) => describeFault(route as Route, fault)),
				)
				.sort(),
		);

		const rows: Array<[string, string | number]> = [
			['items', ITEMS],
			...Object.entries(counts).sort(),
			['items lost', ITEMS - output.length],
			['create requests received', emulator.count('create')],
			['  creates that timed out before the emulator read them', ITEMS - reached],
			['  of which refused with 429 and re-sent', refusedCreates.length],
			['tasks created', emulator.tasks.size],
			['duplicate tasks (paid twice)', duplicates],
			['status requests', emulator.count('status')],
			['download requests', emulator.count('download')],
			...Object.entries(injected)
				.sort()
				.map(([name, times]): [string, number] => [`injected: ${name}`, times]),
			['API key in output or errors', leakedOutput ? 'yes' : 'no'],
			['API key in log lines (n8n log level debug)', `${leakedLogs} of ${logged.length}`],
			['wall time', `${seconds.toFixed(1)} s`],
		];
		console.log(
			`Fault suite (seed ${process.env.FAULT_SEED ?? 20261125}):\n${rows.map(([name, value]) => `  ${name.padEnd(62)} ${value}`).join('\n')}`,
		);
	});
});
