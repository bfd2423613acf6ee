import type { IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { isTerminal, type SeedanceTask } from '../../shared/domain/task';
import type { Attempt } from '../../shared/domain/timing';
import { isPassingFault, type Connection } from '../../shared/transport';
import {
	answer,
	callbackDeadline,
	mayHaveEnded,
	readForCallback,
	receiveCallback,
	tryAgain,
} from '../../shared/webhooks/callbacks';
import { finishTasks } from './finish';
import { outputItems, type ItemOutcome } from './outcomes';
import { parkSettings, readPark, type Park, type ParkSettings } from './park';
import type { OpenTask } from './poll';
import { BoundedMap, BoundedSet } from '../../shared/domain/boundedMemory';
import { leanItems } from '../../shared/domain/leanOutput';

/**
 * The webhook behind `$execution.resumeUrl`: the service's callback resumes the parked execution.
 */
export const RESUME_WEBHOOK: IWebhookDescription = {
	name: 'default',
	httpMethod: 'POST',
	responseMode: 'onReceived',
	path: '',
	restartWebhook: true,
};

/**
 * What this process learnt of a park's tasks from its callbacks. Webhook processes share no
 * memory, and a restart forgets: the record is a shortcut, the service stays the truth.
 */
interface ParkMemory {
	/** Tasks the service said had ended (or, with confirmation off, their callback did). */
	ended: Map<number, SeedanceTask>;
	/** Tasks whose signed callback named a finished state: read when the park resumes. */
	claimed: Set<number>;
	/** Reads under way: copies of a callback arriving at once share them (a flood costs one). */
	reading: Map<number, Promise<Attempt<SeedanceTask>>>;
	/** Looks made so far (at most LOOKS_PER_PARK). */
	looks: number;
}

/**
 * Looks find tasks whose callbacks this process missed (a restart, another webhook process). While
 * more tasks are unheard of than looks remain, their own callbacks are still to come and a look
 * would mostly find a running task the resume reads again: a batch of N costs at most N + 2 reads.
 */
const LOOKS_PER_PARK = 2;

const parkMemories = new BoundedMap<string, ParkMemory>(10_000);

function memoryOf(key: string): ParkMemory {
	let memory = parkMemories.get(key);
	if (!memory) {
		memory = {
			ended: new Map(),
			claimed: new Set(),
			reading: new Map(),
			looks: 0,
		};
		parkMemories.set(key, memory);
	}
	return memory;
}

async function sharedRead(
	memory: ParkMemory,
	itemIndex: number,
	read: () => Promise<Attempt<SeedanceTask>>,
): Promise<Attempt<SeedanceTask>> {
	const underWay = memory.reading.get(itemIndex);
	if (underWay) return await underWay;
	const reading = read();
	memory.reading.set(itemIndex, reading);
	try {
		return await reading;
	} finally {
		memory.reading.delete(itemIndex);
	}
}

/**
 * Parks being resumed by this process: each park resumes once (a second callback meanwhile gets
 * 200, resumed: false).
 */
const resumesUnderWay = new BoundedSet<string>(10_000);

function parkKey(context: IWebhookFunctions, park: Park): string {
	return `${context.getExecutionId()}\u0000${context.getNode().name}\u0000${park.deadline}`;
}

const waitingFor = (context: IWebhookFunctions, message: string) =>
	answer(context, 200, { received: true, resumed: false, message });

/** The tasks of a park nothing is known of yet: no callback, not found ended by a look. */
const unheardOf = (park: Park, memory: ParkMemory) =>
	[...park.waiting.keys()].filter(
		(itemIndex) => !memory.ended.has(itemIndex) && !memory.claimed.has(itemIndex),
	);

/** What one inbound callback's reads found, or the answer the callback gets. */
type Learnt = { answer?: undefined } | { answer: IWebhookResponseData };

/**
 * A callback to the resume URL. Only a signed callback about a task this very park waits for
 * resumes it (others get 401/403/400/409 and the execution keeps waiting), and only once every
 * task of the park is known to have ended or has called back finished. A callback that resumes
 * nothing costs at most two requests with the key (none for progress, another task, a task found
 * ended, or a park already resuming).
 */
export async function resumeFromCallback(
	context: IWebhookFunctions,
): Promise<IWebhookResponseData> {
	const received = await receiveCallback(context);
	if (received.refused) return received.refused;
	const { connection, task } = received;
	const park = readPark(context);
	const mine = [...park.waiting].find(([, taskId]) => taskId === task.taskId)?.[0];
	if (mine === undefined)
		return answer(context, 409, {
			message: `Task ${task.taskId} is not waited for by this execution`,
		});
	if (!mayHaveEnded(task)) return { webhookResponse: { received: true, resumed: false } };
	const key = parkKey(context, park);
	if (resumesUnderWay.has(key)) return waitingFor(context, 'This execution is already resuming');
	let settings: ParkSettings;
	try {
		settings = parkSettings(context, park);
	} catch (error) {
		return answer(context, 500, { message: (error as Error).message });
	}
	const memory = memoryOf(key);
	const learnt = await learnFromCallback(context, connection, park, memory, mine, task, settings);
	if (learnt.answer) return learnt.answer;

	const left = unheardOf(park, memory);
	if (left.length > 0)
		return waitingFor(
			context,
			`Waiting for more tasks of this execution (${left.length} not finished yet)`,
		);
	if (resumesUnderWay.has(key)) return waitingFor(context, 'This execution is already resuming');
	resumesUnderWay.add(key);
	let resumed = false;
	try {
		const result = await resume(context, connection, park, mine, memory.ended, settings);
		resumed = true;
		parkMemories.delete(key);
		return result;
	} finally {
		if (!resumed) resumesUnderWay.delete(key);
	}
}

/**
 * What one callback adds to the park's memory. A finished state is a claim the resume reads; a
 * status word the node does not know is read at once (it may be progress).
 */
async function learnFromCallback(
	context: IWebhookFunctions,
	connection: Connection,
	park: Park,
	memory: ParkMemory,
	mine: number,
	claim: SeedanceTask,
	settings: ParkSettings,
): Promise<Learnt> {
	if (memory.ended.has(mine)) return {};
	const deadline = callbackDeadline();
	const read = (itemIndex: number) =>
		sharedRead(memory, itemIndex, () =>
			readForCallback(context, connection, park.waiting.get(itemIndex)!, deadline),
		);
	if (!isTerminal(claim.state)) {
		const own = await read(mine);
		if (own.ok && isTerminal(own.value.state)) {
			memory.ended.set(mine, own.value);
			return {};
		}
		if (own.ok)
			return {
				answer: waitingFor(
					context,
					`API in One says task ${claim.taskId} is ${own.value.state}; waiting for its end`,
				),
			};
		if (isPassingFault(own.error)) return { answer: tryAgain(context, claim.taskId).refused };
		return {
			answer: answer(context, 409, {
				message: `Task ${claim.taskId} is unknown to API in One for this credential`,
			}),
		};
	}
	if (settings.wait.confirmCallbacks) memory.claimed.add(mine);
	else memory.ended.set(mine, claim);

	// Once the looks left cover every task unheard of, look at them all: no callback of theirs
	// may reach this process (a restart, another webhook process).
	const unheard = unheardOf(park, memory);
	if (unheard.length === 0 || unheard.length > LOOKS_PER_PARK - memory.looks) return {};
	memory.looks += unheard.length;
	const looks = await Promise.all(unheard.map(async (look) => ({ look, seen: await read(look) })));
	let fault: number | undefined;
	for (const { look, seen } of looks) {
		if (seen.ok && isTerminal(seen.value.state)) memory.ended.set(look, seen.value);
		else if (seen.ok) continue;
		// The service's next try of this callback looks again: this look learnt nothing.
		else if (isPassingFault(seen.error)) {
			memory.looks--;
			fault ??= look;
		}
		// A task the service refuses to show: the resume reads it once more, and its item fails.
		else memory.claimed.add(look);
	}
	if (fault !== undefined) return { answer: tryAgain(context, park.waiting.get(fault)!).refused };
	return {};
}

/**
 * A resume n8n's own deadline could overtake (it resumes a waiting execution on time, whatever a
 * webhook is doing) would run the rest of the workflow twice: the resume's reads end this long
 * before the park's deadline.
 */
const DEADLINE_MARGIN_MS = 90_000;

/**
 * Answers the service at once (it retries slow receivers), then outputs every parked task's
 * result: a task known to have ended is not read again, one that called back finished is read
 * (and, should it still run, waited for until shortly before the park's deadline).
 */
async function resume(
	context: IWebhookFunctions,
	connection: Connection,
	park: Park,
	mine: number,
	ended: Map<number, SeedanceTask>,
	{ wait, simplify }: ParkSettings,
): Promise<IWebhookResponseData> {
	answer(context, 200, { received: true, resumed: true });
	const startedAt = Date.parse(park.deadline) - DEADLINE_MARGIN_MS - wait.settings.maxWaitMs;
	const open: OpenTask[] = [...park.waiting].map(([itemIndex, taskId]) => ({
		itemIndex,
		taskId,
		startedAt,
		last: ended.get(itemIndex),
	}));
	const finished = await finishTasks(context, connection, open, wait);
	const resumedItems = finished.map((outcome): ItemOutcome => {
		if (!outcome.ok) return outcome;
		const json = {
			...outcome.item.json,
			callbackReceived: outcome.itemIndex === mine,
			callbackTimedOut: false,
		};
		return { ...outcome, item: { ...outcome.item, json } };
	});
	// Items parked as settled (an error item, a task that had already ended) pass through as they
	// are.
	const passing = park.items.flatMap((item, itemIndex): ItemOutcome[] =>
		park.waiting.has(itemIndex) ? [] : [{ itemIndex, ok: true, item }],
	);
	return {
		noWebhookResponse: true,
		workflowData: [
			leanItems(outputItems([...passing, ...resumedItems], context.getNode()), { simplify }),
		],
	};
}
