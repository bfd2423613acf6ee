import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { createEmulatedTask, useEmulator } from '../helpers';

const { emulator } = useEmulator({ latencyMs: 200 });

/** A loopback receiver that records the callbacks it gets. */
async function receiver(): Promise<{ url: string; bodies: unknown[]; close: () => Promise<void> }> {
	const bodies: unknown[] = [];
	const server = http.createServer((req, res) => {
		let text = '';
		req.on('data', (chunk: Buffer) => (text += chunk.toString()));
		req.on('end', () => {
			bodies.push(JSON.parse(text));
			res.end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=t`,
		bodies,
		close: () =>
			new Promise((resolve) => {
				// fetch keeps connections alive; close them or close() waits for ever.
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Emulator callbacks', () => {
	it('POSTs the task, shaped like the status answer, to callback_url when it ends', async () => {
		const hook = await receiver();
		const taskId = await createEmulatedTask(emulator, 'a dancer', hook.url);
		await settle(500);
		expect(hook.bodies).toEqual([emulator.statusBody(emulator.tasks.get(taskId)!)]);
		expect(hook.bodies[0]).toMatchObject({ data: { task_id: taskId, status: 'COMPLETED' } });
		await hook.close();
	});

	it('can post on every state change, and deliver duplicates', async () => {
		Object.assign(emulator.options, { callbacks: 'everyChange', callbackCopies: 2 });
		const hook = await receiver();
		await createEmulatedTask(emulator, 'a dancer [fail] [latency=1000]', hook.url);
		await settle(1400);
		const states = hook.bodies.map((body) => (body as { data: { status: string } }).data.status);
		// The queued phase is brief and may fall between two ticks; the rest is certain.
		const changes = states.filter((_, index) => index % 2 === 0);
		expect(states).toEqual(changes.flatMap((state) => [state, state]));
		expect(changes.slice(-2)).toEqual(['IN_PROGRESS', 'FAILED']);
		await hook.close();
	});

	it('sends no callback for a task that never ends, and none while held', async () => {
		const hook = await receiver();
		emulator.holdCallbacks = true;
		await createEmulatedTask(emulator, 'a dancer', hook.url);
		await createEmulatedTask(emulator, 'a dancer [never]', hook.url);
		await settle(500);
		expect(hook.bodies).toHaveLength(0);
		emulator.holdCallbacks = false;
		await settle(300);
		expect(hook.bodies).toHaveLength(1);
		await hook.close();
	});
});

describe('Emulator prompt markers', () => {
	it('[refuse]: the create is answered 422 with a message, and no task is made', async () => {
		const response = await fetch(`${emulator.url}/api/v1/videos/generations`, {
			method: 'POST',
			headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'seedance-1-5-pro', prompt: 'a dancer [refuse]' }),
		});
		expect(response.status).toBe(422);
		expect(await response.json()).toEqual({
			error: { message: 'The prompt was refused by content moderation' },
		});
		expect(emulator.tasks.size).toBe(0);
		expect(emulator.count('create')).toBe(1);
	});
});
