import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, ISourceData } from 'n8n-workflow';

import { toRequestBody } from '../../domain/generation';
import {
	addCredits,
	callbackDigestOf,
	createIdentity,
	creditsSpent,
	findCreate,
	forgetCreate,
	recordCreate,
	settleCreate,
} from '../../domain/ledger';
import {
	ExecutionStopped,
	attempt,
	cancelSignalOf,
	mapWithLimit,
	pause,
	throwIfStopped,
	type Attempt,
} from '../../../shared/domain/timing';
import {
	createCertainlyRefused,
	createTask,
	fetchTask,
	type Connection,
} from '../../../shared/transport';
import type { SeedanceTask } from '../../../shared/domain/task';
import { failed, type ItemOutcome } from '../../waiting/outcomes';
import type { OpenTask, PollSettings } from '../../waiting/poll';
import { splitByBudget } from './budget';
import type { Plan } from './generatePlan';
import {
	claimKeys,
	forgetFailedTask,
	releaseKeys,
	settleKey,
	type KeyState,
} from './idempotencyKeys';

/** What an item's request becomes: a create made for it in this execution is never paid again. */
type Order =
	| { kind: 'create'; plan: Plan; body: IDataObject; identity: string }
	| {
			kind: 'pickUp';
			plan: Plan;
			taskId: string;
			callsBackHere: boolean;
			/** Picked up by Idempotency Key; `known`: the task as read when its key was found. */
			byKey?: boolean;
			known?: SeedanceTask;
	  }
	| { kind: 'uncertain'; plan: Plan; identity: string }
	| { kind: 'refused'; plan: Plan; error: NodeOperationError };

/** Creates in flight per ledger: an AI Agent's parallel tool calls wait for them, not "lost". */
const inFlight = new WeakMap<IDataObject, Map<string, Promise<void>>>();

function flightsOf(ledger: IDataObject): Map<string, Promise<void>> {
	let flights = inFlight.get(ledger);
	if (!flights) {
		flights = new Map();
		inFlight.set(ledger, flights);
	}
	return flights;
}

/** Where the node's input came from; n8n gives none for some callers (e.g. an agent's tool call). */
function inputSource(context: IExecuteFunctions): ISourceData | null {
	try {
		return context.getInputSourceData() ?? null;
	} catch {
		return null;
	}
}

function orderAll(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	plans: Plan[],
	callbackUrlOf: (plan: Plan) => string | undefined,
	ledger: IDataObject,
): Order[] {
	const source = inputSource(context);
	return plans.map((plan): Order => {
		if (plan.existingTaskId) {
			return { kind: 'pickUp', plan, taskId: plan.existingTaskId, callsBackHere: false };
		}
		const body = toRequestBody({ ...plan.request, callbackUrl: callbackUrlOf(plan) });
		const item = items[plan.itemIndex];
		const identity = createIdentity({
			itemIndex: plan.itemIndex,
			json: item.json,
			binary: item.binary,
			pairedItem: item.pairedItem,
			source,
		});
		const earlier = findCreate(ledger, identity);
		if (!earlier) return { kind: 'create', plan, body, identity };
		if (!earlier.taskId) return { kind: 'uncertain', plan, identity };
		const callbackDigest = callbackDigestOf(body.callback_url as string | undefined);
		const callsBackHere =
			earlier.callbackDigest !== undefined && earlier.callbackDigest === callbackDigest;
		return { kind: 'pickUp', plan, taskId: earlier.taskId, callsBackHere };
	});
}

function uncertainCreate(context: IExecuteFunctions, itemIndex: number): NodeOperationError {
	return new NodeOperationError(
		context.getNode(),
		`An earlier try of this node may already have created the video of item ${itemIndex + 1}`,
		{
			itemIndex,
			description:
				'The answer to that request was lost, so the node does not send it again: you could pay twice. Check the task list in your API in One dashboard; if the task is there, put its ID in "Existing Task ID". Nothing was sent.',
		},
	);
}

const shown = (key: string) => (key.length > 60 ? `${key.slice(0, 57)}...` : key);

function keyError(
	context: IExecuteFunctions,
	plan: Plan,
	state: Exclude<KeyState, { kind: 'claimed' | 'paid' }>,
): NodeOperationError {
	const key = shown(plan.idempotencyKey ?? '');
	const why = {
		lost: 'the answer to its create request was lost',
		unreadable: 'its task ID could not be read back from n8n’s store',
		busy: 'another execution is creating it and has not finished (or was stopped while creating it)',
	}[state.kind];
	return new NodeOperationError(
		context.getNode(),
		`The video of Idempotency Key "${key}" (item ${plan.itemIndex + 1}) may already exist: ${why}`,
		{
			itemIndex: plan.itemIndex,
			description:
				'The node does not create it again: you could pay twice. Check the task list in your API in One dashboard; if the task is there, put its ID in "Existing Task ID". To make a new video instead, change the Idempotency Key. Nothing was sent.',
		},
	);
}

/** A store that cannot answer (read, claim or forget a key) stops the node before any create. */
function storeFailure(context: IExecuteFunctions, error: unknown): Error {
	if (error instanceof ExecutionStopped) return error;
	return new NodeOperationError(context.getNode(), 'n8n could not read the Idempotency Keys', {
		description: `n8n's deduplication store answered: ${(error as Error).message}. Nothing was sent. Try again; if it keeps failing, remove the Idempotency Key option (a re-run then pays again).`,
	});
}

/** Reads (and claims) keys in n8n's store. */
async function askKeys(context: IExecuteFunctions, keys: string[]): Promise<Map<string, KeyState>> {
	return await claimKeys(context, keys).catch((error: unknown) => {
		throw storeFailure(context, error);
	});
}

const UNPAID = new Set(['failed', 'cancelled', 'expired']);

/** Reads each key's task: one that failed at the service (not charged) is forgotten and made anew. */
async function readKeyTasks(
	context: IExecuteFunctions,
	connection: Connection,
	found: Map<string, KeyState>,
	states: Map<string, KeyState>,
	tasks: Map<string, SeedanceTask>,
	settings: PollSettings,
): Promise<void> {
	const paid = [...found].flatMap(([key, state]) =>
		state.kind === 'paid' ? [{ key, taskId: state.taskId }] : [],
	);
	await mapWithLimit(paid, settings.concurrency, async ({ key, taskId }) => {
		const read = await attempt(
			fetchTask(context, connection, taskId, { timeoutMs: settings.requestTimeoutMs }),
		);
		// A task that cannot be read now is read again by its pick-up, which says what went wrong.
		if (!read.ok) return;
		if (!UNPAID.has(read.value.state)) {
			tasks.set(key, read.value);
			return;
		}
		// A store that cannot forget would read the same failed task again at once, for ever.
		const forgotten = await forgetFailedTask(context, key, taskId).catch((error: unknown) => {
			throw storeFailure(context, error);
		});
		if (forgotten) states.set(key, { kind: 'claimed' });
		// Another run forgot it first and is making it: asked again.
		else states.delete(key);
	});
}

/** A new create whose key an earlier execution used becomes a pick-up, or the item's error. */
function withKey(
	context: IExecuteFunctions,
	order: Order,
	states: Map<string, KeyState>,
	tasks: Map<string, SeedanceTask>,
): Order {
	const key = order.plan.idempotencyKey;
	const state = key ? states.get(key) : undefined;
	if (order.kind !== 'create' || !state || state.kind === 'claimed') return order;
	if (state.kind === 'paid')
		return {
			kind: 'pickUp',
			plan: order.plan,
			taskId: state.taskId,
			callsBackHere: false,
			byKey: true,
			known: tasks.get(key as string),
		};
	return { kind: 'refused', plan: order.plan, error: keyError(context, order.plan, state) };
}

const isNodeError = (error: unknown) =>
	error instanceof NodeOperationError || error instanceof NodeApiError;

function unreadableAnswer(context: IExecuteFunctions, itemIndex: number): NodeOperationError {
	return new NodeOperationError(
		context.getNode(),
		`The answer to the request that creates the video of item ${itemIndex + 1} could not be read`,
		{
			itemIndex,
			description:
				'The video may have been created (and charged), so the node does not send the request again. Check the task list in your API in One dashboard; if the task is there, put its ID in "Existing Task ID".',
		},
	);
}

/** A new task output as the service first answered, not waited for. */
export function asCreated(task: OpenTask, extraJson: IDataObject): ItemOutcome {
	return {
		itemIndex: task.itemIndex,
		ok: true,
		item: { json: { ...task.last, ...extraJson }, pairedItem: { item: task.itemIndex } },
	};
}

export interface Submitted {
	tasks: OpenTask[];
	failures: ItemOutcome[];
	/** Items whose task was given this node's callback URL (this execution's resume URL). */
	callsBackHere: Set<number>;
	pickedUpByKey: Set<number>;
	/** Estimated credits of every create of the execution, this node's included. */
	executionCredits: number;
}

/** The pay-once door: one create per item and execution, within budget, recorded before sending. */
export async function submitCreates(
	context: IExecuteFunctions,
	connection: Connection,
	items: INodeExecutionData[],
	plans: Plan[],
	budget: { maxCredits: number | null; callbackUrlOf: (plan: Plan) => string | undefined },
	settings: PollSettings,
): Promise<Submitted> {
	const ledger = context.getContext('node');
	const flights = flightsOf(ledger);
	// After every pause (a create in flight, the key store) the ledger is read afresh before recording.
	const keyStates = new Map<string, KeyState>();
	const keyTasks = new Map<string, SeedanceTask>();
	const patience = Date.now() + settings.requestTimeoutMs;
	let orders: Order[] = [];
	let read = false;
	try {
		for (;;) {
			orders = orderAll(context, items, plans, budget.callbackUrlOf, ledger);
			const waitFor = orders.flatMap((order) =>
				order.kind === 'uncertain' && flights.has(order.identity)
					? [flights.get(order.identity)]
					: [],
			);
			if (waitFor.length > 0) {
				await Promise.all(waitFor);
				continue;
			}
			const unread = keysOf(
				orders.flatMap((order) => (order.kind === 'create' ? [order.plan] : [])),
			).filter((key) => (keyStates.get(key)?.kind ?? 'busy') === 'busy');
			if (unread.length === 0) break;
			// A key another run holds is asked again while that run's create may still answer.
			if (unread.every((key) => keyStates.has(key))) {
				if (Date.now() >= patience) break;
				await pause(1000, cancelSignalOf(context));
			}
			const found = await askKeys(context, unread);
			for (const [key, state] of found) keyStates.set(key, state);
			await readKeyTasks(context, connection, found, keyStates, keyTasks, settings);
		}
		read = true;
	} finally {
		// Stopped, or the store failed, waiting for another run's key: nothing sent, our claims freed.
		if (!read) {
			const claimed = [...keyStates].filter(([, state]) => state.kind === 'claimed');
			await releaseKeys(
				context,
				claimed.map(([key]) => key),
			).catch(() => undefined);
		}
	}
	orders = orders.map((order) => withKey(context, order, keyStates, keyTasks));
	const flow = context.getContext('flow');
	const budgeted = splitByBudget(
		context,
		orders.flatMap((order) => (order.kind === 'create' ? [order.plan] : [])),
		budget.maxCredits,
		creditsSpent(flow),
	);
	const overBudget = new Map(budgeted.refused.map((refusal) => [refusal.plan, refusal.error]));
	orders = orders.map((order): Order => {
		const error = overBudget.get(order.plan);
		return error ? { kind: 'refused', plan: order.plan, error } : order;
	});
	const creates = orders.filter((order) => order.kind === 'create');
	const creating = new Set(keysOf(creates.map((order) => order.plan)));
	const unused = [...keyStates].filter(
		([key, state]) => state.kind === 'claimed' && !creating.has(key),
	);
	// Recorded and counted before sending, no pause since the budget read: overlapping calls see it.
	const landed = new Map<string, () => void>();
	for (const order of creates) {
		recordCreate(ledger, order.identity, { credits: order.plan.credits ?? 0 });
		addCredits(flow, order.plan.credits ?? 0);
		flights.set(
			order.identity,
			new Promise<void>((resolve) => landed.set(order.identity, resolve)),
		);
	}
	// Claims this run will not use (over budget, or picked up from the ledger) are freed.
	await releaseKeys(
		context,
		unused.map(([key]) => key),
	).catch(() => undefined);
	const submitted: Submitted = {
		tasks: [],
		failures: [],
		callsBackHere: new Set(),
		pickedUpByKey: new Set(),
		executionCredits: 0,
	};
	const sent = new Set<Order>();
	/** A create recorded before sending that never made a task: its record and credits go. */
	const takeBack = (order: Extract<Order, { kind: 'create' }>) => {
		forgetCreate(ledger, order.identity);
		addCredits(flow, -(order.plan.credits ?? 0));
	};
	await mapWithLimit(orders, settings.concurrency, async (order) => {
		const { itemIndex } = order.plan;
		if (order.kind === 'uncertain' || order.kind === 'refused') {
			const error = order.kind === 'refused' ? order.error : uncertainCreate(context, itemIndex);
			submitted.failures.push(failed(itemIndex, error));
			return;
		}
		const startedAt = Date.now();
		const call = { timeoutMs: settings.requestTimeoutMs, itemIndex };
		const key = order.plan.idempotencyKey;
		if (order.kind === 'create') {
			// n8n's Stop does not end the node's code: no create is sent after it.
			throwIfStopped(cancelSignalOf(context));
			sent.add(order);
		}
		let answer: Attempt<SeedanceTask>;
		let settled = false;
		try {
			answer =
				order.kind === 'pickUp' && order.known
					? { ok: true, value: order.known }
					: await attempt(
							order.kind === 'pickUp'
								? fetchTask(context, connection, order.taskId, call)
								: createTask(context, connection, order.body, call),
						);
			// Only a certain refusal is forgotten: any other failure after sending may have made a paid task.
			if (order.kind === 'create' && !answer.ok && createCertainlyRefused(answer.error)) {
				takeBack(order);
				if (key) await releaseKeys(context, [key]).catch(() => undefined);
			} else if (order.kind === 'create') {
				const taskId = answer.ok ? answer.value.taskId : undefined;
				settleCreate(ledger, order.identity, {
					taskId,
					callbackDigest: callbackDigestOf(order.body.callback_url as string | undefined),
				});
				// A key whose task could not be written keeps its claim: later runs refuse it, never pay twice.
				if (key) await settleKey(context, key, taskId).catch(() => undefined);
				if (!answer.ok && !isNodeError(answer.error))
					answer = { ok: false, error: unreadableAnswer(context, itemIndex) };
			}
			settled = true;
		} finally {
			// Stopped while its create was out: it may have been made, so its key says so at once.
			if (!settled && order.kind === 'create' && key && findCreate(ledger, order.identity))
				await settleKey(context, key, undefined).catch(() => undefined);
			// A create that ended any other way (the execution was stopped) stays recorded as lost.
			if (order.kind === 'create') {
				flights.delete(order.identity);
				landed.get(order.identity)?.();
			}
		}
		if (!answer.ok) {
			const taskId = order.kind === 'pickUp' ? order.taskId : undefined;
			submitted.failures.push(failed(itemIndex, answer.error, taskId));
			return;
		}
		if (order.kind === 'create' || order.callsBackHere) submitted.callsBackHere.add(itemIndex);
		if (order.kind === 'pickUp' && order.byKey) submitted.pickedUpByKey.add(itemIndex);
		submitted.tasks.push({ itemIndex, taskId: answer.value.taskId, startedAt, last: answer.value });
	}).catch(async (error: unknown) => {
		// The node ends: unsent creates never will be sent, so they are taken back (ledger, credits, key).
		const unsent = creates.filter((order) => !sent.has(order));
		for (const order of unsent) {
			takeBack(order);
			flights.delete(order.identity);
			landed.get(order.identity)?.();
		}
		await releaseKeys(context, keysOf(unsent.map((order) => order.plan))).catch(() => undefined);
		throw error;
	});
	submitted.executionCredits = creditsSpent(flow);
	return submitted;
}

const keysOf = (plans: Plan[]) =>
	plans.flatMap((plan) => (plan.idempotencyKey ? [plan.idempotencyKey] : []));
