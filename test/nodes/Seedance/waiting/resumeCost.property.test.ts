/**
 * A batch parked in Resume on Callback and resumed by its own callbacks, each sent as its task
 * ends (others still running) and some sent twice: at most N + 2 reads in all, every task output.
 */
import { parkGenerate, type ParkedExecution } from '../../../harness/webhook';
import { FAST, useEmulator, waitFor } from '../../../helpers';
import { checkProperty, fc } from '../../../property';

const { emulator, credentials } = useEmulator({ latencyMs: 50, callbacks: 'none' });

describe('Resume on Callback: what a batch costs', () => {
	it('a batch of N resumed by its callbacks as its tasks end, copies included, reads at most N + 2 times', async () => {
		const scenario = fc.record({
			latencies: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
			copies: fc.array(fc.nat(), { maxLength: 6 }),
		});
		await checkProperty(
			'resume reads',
			fc.asyncProperty(scenario, async ({ latencies, copies }) => {
				emulator.reset();
				let parked: ParkedExecution | undefined;
				try {
					parked = await parkGenerate(
						credentials(),
						latencies.map((latency, index) => `Clip ${index} [latency=${latency * 100}]`),
						{ ...FAST, downloadVideo: false },
					);
					const tasks = [...emulator.tasks.values()];
					const byEnd = tasks
						.map((task, index) => ({ task, latency: latencies[index] }))
						.sort((a, b) => a.latency - b.latency)
						.map(({ task }) => task);
					const before = emulator.count('status');
					const send = async (task: (typeof tasks)[number]) =>
						expect(await emulator.postCallback(parked!.signedUrl, emulator.statusBody(task))).toBe(
							200,
						);
					for (const [position, task] of byEnd.entries()) {
						await waitFor(() => emulator.stateOf(task).state === 'succeeded', 5000, 'the job');
						await send(task);
						// The service's copy of a callback already sent, before the batch resumed.
						const copy = copies[position];
						if (copy !== undefined && position < byEnd.length - 1)
							await send(byEnd[copy % (position + 1)]);
					}
					await waitFor(() => parked!.receiver.executions.length === 1, 5000, 'the resume');
					expect(parked.receiver.executions[0].map((item) => item.json.taskId)).toEqual(
						tasks.map((task) => task.taskId),
					);
					expect(emulator.count('status') - before).toBeLessThanOrEqual(tasks.length + 2);
				} finally {
					await parked?.receiver.stop();
				}
			}),
			12,
		);
	}, 120_000);

	it('resumes though up to two callbacks never reached this process (a restart, another webhook process), within N + 2 reads', async () => {
		const scenario = fc.integer({ min: 1, max: 7 }).chain((size) =>
			fc.record({
				size: fc.constant(size),
				order: fc.shuffledSubarray(
					Array.from({ length: size }, (_, index) => index),
					{ minLength: Math.max(1, size - 2), maxLength: size },
				),
			}),
		);
		await checkProperty(
			'missed callbacks',
			fc.asyncProperty(scenario, async ({ size, order }) => {
				emulator.reset();
				let parked: ParkedExecution | undefined;
				try {
					parked = await parkGenerate(
						credentials(),
						Array.from({ length: size }, (_, index) => `Clip ${index}`),
						{ ...FAST, downloadVideo: false },
					);
					const tasks = [...emulator.tasks.values()];
					await waitFor(
						() => tasks.every((task) => emulator.stateOf(task).state === 'succeeded'),
						5000,
						'the jobs',
					);
					const before = emulator.count('status');
					for (const index of order)
						expect(
							await emulator.postCallback(parked.signedUrl, emulator.statusBody(tasks[index])),
						).toBe(200);
					await waitFor(() => parked!.receiver.executions.length === 1, 5000, 'the resume');
					expect(parked.receiver.executions[0].map((item) => item.json.state)).toEqual(
						tasks.map(() => 'succeeded'),
					);
					expect(emulator.count('status') - before).toBeLessThanOrEqual(size + 2);
				} finally {
					await parked?.receiver.stop();
				}
			}),
			15,
		);
	}, 120_000);
});
