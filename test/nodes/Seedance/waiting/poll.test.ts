import { nextPollDelay, type PollSettings } from '../../../../nodes/Seedance/waiting/poll';

const settings: PollSettings = {
	maxWaitMs: 600_000,
	minIntervalMs: 5_000,
	maxIntervalMs: 75_000,
	concurrency: 10,
	requestTimeoutMs: 60_000,
};

function task(elapsedMs: number, progress: number | null) {
	const now = 1_000_000;
	return {
		now,
		task: {
			itemIndex: 0,
			taskId: 't',
			startedAt: now - elapsedMs,
			last: progress === null ? undefined : ({ progress } as never),
		},
	};
}

describe('nextPollDelay', () => {
	it('starts at the poll interval', () => {
		const { now, task: open } = task(0, null);
		expect(nextPollDelay(open, now, settings)).toBe(5_000);
	});

	it('aims at the end predicted from progress', () => {
		const { now, task: open } = task(40_000, 50);
		expect(nextPollDelay(open, now, settings)).toBe(40_800);
	});

	it('backs off to a quarter of the elapsed time without progress, up to the cap', () => {
		expect(nextPollDelay(task(100_000, null).task, 1_000_000, settings)).toBe(25_000);
		expect(nextPollDelay(task(400_000, null).task, 1_000_000, settings)).toBe(75_000);
	});

	it('never sleeps past the deadline, so the last read happens at the deadline', () => {
		const { now, task: open } = task(590_000, 1);
		expect(nextPollDelay(open, now, settings)).toBe(10_000);
	});

	it('needs few reads for a five-minute job that reports progress', () => {
		// Generate knows the task's state from the create answer, so the first read comes one interval
		// later.
		let now = settings.minIntervalMs;
		let reads = 0;
		const job = 300_000;
		const open = { itemIndex: 0, taskId: 't', startedAt: 0, last: undefined as never };
		while (now < job) {
			reads++;
			// Queued (no progress) for the first 5%, then linear progress, as the emulator reports it.
			const progress = now < job * 0.05 ? 0 : Math.floor((now / job) * 100);
			now += nextPollDelay({ ...open, last: { progress } as never }, now, settings);
		}
		expect(reads).toBeLessThanOrEqual(7);
	});
});
