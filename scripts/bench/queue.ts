/**
 * Why Resume on Callback exists, measured: 20 one-item executions in n8n's queue mode with 2
 * workers at concurrency 1, jobs of latency L, Poll mode vs Resume on Callback mode in one run.
 * Poll holds a worker per job (about 10 L for 20 jobs on 2 workers); Resume parks and frees it.
 */
import { tmpdir } from 'node:os';

import { Emulator } from '../../test/emulator/server';
import { CREDENTIAL, chain, generate, webhookStart } from '../../test/e2e/workflows';
import { QueueN8n, QueueServices } from '../../test/harness/queueMode';
import { installN8n, packPackage } from '../../test/harness/realN8n';
import { rows, say, seconds } from './table';

const EXECUTIONS = 20;

async function timedExecutions(
	n8n: QueueN8n,
	pathPart: string,
	workflowId: string,
): Promise<number> {
	const began = Date.now();
	await Promise.all(
		Array.from({ length: EXECUTIONS }, async (_, index) => {
			const response = await fetch(`${n8n.balancer.url}/webhook/${pathPart}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ prompt: `Clip ${index}` }),
			});
			if (!response.ok)
				throw new Error(
					`Webhook ${pathPart} answered ${response.status}: ${await response.text()}`,
				);
		}),
	);
	for (;;) {
		const executions = await n8n.executions(workflowId);
		const ended = executions.filter((row) => !['new', 'running', 'waiting'].includes(row.status));
		if (ended.length >= EXECUTIONS) {
			if (ended.some((row) => row.status !== 'success'))
				throw new Error(`Some ${workflowId} executions did not succeed`);
			return Date.now() - began;
		}
		if (Date.now() - began > 900_000) throw new Error(`${workflowId} did not finish in 15 minutes`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

export async function queueModeFigures(): Promise<void> {
	const version = process.env.BENCH_QUEUE_N8N ?? '2.40.7';
	const latencyMs = Number(process.env.BENCH_QUEUE_LATENCY_MS ?? 10_000);
	say(
		`Queue mode (n8n ${version}): ${EXECUTIONS} one-item executions, 2 workers at concurrency 1, job latency L = ${seconds(latencyMs)}`,
	);
	const emulator = await new Emulator({ latencyMs }).start();
	const services = new QueueServices();
	await services.start();
	const n8n = new QueueN8n(version, installN8n(version), services);
	try {
		n8n.installPackage(packPackage(tmpdir()));
		await n8n.importCredential({
			...CREDENTIAL,
			data: { apiKey: emulator.apiKey, baseUrl: emulator.url },
		});
		const options = { downloadVideo: false, maxWaitTime: 600 };
		const workflows = [
			chain('benchQueuePoll01', 'Bench: poll', [
				webhookStart('bench-poll'),
				generate({ prompt: '={{ $json.body.prompt }}', options: { ...options, pollInterval: 1 } }),
			]),
			chain('benchQueueResume', 'Bench: resume on callback', [
				webhookStart('bench-resume'),
				generate({
					prompt: '={{ $json.body.prompt }}',
					waitMode: 'resume',
					options: { ...options },
				}),
			]),
		];
		for (const workflow of workflows) {
			await n8n.importWorkflow(workflow);
			await n8n.activate(workflow.id);
		}
		await n8n.startAll({
			workers: 2,
			concurrency: 1,
			webhookProcesses: 2,
			webhookPaths: ['bench-poll', 'bench-resume'],
		});
		const resumeMs = await timedExecutions(n8n, 'bench-resume', 'benchQueueResume');
		const pollMs = await timedExecutions(n8n, 'bench-poll', 'benchQueuePoll01');
		const limit = 1.3 * latencyMs + 5000;
		rows.push({
			figure: `queue mode, ${EXECUTIONS} executions, Poll (L = ${seconds(latencyMs)})`,
			value: `${seconds(pollMs)} (${(pollMs / latencyMs).toFixed(1)} L)`,
			target: '',
			met: null,
		});
		rows.push({
			figure: `queue mode, ${EXECUTIONS} executions, Resume on Callback`,
			value: `${seconds(resumeMs)} (${(resumeMs / latencyMs).toFixed(1)} L)`,
			target: `<= 1.3 L + 5 s = ${seconds(limit)}`,
			met: resumeMs <= limit,
		});
		rows.push({
			figure: '  Resume vs Poll',
			value: `${(pollMs / resumeMs).toFixed(1)}x faster`,
			target: '>= 6x',
			met: pollMs / resumeMs >= 6,
		});
	} finally {
		await n8n.stop();
		n8n.remove();
		await services.stop();
		await emulator.stop();
	}
}
