/**
 * Workflows for the e2e suites, built as n8n stores them, and the waiting helpers they share.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { RealN8n, StoredRun } from '../harness/realN8n';

const ROOT = path.resolve(__dirname, '../..');

export const CREDENTIAL = {
	id: 'seedanceCred01',
	name: 'Seedance (API in One)',
	type: 'seedanceApi',
};
export const credentialRef = { seedanceApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } };

export function example(
	name: string,
): Record<string, unknown> & { nodes: Array<Record<string, unknown>> } {
	return JSON.parse(readFileSync(path.join(ROOT, 'examples', name), 'utf8')) as Record<
		string,
		unknown
	> & { nodes: Array<Record<string, unknown>> };
}

let nodeIds = 0;
export function node(
	name: string,
	type: string,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
) {
	return {
		id: `e2e00000-0000-4000-8000-${String(++nodeIds).padStart(12, '0')}`,
		name,
		type,
		typeVersion: 1,
		position: [nodeIds * 220, 0],
		parameters,
		...extra,
	};
}

export function chain(id: string, name: string, nodes: Array<{ name: string }>) {
	const connections: Record<string, unknown> = {};
	for (let index = 0; index + 1 < nodes.length; index++)
		connections[nodes[index].name] = {
			main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]],
		};
	const settings: Record<string, unknown> = { executionOrder: 'v1' };
	return { id, name, nodes, connections, settings, pinData: {} };
}

/** A workflow started by a production webhook (served by the webhook processes). */
export function webhookStart(pathPart: string) {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		{ httpMethod: 'POST', path: pathPart, responseMode: 'onReceived', options: {} },
		{
			typeVersion: 2,
			webhookId: `7b2e7b9f-0000-4000-8000-${pathPart.replace(/\W/g, '').padStart(12, '0').slice(-12)}`,
		},
	);
}

export const manual = () => node('Start', 'n8n-nodes-base.manualTrigger', {});
export const generate = (parameters: Record<string, unknown>, name = 'Generate') =>
	node(
		name,
		'n8n-nodes-seedance.seedance',
		{
			resource: 'video',
			operation: 'generate',
			prompt: 'A paper boat in the rain',
			resolution: '480p',
			duration: '4',
			...parameters,
		},
		{ credentials: credentialRef, typeVersion: 1.1 },
	);

export async function until<T>(
	read: () => Promise<T>,
	done: (value: T) => boolean,
	timeoutMs: number,
	what: string,
): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (Date.now() > end)
			throw new Error(
				`Timed out waiting for ${what}; last: ${JSON.stringify(value).slice(0, 500)}`,
			);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

export const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function outputOf(run: StoredRun, nodeName: string) {
	return run.resultData.runData[nodeName]?.at(-1)?.data?.main[0] ?? [];
}

/**
 * The task of each execution of a Seedance Trigger workflow after its first `after`, once all of
 * them have ended ([] while one runs).
 */
export async function triggeredTasks(
	n8n: RealN8n,
	workflowId: string,
	after: number,
): Promise<string[]> {
	const rows = (await n8n.executions(workflowId)).slice(after);
	if (!rows.every((row) => row.status === 'success' || row.status === 'error')) return [];
	return await Promise.all(
		rows.map(async (row) =>
			String(outputOf(await n8n.runOf(row.id), 'Seedance Trigger')[0]?.json.taskId),
		),
	);
}

/**
 * Waits for the execution of one more callback (the `sentinel` task, sent after everything under
 * test was answered) and returns the tasks of every execution after the first `after`: an
 * execution anything before it started is recorded by then. A state to wait for, not a pause.
 */
export async function tasksUpTo(
	n8n: RealN8n,
	workflowId: string,
	after: number,
	sentinel: string,
): Promise<string[]> {
	return await until(
		() => triggeredTasks(n8n, workflowId, after),
		(tasks) => tasks.includes(sentinel),
		120_000,
		`the execution of ${sentinel}`,
	);
}
