/**
 * Requests with the user's key per inbound callback, at the Seedance Trigger and at a parked
 * execution's resume URL (n8n-core's webhook context, emulator on loopback).
 */
import { signCallbackUrl } from '../../nodes/shared/domain/callbackToken';
import { Emulator } from '../../test/emulator/server';
import { parkGenerate, TriggerReceiver } from '../../test/harness/webhook';
import { rows, say } from './table';

const until = async (condition: () => boolean) => {
	for (let tries = 0; tries < 500 && !condition(); tries++)
		await new Promise((resolve) => setTimeout(resolve, 20));
};

export async function callbackCosts(): Promise<void> {
	const emulator = await new Emulator({ latencyMs: 50, callbacks: 'none' }).start();
	const credentials = { seedanceApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } };
	const reads = () => emulator.count('status');
	const ended = () =>
		[...emulator.tasks.values()].every((task) => emulator.stateOf(task).state === 'succeeded');
	const perCallback = (total: number, callbacks: number) =>
		`${(total / callbacks).toFixed(2)} (${total} for ${callbacks})`;
	try {
		say('Callbacks: requests with the key per inbound callback');
		const trigger = new TriggerReceiver({ event: 'anyTerminal', options: {} }, credentials);
		const url = signCallbackUrl(await trigger.start(), emulator.apiKey);
		const response = await fetch(`${emulator.url}/api/v1/videos/generations`, {
			method: 'POST',
			headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'seedance-1-5-pro', prompt: 'bench', callback_url: url }),
		});
		const taskId = ((await response.json()) as { data: { task_id: string } }).data.task_id;
		await until(ended);
		const body = emulator.statusBody(emulator.tasks.get(taskId)!);
		const measure = async (count: number, send: () => Promise<unknown>) => {
			const before = reads();
			for (let index = 0; index < count; index++) await send();
			return reads() - before;
		};
		const first = await measure(1, async () => await emulator.postCallback(url, body));
		const replays = await measure(200, async () => await emulator.postCallback(url, body));
		const progress = await measure(100, async () =>
			emulator.postCallback(url, { task_id: taskId, status: 'IN_PROGRESS' }),
		);
		const forged = await measure(100, async () =>
			emulator.postCallback(`${trigger.productionUrl}?seedance_token=forged`, body),
		);
		await trigger.stop();
		const push = (figure: string, value: number, callbacks: number, max: number) =>
			rows.push({
				figure,
				value: perCallback(value, callbacks),
				target: `<= ${max}`,
				met: value <= max * callbacks,
			});
		push('Trigger: the first callback of a finished task', first, 1, 1);
		push('Trigger: replays of a delivered callback', replays, 200, 0);
		push('Trigger: progress callbacks', progress, 100, 0);
		push('Trigger: callbacks with a wrong token', forged, 100, 0);

		emulator.reset();
		// Jobs ending 40 ms apart, each callback sent when its job ends.
		const batch = await parkGenerate(
			credentials,
			Array.from({ length: 30 }, (_, index) => `Clip ${index} [latency=${100 + index * 40}]`),
			{ pollInterval: 0.1, requestTimeout: 5, downloadVideo: false },
		);
		const tasks = [...emulator.tasks.values()];
		const batchStart = reads();
		let mostForNothing = 0;
		for (const task of tasks) {
			await until(() => emulator.stateOf(task).state === 'succeeded');
			const before = reads();
			await emulator.postCallback(batch.signedUrl, emulator.statusBody(task));
			const answered = batch.receiver.deliveries.at(-1)?.body as { resumed?: boolean };
			// A resume answers first and reads after: only callbacks that resumed nothing count here.
			if (!answered?.resumed) mostForNothing = Math.max(mostForNothing, reads() - before);
		}
		await until(() => batch.receiver.executions.length === 1);
		const batchReads = reads() - batchStart;
		await batch.receiver.stop();
		rows.push({
			figure:
				'Resume: a batch of 30 ending over time, one callback each, resume included (was 900)',
			value: perCallback(batchReads, 30),
			target: '<= N + 2 (32)',
			met: batchReads <= 32 && batch.receiver.executions.length === 1,
		});
		rows.push({
			figure: 'Resume: the most reads of one callback that resumed nothing',
			value: String(mostForNothing),
			target: '<= 2',
			met: mostForNothing <= 2,
		});

		emulator.reset();
		const parked = await parkGenerate(
			credentials,
			['Slow [never]', ...Array.from({ length: 19 }, (_, index) => `Clip ${index}`)],
			{ pollInterval: 0.1, requestTimeout: 5, downloadVideo: false },
		);
		const quick = [...emulator.tasks.values()].slice(1);
		await until(() => quick.every((task) => emulator.stateOf(task).state === 'succeeded'));
		for (const task of quick)
			await emulator.postCallback(parked.signedUrl, emulator.statusBody(task));
		const parkedReplays = await measure(100, async () =>
			emulator.postCallback(parked.signedUrl, emulator.statusBody(quick[0])),
		);
		await parked.receiver.stop();
		push('Resume: replays to a parked batch of 20 (was 20 each)', parkedReplays, 100, 1);
	} finally {
		await emulator.stop();
	}
}
