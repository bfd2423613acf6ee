/**
 * The start every callback passes (the token, the body) and the service's word on it, answer by
 * answer: what the caller reads (status, JSON, message), in n8n-core's real webhook context against
 * the emulator. A probe node reads a task with a chosen time left, as the resume webhook does.
 */
import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { signCallbackUrl } from '../../../../nodes/shared/domain/callbackToken';
import { isPassingFault } from '../../../../nodes/shared/transport';
import {
	answer,
	nothingToRegister,
	readForCallback,
	receiveCallback,
} from '../../../../nodes/shared/webhooks/callbacks';
import { nodeTypes } from '../../../harness/n8n';
import { TriggerReceiver, WebhookReceiver } from '../../../harness/webhook';
import { createEmulatedTask, useEmulator, waitFor } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 20, callbacks: 'none' });

/** Reads the task a callback names with `leftMs` of its time left, and says what came of it. */
class ReadProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Read Probe',
		name: 'readProbe',
		group: ['trigger'],
		version: 1,
		description: 'Reads a callback’s task',
		defaults: { name: 'Probe' },
		inputs: [],
		outputs: ['main'],
		credentials: [{ name: 'seedanceApi', required: true }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'callback' },
		],
		properties: [],
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const received = await receiveCallback(this);
		if (received.refused) return received.refused;
		const leftMs = Number((this.getQueryData() as IDataObject).leftMs);
		const read = await readForCallback(
			this,
			received.connection,
			received.task.taskId,
			Date.now() + leftMs,
		);
		return answer(this, 200, {
			read: read.ok ? read.value.state : null,
			passing: read.ok ? null : isPassingFault(read.error),
		});
	}
}
nodeTypes.register('test.readProbe', new ReadProbe());

/** The answer as the caller reads it. */
async function post(url: string, body: unknown) {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	return {
		status: response.status,
		type: response.headers.get('content-type'),
		body: (await response.json()) as IDataObject,
	};
}

const statusReads = () => emulator.requests.filter((request) => request.route === 'status');

let doneTask: string;
beforeEach(async () => {
	doneTask = await createEmulatedTask(emulator, 'done', 'https://unused.example/cb');
	await waitFor(
		() => emulator.stateOf(emulator.tasks.get(doneTask)!).state === 'succeeded',
		5000,
		'the job',
	);
});

describe('at the Seedance Trigger', () => {
	let trigger: TriggerReceiver;
	beforeEach(async () => {
		trigger = new TriggerReceiver(
			{ event: 'anyTerminal', options: { downloadVideo: false } },
			credentials(),
		);
		await trigger.start();
	});
	afterEach(async () => await trigger.stop());

	const signed = () => signCallbackUrl(trigger.productionUrl, emulator.apiKey);
	const finished = (taskId: string) => ({ task_id: taskId, status: 'succeeded' });

	it('no token: 401 in JSON, saying where callbacks come from; nothing read', async () => {
		const reply = await post(trigger.productionUrl, finished(doneTask));
		expect(reply).toEqual({
			status: 401,
			type: 'application/json',
			body: {
				message:
					'Missing seedance_token: send callbacks to the URL the Seedance node gave the service',
			},
		});
		expect(statusReads()).toHaveLength(0);
	});

	it('a wrong token: 403 "Wrong seedance_token"; nothing read', async () => {
		const url = new URL(trigger.productionUrl);
		url.searchParams.set('seedance_token', 'forged');
		const reply = await post(url.toString(), finished(doneTask));
		expect(reply).toEqual({
			status: 403,
			type: 'application/json',
			body: { message: 'Wrong seedance_token' },
		});
		expect(statusReads()).toHaveLength(0);
	});

	it('a body that names no task: 400 with the reason; nothing read', async () => {
		const reply = await post(signed(), { hello: 'world' });
		expect(reply.status).toBe(400);
		expect(reply.type).toBe('application/json');
		expect(String(reply.body.message)).toMatch(/task/i);
		expect(statusReads()).toHaveLength(0);
	});

	it('a task the service does not know: 409 naming it, after one read; nothing started', async () => {
		const reply = await post(signed(), finished('someone_elses_task'));
		expect(reply).toEqual({
			status: 409,
			type: 'application/json',
			body: { message: 'Task someone_elses_task is unknown to API in One for this credential' },
		});
		expect(statusReads()).toHaveLength(1);
		expect(trigger.executions).toHaveLength(0);
	});

	it('the service out of reach: 503 asking to try again, nothing started; the resend starts it', async () => {
		emulator.faults.status.push({ kind: 'status', code: 503 });
		const reply = await post(signed(), finished(doneTask));
		expect(reply).toEqual({
			status: 503,
			type: 'application/json',
			body: { message: `Could not confirm task ${doneTask} with API in One; try again later` },
		});
		expect(trigger.executions).toHaveLength(0);
		expect((await post(signed(), finished(doneTask))).status).toBe(200);
		expect(trigger.executions).toHaveLength(1);
	});
});

describe('a read for a callback', () => {
	let probe: WebhookReceiver;
	beforeEach(async () => {
		probe = new WebhookReceiver({
			node: {
				name: 'Probe',
				type: 'test.readProbe',
				parameters: {},
				credentials: { seedanceApi: { id: '1', name: 'Seedance account' } },
			},
			credentials: credentials(),
		});
		await probe.start();
	});
	afterEach(async () => await probe.stop());

	const signedWith = (leftMs: number) => {
		const url = new URL(signCallbackUrl(probe.productionUrl, emulator.apiKey));
		url.searchParams.set('leftMs', String(leftMs));
		return url.toString();
	};

	it('no token, and no hint given: 401 "Missing seedance_token" alone', async () => {
		const reply = await post(probe.productionUrl, { task_id: doneTask, status: 'succeeded' });
		expect(reply.status).toBe(401);
		expect(reply.body).toEqual({ message: 'Missing seedance_token' });
	});

	it('with time left: one read, the service’s state', async () => {
		const reply = await post(signedWith(3000), { task_id: doneTask, status: 'running' });
		expect(reply.body).toEqual({ read: 'succeeded', passing: null });
		expect(statusReads()).toHaveLength(1);
	});

	it('with under 100 ms left: no request at all, and a fault that passes (the caller tries again)', async () => {
		const reply = await post(signedWith(60), { task_id: doneTask, status: 'succeeded' });
		expect(reply.body).toEqual({ read: null, passing: true });
		expect(statusReads()).toHaveLength(0);
	});
});

it('Generate’s resume webhook has nothing to register with the service, nor to remove', async () => {
	const hooks = nothingToRegister.default;
	const context = {} as IHookFunctions;
	expect(await hooks.checkExists.call(context)).toBe(true);
	expect(await hooks.create.call(context)).toBe(true);
	expect(await hooks.delete.call(context)).toBe(true);
});
