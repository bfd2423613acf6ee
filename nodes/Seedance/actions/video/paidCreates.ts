import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, ISourceData } from 'n8n-workflow';

import { toRequestBody } from '../../domain/generation';
import {
	callbackDigestOf,
	createIdentity,
	creditsSpent,
	findCreate,
	forgetCreate,
	recordCreate,
	settleCreate,
} from '../../domain/ledger';
import { attempt, isStopped, mapWithLimit, type Attempt } from '../../domain/timing';
import { createCertainlyRefused, createTask, fetchTask, type Connection } from '../../transport';
import type { SeedanceTask } from '../../domain/task';
import { failed, type ItemOutcome } from '../../waiting/outcomes';
import type { OpenTask, PollSettings } from '../../waiting/poll';
import { checkBudget } from './budget';
import type { Plan } from './generatePlan';

/**
 * What each item's request becomes. A create already made for the same input item in this
 * execution (any retry, however started) is picked up instead of paid again; one whose answer was
 * lost is not sent again at all.
 */
type Order =
	| { kind: 'create'; plan: Plan; body: IDataObject; identity: string }
	| { kind: 'pickUp'; plan: Plan; taskId: string; callsBackHere: boolean }
	| { kind: 'uncertain'; plan: Plan; identity: string };

/**
 * Creates sent and not answered yet, per ledger: an AI Agent runs the tool calls of one turn at
 * once, and a call must wait for the same item's create in flight rather than read it as lost.
 */
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
}

/**
 * The pay-once door: every create of the node goes through here. Each item's task is created once
 * per input item and execution (see `createIdentity`), within the budget, and every create that
 * may have reached the service is recorded before anything else happens to it.
 */
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
	let orders = orderAll(context, items, plans, budget.callbackUrlOf, ledger);
	for (;;) {
		const waitFor = orders.flatMap((order) =>
			order.kind === 'uncertain' && flights.has(order.identity)
				? [flights.get(order.identity)]
				: [],
		);
		if (waitFor.length === 0) break;
		await Promise.all(waitFor);
		orders = orderAll(context, items, plans, budget.callbackUrlOf, ledger);
	}
	const creates = orders.filter((order) => order.kind === 'create');
	checkBudget(
		context,
		creates.map((order) => order.plan),
		budget.maxCredits,
		creditsSpent(ledger),
	);
	// Recorded (and counted) before anything is sent, with no pause since the budget was read, so
	// a call that overlaps this one sees these creates and their credits.
	const landed = new Map<string, () => void>();
	for (const order of creates) {
		recordCreate(ledger, order.identity, { credits: order.plan.credits ?? 0 });
		flights.set(
			order.identity,
			new Promise<void>((resolve) => landed.set(order.identity, resolve)),
		);
	}
	const submitted: Submitted = { tasks: [], failures: [], callsBackHere: new Set() };
	await mapWithLimit(orders, settings.concurrency, async (order) => {
		const { itemIndex } = order.plan;
		if (order.kind === 'uncertain') {
			submitted.failures.push(failed(itemIndex, uncertainCreate(context, itemIndex)));
			return;
		}
		const startedAt = Date.now();
		const call = { timeoutMs: settings.requestTimeoutMs, itemIndex };
		let answer: Attempt<SeedanceTask>;
		try {
			// Stopped before it is sent: createTask sends nothing, so nothing stays recorded.
			if (order.kind === 'create' && isStopped(context)) forgetCreate(ledger, order.identity);
			answer = await attempt(
				order.kind === 'pickUp'
					? fetchTask(context, connection, order.taskId, call)
					: createTask(context, connection, order.body, call),
			);
			// Only a create the service certainly refused is forgotten: anything else that went wrong
			// after sending it (an answer that cannot be read) may have made a paid task.
			if (order.kind === 'create' && !answer.ok && createCertainlyRefused(answer.error)) {
				forgetCreate(ledger, order.identity);
			} else if (order.kind === 'create') {
				settleCreate(ledger, order.identity, {
					taskId: answer.ok ? answer.value.taskId : undefined,
					callbackDigest: callbackDigestOf(order.body.callback_url as string | undefined),
				});
				if (!answer.ok && !isNodeError(answer.error))
					answer = { ok: false, error: unreadableAnswer(context, itemIndex) };
			}
		} finally {
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
		submitted.tasks.push({ itemIndex, taskId: answer.value.taskId, startedAt, last: answer.value });
	});
	return submitted;
}
