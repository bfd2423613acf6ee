import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { getConnection, type Connection } from '../transport';
import { readWaitOptions } from '../actions/common.descriptions';
import { readCallback, type CallbackRequest } from './callbackBody';
import { errorItem, finishTasks, toNodeOutput, type FinishOptions, type ItemOutcome } from './completion';
import type { OpenTask } from './engine';
import { isTerminal, type SeedanceTask } from './task';
import { answer, refuseUnsigned } from './webhooks';

/**
 * Resume mode parks the execution (n8n's Wait-node mechanism) and lets the service's callback
 * to `$execution.resumeUrl` resume it. This webhook receives that callback.
 */
export const RESUME_WEBHOOK: IWebhookDescription = {
	name: 'default',
	httpMethod: 'POST',
	responseMode: 'onReceived',
	path: '',
	restartWebhook: true,
};

/**
 * What a parked item holds while the execution waits. It is only ever output when no callback
 * came (a callback replaces it with the task's result), so it says so: no state, which would be
 * the stale one of the create answer, but the task id, `callbackTimedOut` for an IF node to route
 * on, and the error text.
 */
interface ParkedJson extends IDataObject {
	taskId: string | null;
	callbackReceived: false;
	callbackTimedOut: true;
	waitDeadline: string;
	error: string;
}

const noCallback = (seconds: number) =>
	`No callback from API in One within ${seconds} seconds. The task may still finish: check it with a Seedance Wait or Get Status node on "taskId" (route these items with an IF on "callbackTimedOut").`;

/**
 * Resume mode's end of an operation. Tasks already known to have ended (a picked-up existing
 * task, one read before parking) are finished now, video included: no callback will come for
 * them. The others park the execution until the first callback or the deadline (unless none of
 * them can call back here: see `callsBackHere`). The node's input items are
 * replaced in place by one item per task: the webhook reads them back to know which tasks this
 * execution created, and if no callback comes, n8n passes them on (n8n runs no node code at a
 * wait's deadline, so the status cannot be read once more here; a Seedance Wait node after an
 * IF on `callbackTimedOut` does that), saying plainly that the result is missing and naming the task.
 */
export async function parkForCallbacks(
	context: IExecuteFunctions,
	connection: Connection,
	outcomes: ItemOutcome[],
	tasks: OpenTask[],
	options: FinishOptions,
	callsBackHere: (task: OpenTask) => boolean = () => true,
): Promise<INodeExecutionData[]> {
	const hasEnded = (task: OpenTask) => task.last !== undefined && isTerminal(task.last.state);
	outcomes.push(...(await finishTasks(context, connection, tasks.filter(hasEnded), options)));
	const pending = tasks.filter((task) => !hasEnded(task));
	if (pending.length === 0) return toNodeOutput(context, outcomes);
	// No callback can reach this execution for any of them (picked-up tasks were created with
	// another callback URL): pausing would only wait for the deadline, so read them as Poll does.
	if (!pending.some(callsBackHere)) return toNodeOutput(context, [...outcomes, ...(await finishTasks(context, connection, pending, options))]);
	if (!context.continueOnFail() && outcomes.some((outcome) => !outcome.ok)) {
		// Without "Continue On Fail" a failed item fails the node, as in Poll mode; it cannot do so
		// later (n8n runs no node code at the deadline), so now, naming the paid tasks still running.
		return toNodeOutput(context, outcomes, pending);
	}
	const { maxWaitMs } = options.settings;
	const deadline = new Date(Date.now() + maxWaitMs);
	const seconds = Math.round(maxWaitMs / 1000);
	const parked: INodeExecutionData[] = [];
	for (const task of pending) {
		const json: ParkedJson = { taskId: task.taskId, callbackReceived: false, callbackTimedOut: true, waitDeadline: deadline.toISOString(), error: noCallback(seconds) };
		parked[task.itemIndex] = { json, pairedItem: { item: task.itemIndex } };
	}
	// Items already settled (a task that had ended, an error item with Continue On Fail) are parked as they are: they pass through either way.
	for (const outcome of outcomes) parked[outcome.itemIndex] = outcome.ok ? outcome.item : errorItem(outcome);
	const input = context.getExecuteData().data.main[0];
	if (input) input.splice(0, input.length, ...parked);
	await context.putExecutionToWait(deadline);
	return parked;
}

/**
 * The items the execution parked with. n8n gives a resumed webhook its waiting node's input
 * (n8n-core's WebhookContext keeps it as connectionInputData, 1.x and 2.x alike) but exposes no
 * accessor for it; without it nothing can be matched, and every callback is refused.
 */
function parkedItems(context: IWebhookFunctions): INodeExecutionData[] {
	const items = (context as unknown as { connectionInputData?: unknown }).connectionInputData;
	return Array.isArray(items) ? (items as INodeExecutionData[]) : [];
}

/**
 * Parks resumed (or being resumed) by this n8n process. n8n marks a resumed execution as running
 * only once this webhook has returned, and the webhook first gathers the other tasks' results
 * (reads, downloads: minutes for big videos). A callback arriving meanwhile (another task's, or
 * the service delivering one twice) finds the execution still waiting: the results would be read
 * and downloaded again, and n8n 1.x would resume it again (every node after this one running
 * twice; 2.x refuses that). So each park resumes once: later callbacks get 200 and
 * `resumed: false` (their task is read by the resume under way). A park is one wait of one node in
 * one execution, told apart by its deadline (an execution may wait again further on).
 */
const resumesUnderWay = new Set<string>();
const MAX_REMEMBERED_RESUMES = 10_000;

function parkKey(context: IWebhookFunctions, item: INodeExecutionData): string {
	return `${context.getExecutionId()}\u0000${context.getNode().name}\u0000${String(item.json.waitDeadline)}`;
}

/**
 * A callback to the resume URL. Only a signed callback about a task of this very execution
 * resumes it (a forged or replayed one gets 401/403/409 and the execution keeps waiting). The
 * body gives that task's result without another request; the other tasks of the execution, if
 * any, are read until they end (a park resumes once, so later callbacks cannot be waited for).
 */
export async function resumeFromCallback(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const connection = await getConnection(context);
	const refused = refuseUnsigned(context, connection.callbackToken);
	if (refused) return refused;
	const reading = readCallback(context.getRequestObject() as unknown as CallbackRequest);
	if (!reading.ok) return answer(context, 400, { message: reading.reason });
	const { task } = reading;
	const parked = parkedItems(context);
	const mine = parked.findIndex((item) => item.json.taskId === task.taskId && item.json.callbackReceived === false);
	if (mine < 0) return answer(context, 409, { message: `Task ${task.taskId} is not waited for by this execution` });
	// A progress callback: keep waiting.
	if (!isTerminal(task.state)) return { webhookResponse: { received: true, resumed: false } };

	const park = parkKey(context, parked[mine]);
	if (resumesUnderWay.has(park)) return answer(context, 200, { received: true, resumed: false, message: 'This execution is already resuming' });
	resumesUnderWay.add(park);
	if (resumesUnderWay.size > MAX_REMEMBERED_RESUMES) resumesUnderWay.delete(resumesUnderWay.values().next().value as string);
	let resumed = false;
	try {
		const result = await resume(context, connection, parked, mine, task);
		resumed = true;
		return result;
	} finally {
		// Nothing was resumed: a later callback may try again.
		if (!resumed) resumesUnderWay.delete(park);
	}
}

/** Answers the service, then gathers every parked task's result: the resumed node's output. */
async function resume(context: IWebhookFunctions, connection: Connection, parked: INodeExecutionData[], mine: number, task: SeedanceTask): Promise<IWebhookResponseData> {
	// The service retries slow receivers; answer now, then gather the other results and downloads.
	answer(context, 200, { received: true, resumed: true });
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const wait = readWaitOptions(context, options, 0);
	// Items parked as settled (an error item, a task that had already ended) pass through as they are.
	const open: OpenTask[] = [];
	parked.forEach((item, itemIndex) => {
		if (item.json.callbackReceived !== false || typeof item.json.taskId !== 'string') return;
		const startedAt = Date.parse(String(item.json.waitDeadline)) - wait.settings.maxWaitMs;
		open.push({ itemIndex, taskId: item.json.taskId, startedAt, last: itemIndex === mine ? task : undefined });
	});
	const output = [...parked];
	for (const outcome of await finishTasks(context, connection, open, wait)) {
		output[outcome.itemIndex] = outcome.ok
			? { ...outcome.item, json: { ...outcome.item.json, callbackReceived: outcome.itemIndex === mine, callbackTimedOut: false } }
			: errorItem(outcome);
	}
	return { noWebhookResponse: true, workflowData: [output] };
}
