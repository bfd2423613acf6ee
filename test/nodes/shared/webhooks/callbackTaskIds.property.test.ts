/**
 * A callback body naming no usable task (empty, `.`/`..`, over 200 characters, URL-changing
 * characters) is a 400 at both webhooks, in n8n-core's real webhook context against the emulator:
 * the service does not resend a 400, nothing starts or resumes, no request reaches the service,
 * and the trigger's memory (the workflow's static data) does not grow.
 */
import { signCallbackUrl } from '../../../../nodes/shared/domain/callbackToken';
import { TriggerReceiver, parkGenerate } from '../../../harness/webhook';
import { FAST, useEmulator, waitFor } from '../../../helpers';
import { checkProperty, fc } from '../../../property';

const { emulator, credentials } = useEmulator({ latencyMs: 30, callbacks: 'none' });

const usableId = (text: string) =>
	text.length >= 1 && text.length <= 200 && /^[\w.:-]+$/.test(text) && !/^\.+$/.test(text);

/** Texts that are no task ID: the examples, long ones up to 600 KB, any bad character. */
const unusableTaskId = fc
	.oneof(
		fc.constantFrom('', ' ', '.', '..', '...', '../status', 'a/b', 'a?b=1', 'a#b', '%2e%2e'),
		fc.integer({ min: 201, max: 600 * 1024 }).map((length) => 'x'.repeat(length)),
		fc
			.tuple(
				fc.stringMatching(/^[\w.:-]{0,20}$/),
				fc.constantFrom('/', '?', '#', '%', ' ', '\\', '@', '\u0000', '\n', '😀', 'é'),
				fc.stringMatching(/^[\w.:-]{0,20}$/),
			)
			.map((parts) => parts.join('')),
		fc.string({ maxLength: 20 }),
	)
	.filter((text) => !usableId(text.trim()));

const callbackOf = (taskId: string, word: string, envelope: boolean) => {
	const task = { task_id: taskId, status: word, video_url: 'https://cdn.example.com/v.mp4' };
	return envelope ? { code: 200, data: task } : task;
};
const word = fc.constantFrom('COMPLETED', 'success', 'failed', 'in_progress', 'whatever');

describe('callbacks naming no usable task', () => {
	it('at the Seedance Trigger (confirmation on or off): 400, nothing started, nothing requested, nothing remembered', async () => {
		await checkProperty(
			'trigger: unusable task ids',
			fc.asyncProperty(
				unusableTaskId,
				word,
				fc.boolean(),
				fc.boolean(),
				async (taskId, status, envelope, confirm) => {
					const trigger = new TriggerReceiver(
						{ event: 'anyTerminal', options: { confirmWithService: confirm } },
						credentials(),
					);
					await trigger.start();
					try {
						const url = signCallbackUrl(trigger.productionUrl, emulator.apiKey);
						const before = JSON.stringify(trigger.savedStaticData);
						const requests = emulator.requests.length;
						const record = await emulator.sendCallback(url, callbackOf(taskId, status, envelope));
						expect(record.status).toBe(400);
						expect(JSON.parse(record.answer ?? '{}').message).toMatch(
							/no task ID|holds no task ID/,
						);
						expect(trigger.executions).toHaveLength(0);
						expect(emulator.requests.length).toBe(requests);
						expect(JSON.stringify(trigger.savedStaticData)).toBe(before);
					} finally {
						await trigger.stop();
					}
				},
			),
			40,
		);
	}, 120_000);

	it.each(['..', '.', '../videos/generations'])(
		'a finished-looking callback for task "%s" with confirmation on is a 400 (it was a 503, resent forever)',
		async (taskId) => {
			const trigger = new TriggerReceiver({ event: 'anyTerminal', options: {} }, credentials());
			await trigger.start();
			try {
				const url = signCallbackUrl(trigger.productionUrl, emulator.apiKey);
				const requests = emulator.requests.length;
				const record = await emulator.sendCallback(url, callbackOf(taskId, 'COMPLETED', true));
				expect(record.status).toBe(400);
				expect(JSON.parse(record.answer ?? '{}').message).toContain(
					`The body names task "${taskId}"`,
				);
				expect(emulator.requests.length).toBe(requests);
			} finally {
				await trigger.stop();
			}
		},
	);

	it('with confirmation off, a usable id is remembered, and 600 KB ids add nothing to the memory', async () => {
		const trigger = new TriggerReceiver(
			{ event: 'anyTerminal', options: { confirmWithService: false } },
			credentials(),
		);
		await trigger.start();
		try {
			const url = signCallbackUrl(trigger.productionUrl, emulator.apiKey);
			expect(await emulator.postCallback(url, callbackOf('n1_real', 'failed', false))).toBe(200);
			const remembered = JSON.stringify(trigger.savedStaticData);
			expect(remembered).toContain('n1_real:failed');
			for (const letter of ['a', 'b'])
				expect(
					await emulator.postCallback(url, callbackOf(letter.repeat(600 * 1024), 'failed', false)),
				).toBe(400);
			expect(JSON.stringify(trigger.savedStaticData)).toBe(remembered);
			expect(trigger.executions).toHaveLength(1);
		} finally {
			await trigger.stop();
		}
	});

	it('at a parked execution: 400, nothing resumed, nothing requested; the real callback still resumes it', async () => {
		const parked = await parkGenerate(credentials(), ['A [latency=30]'], {
			...FAST,
			downloadVideo: false,
		});
		try {
			const [task] = [...emulator.tasks.values()];
			await checkProperty(
				'resume: unusable task ids',
				fc.asyncProperty(unusableTaskId, word, fc.boolean(), async (taskId, status, envelope) => {
					const requests = emulator.requests.length;
					const record = await emulator.sendCallback(
						parked.signedUrl,
						callbackOf(taskId, status, envelope),
					);
					expect(record.status).toBe(400);
					expect(parked.receiver.executions).toHaveLength(0);
					expect(emulator.requests.length).toBe(requests);
				}),
				40,
			);
			await waitFor(() => emulator.stateOf(task).state === 'succeeded', 5000, 'the job');
			expect(await emulator.postCallback(parked.signedUrl, emulator.statusBody(task))).toBe(200);
			await waitFor(() => parked.receiver.executions.length === 1, 5000, 'the resume');
		} finally {
			await parked.receiver.stop();
		}
	}, 120_000);
});
