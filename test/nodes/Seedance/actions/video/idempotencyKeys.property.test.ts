/**
 * Generated attacks on the key door and the budget door together, in n8n-core's real engine:
 * sequences of executions (some at once, some stopped, some with Retry On Fail and On Error) over
 * a few keys, with create and status faults, a budget, and a store that fails now and then.
 * Whatever happens: one task per key, no create with a key after one that may have made its
 * task, never more made in an execution than its budget, and, once every run has ended, no key
 * left claimed by a run that is gone (it would make later runs wait, then refuse a row never sent).
 * And re-runs of keys whose task failed at the service (made anew), over a store that fails at any
 * call or always refuses some deletes: every run ends, and nothing is made after a live video.
 */
import type { INode } from 'n8n-workflow';

import { deduplicationStore } from '../../../../harness/deduplicator';
import { keyedGenerate } from '../../../../harness/keyedGenerate';
import { itemsNode, runWorkflow } from '../../../../harness/n8n';
import { checkProperty, fc } from '../../../../property';
import { sentAgainAfterPaid, useEmulator, waitFor } from '../../../../helpers';
import type { Fault } from '../../../../emulator/server';
import {
	claimEntry,
	keyDigest,
	lostEntry,
	markerCandidates,
	readMarkers,
	taskEntries,
} from '../../../../../nodes/Seedance/domain/keyRecords';

const { emulator, credentials } = useEmulator({ latencyMs: 30 });

const KEYS = ['a', 'b', 'c'];
/** 480p, 4 s, no audio. */
const CREDITS = 8;

const faultArb = fc.option(
	fc.constantFrom<Fault>(
		{ kind: 'status', code: 500 },
		{ kind: 'status', code: 502 },
		{ kind: 'status', code: 429, retryAfter: '0' },
		{ kind: 'status', code: 400 },
		{ kind: 'reset' },
		{ kind: 'resetAfterCreate' },
		{ kind: 'malformed' },
	),
	{ freq: 3 },
);

const executionArb = fc.record({
	keys: fc.uniqueArray(fc.constantFrom(...KEYS), { minLength: 1 }),
	together: fc.boolean(),
	stopAfterMs: fc.option(fc.integer({ min: 0, max: 120 }), { freq: 3 }),
	retry: fc.boolean(),
	onError: fc.constantFrom('stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'),
	maxCredits: fc.option(fc.constantFrom(0, 8, 16), { freq: 2 }),
	wait: fc.boolean(),
});

const scenarioArb = fc.record({
	executions: fc.array(executionArb, { minLength: 1, maxLength: 4 }),
	createFaults: fc.array(faultArb, { maxLength: 6 }),
	statusFaults: fc.array(faultArb, { maxLength: 3 }),
	/** Store calls (by number) that throw, as a database that is locked or gone. */
	storeFaults: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 2 }),
});

type Execution = typeof executionArb extends fc.Arbitrary<infer T> ? T : never;

/** What the store says of a key, read without writing: free, paid, lost, or claimed only. */
function stateOf(node: INode, key: string): 'free' | 'paid' | 'lost' | 'claimed' {
	const digest = keyDigest(key);
	const held = (entry: string) => deduplicationStore.holds(node.id, entry);
	const seen = new Set(markerCandidates(digest).filter(held));
	const markers = readMarkers(digest, seen);
	if (markers.length > 0) return 'paid';
	if (seen.has(lostEntry(digest))) return 'lost';
	return seen.has(claimEntry(digest)) ? 'claimed' : 'free';
}

const KEYED = { requestTimeout: 1, downloadVideo: false };

function nodeFor(id: string, execution: Execution): INode {
	const { maxCredits } = execution;
	return keyedGenerate(
		{
			...KEYED,
			...(maxCredits === null ? {} : { maxCredits: maxCredits === 0 ? '={{ 0 }}' : maxCredits }),
		},
		{
			id,
			onError: execution.onError as INode['onError'],
			...(execution.retry ? { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 } : {}),
		},
		{ waitForCompletion: execution.wait },
	);
}

async function runOne(id: string, execution: Execution, index: number) {
	// The case's node ID in each prompt: a stopped run of an earlier case may still land a create.
	const items = execution.keys.map((key) => ({ json: { key, prompt: `${key} e${index} ${id}` } }));
	return await runWorkflow([itemsNode(items), nodeFor(id, execution)], {
		credentials: credentials(),
		cancelAfterMs: execution.stopAfterMs ?? undefined,
	});
}

it('generated executions over keys with faults, Stop, retries, budgets and a failing store: one task per key, within budget, no claim left behind', async () => {
	await checkProperty(
		'keys and budget under faults, Stop and a failing store',
		fc.asyncProperty(scenarioArb, async (scenario) => {
			emulator.reset();
			deduplicationStore.clear();
			const id = `keyed-${Math.random()}`;
			const creates = [...scenario.createFaults];
			const statuses = scenario.statusFaults.filter((fault) => fault?.kind !== 'resetAfterCreate');
			emulator.faultSource = (route) =>
				route === 'create'
					? (creates.shift() ?? undefined)
					: route === 'status'
						? (statuses.shift() ?? undefined)
						: undefined;
			let storeCalls = 0;
			let storeFailed = false;
			const failing = <A extends unknown[], R>(real: (...args: A) => Promise<R>) =>
				jest.fn(async (...args: A) => {
					if (scenario.storeFaults.includes(++storeCalls)) {
						storeFailed = true;
						throw new Error('database is locked');
					}
					return await real(...args);
				});
			const realCheck = deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore);
			const realRemove = deduplicationStore.removeProcessed.bind(deduplicationStore);
			deduplicationStore.checkProcessedAndRecord = failing(realCheck);
			deduplicationStore.removeProcessed = failing(realRemove);
			try {
				const { executions } = scenario;
				for (let index = 0; index < executions.length; index++) {
					const next = executions[index + 1];
					if (executions[index].together && next) {
						await Promise.all([runOne(id, executions[index], index), runOne(id, next, index + 1)]);
						index++;
					} else await runOne(id, executions[index], index);
				}
				// A stopped node goes on in the background until its requests are answered.
				const node = nodeFor(id, executions[0]);
				if (!storeFailed)
					await waitFor(
						() => KEYS.every((key) => stateOf(node, key) !== 'claimed'),
						8000,
						`no key left claimed (${KEYS.map((key) => `${key}: ${stateOf(node, key)}`).join(', ')})`,
					);
			} finally {
				deduplicationStore.checkProcessedAndRecord = realCheck;
				deduplicationStore.removeProcessed = realRemove;
			}
			for (const key of KEYS) {
				const prefix = new RegExp(`^${key} e\\d+ ${id.replace('.', '\\.')}$`);
				const made = [...emulator.tasks.values()].filter((task) =>
					prefix.test(String(task.body.prompt)),
				);
				if (made.length > 1) throw new Error(`key ${key} made ${made.length} tasks`);
				const again = sentAgainAfterPaid(emulator, prefix);
				if (again) throw new Error(`key ${key}: ${again}`);
			}
			scenario.executions.forEach((execution, index) => {
				if (execution.maxCredits === null) return;
				const made = [...emulator.tasks.values()].filter((task) =>
					String(task.body.prompt).endsWith(` e${index} ${id}`),
				);
				if (made.length * CREDITS > execution.maxCredits)
					throw new Error(
						`execution ${index} made ${made.length} videos over its ${execution.maxCredits} credits`,
					);
			});
		}),
		20,
		{ timeLimitMs: 270_000 },
	);
}, 300_000);

/**
 * A call for the keys that fails: before doing anything, or after its write (only its answer lost).
 * The store lock's own calls are left alone (its property test attacks them): a lock made whose
 * answer was lost holds every run for the 30 s the lock waits before breaking a dead one.
 */
const storeFaultArb = fc.record({
	call: fc.integer({ min: 1, max: 20 }),
	answerLost: fc.boolean(),
});

const reRunsArb = fc.record({
	/** Keys whose first task fails at the service: a later run forgets it and makes the video anew. */
	failAtService: fc.subarray(KEYS.slice(0, 2)),
	runs: fc.array(fc.record({ wait: fc.boolean() }), { minLength: 2, maxLength: 3 }),
	storeFaults: fc.array(storeFaultArb, { maxLength: 2 }),
	/** Deletes the store always refuses: of a key's claim, of a failed task it remembers. */
	refusedDeletes: fc.subarray(['claim', 'task'] as const),
});

/** Ends with the run, or throws once `ms` have passed (a run that never ends is the failure). */
async function within<T>(ms: number, run: Promise<T>, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} did not end in ${ms / 1000} s`)), ms);
	});
	try {
		return await Promise.race([run, late]);
	} finally {
		clearTimeout(timer);
	}
}

it('generated re-runs of keys whose task failed, over a store that fails at any call: every run ends, one live video per key', async () => {
	await checkProperty(
		'keyed re-runs over a failing store',
		fc.asyncProperty(reRunsArb, async ({ failAtService, runs, storeFaults, refusedDeletes }) => {
			emulator.reset();
			deduplicationStore.clear();
			const id = `rerun-${Math.random()}`;
			const keys = KEYS.slice(0, 2);
			const digests = keys.map(keyDigest);
			const same = (one: string[], other: string[]) => one.join() === other.join();
			// Which delete a call is: of a key's claim, of a task's entries, or another.
			const deleteOf = (entries: string[]) => {
				if (entries.every((entry) => digests.some((digest) => entry === claimEntry(digest))))
					return 'claim';
				const tasks = [...emulator.tasks.keys()];
				return digests.some((digest) =>
					tasks.some((task) => same(entries, taskEntries(digest, task))),
				)
					? 'task'
					: 'other';
			};
			let calls = 0;
			const failing = <A extends unknown[], R>(real: (...args: A) => Promise<R>, deletes = false) =>
				jest.fn(async (...args: A) => {
					// The lock's row is the workflow's; the keys are the node's.
					if (args[1] === 'workflow') return await real(...args);
					const fault = storeFaults.find(({ call }) => call === calls + 1);
					calls++;
					const kind = deletes ? deleteOf(args[0] as string[]) : 'other';
					if (kind !== 'other' && refusedDeletes.includes(kind))
						throw new Error('permission denied for table processed_data');
					if (!fault) return await real(...args);
					if (fault.answerLost) await real(...args);
					throw new Error('Connection terminated unexpectedly');
				});
			const real = {
				checkProcessedAndRecord:
					deduplicationStore.checkProcessedAndRecord.bind(deduplicationStore),
				removeProcessed: deduplicationStore.removeProcessed.bind(deduplicationStore),
			};
			deduplicationStore.checkProcessedAndRecord = failing(real.checkProcessedAndRecord);
			deduplicationStore.removeProcessed = failing(real.removeProcessed, true);
			try {
				for (const [index, { wait }] of runs.entries()) {
					const items = keys.map((key) => ({
						json: {
							key,
							prompt: `${key} e${index} ${id}${index === 0 && failAtService.includes(key) ? ' [fail]' : ''}`,
						},
					}));
					const node = keyedGenerate(
						KEYED,
						{ id, onError: 'continueRegularOutput' },
						{ waitForCompletion: wait },
					);
					const result = await within(
						45_000,
						runWorkflow([itemsNode(items), node], { credentials: credentials() }),
						`run ${index}`,
					);
					// Every row answers: its task, or an error in its own words.
					const output = result.output(node.name);
					expect(output).toHaveLength(keys.length);
					for (const item of output)
						expect(item.json.taskId ?? (item.json.error as string | undefined)).toBeTruthy();
				}
			} finally {
				Object.assign(deduplicationStore, real);
			}
			const tasks = [...emulator.tasks.values()];
			for (const key of keys) {
				// This case's own tasks (a run of an earlier case that never ended may still make some).
				const made = tasks.filter((task) =>
					new RegExp(`^${key} e\\d+ ${id.replace('.', '\\.')}`).test(String(task.body.prompt)),
				);
				const outcomes = made.map((task) => task.outcome);
				// Made anew only after a task that failed: nothing after a live one.
				const firstLive = outcomes.findIndex((outcome) => outcome !== 'failed');
				if (firstLive !== -1 && firstLive < made.length - 1)
					throw new Error(`key ${key} made a video after a live one: ${JSON.stringify(outcomes)}`);
			}
		}),
		30,
		{ timeLimitMs: 270_000 },
	);
}, 300_000);
