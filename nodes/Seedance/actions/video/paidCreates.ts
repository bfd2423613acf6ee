import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, ISourceData } from 'n8n-workflow';

import { toRequestBody } from '../../domain/generation';
import {
	callbackDigestOf,
	createIdentity,
	creditsSpent,
	findCreate,
	recordCreate,
} from '../../domain/ledger';
import { attempt, mapWithLimit } from '../../domain/timing';
import { createMayHaveSucceeded, createTask, fetchTask, type Connection } from '../../transport';
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
	| { kind: 'uncertain'; plan: Plan };

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
		if (!earlier.taskId) return { kind: 'uncertain', plan };
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
	const orders = orderAll(context, items, plans, budget.callbackUrlOf, ledger);
	const toCreate = orders.filter((order) => order.kind === 'create').map((order) => order.plan);
	checkBudget(context, toCreate, budget.maxCredits, creditsSpent(ledger));
	const submitted: Submitted = { tasks: [], failures: [], callsBackHere: new Set() };
	await mapWithLimit(orders, settings.concurrency, async (order) => {
		const { itemIndex, credits } = order.plan;
		if (order.kind === 'uncertain') {
			submitted.failures.push(failed(itemIndex, uncertainCreate(context, itemIndex)));
			return;
		}
		const startedAt = Date.now();
		const call = { timeoutMs: settings.requestTimeoutMs, itemIndex };
		const answer = await attempt(
			order.kind === 'pickUp'
				? fetchTask(context, connection, order.taskId, call)
				: createTask(context, connection, order.body, call),
		);
		if (order.kind === 'create' && (answer.ok || createMayHaveSucceeded(answer.error))) {
			recordCreate(ledger, order.identity, {
				taskId: answer.ok ? answer.value.taskId : undefined,
				callbackDigest: callbackDigestOf(order.body.callback_url as string | undefined),
				credits: credits ?? 0,
			});
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
