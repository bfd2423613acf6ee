/** The property runner's replay: a failure's seed and path run that one case again, and only it. */
import { checkProperty, fc } from './property';

const saved = { seed: process.env.FC_SEED, path: process.env.FC_PATH };
afterEach(() => {
	for (const [key, value] of [
		['FC_SEED', saved.seed],
		['FC_PATH', saved.path],
	] as const)
		if (value === undefined) delete process.env[key];
		else process.env[key] = value;
});

/** A property over numbers that fails from `from` on, counting the cases it is given. */
function numbersBelow(from: number) {
	const seen: number[] = [];
	const property = fc.property(fc.integer({ min: 0, max: 1000 }), (value) => {
		seen.push(value);
		return value < from;
	});
	return { seen, property };
}

/** Fails, and gives back the replay words of its error. */
async function failingRun(): Promise<{ seed: string; path: string; shrunk: number }> {
	delete process.env.FC_PATH;
	process.env.FC_SEED = '42';
	const { property } = numbersBelow(100);
	const error = (await checkProperty('fails', property, 200).catch(
		(failed: unknown) => failed,
	)) as Error;
	const [, seed, path] = /Replay: FC_SEED=(\d+) FC_PATH=(\S+)/.exec(error.message) ?? [];
	const shrunk = Number(/Counterexample: \[(\d+)\]/.exec(error.message)?.[1]);
	return { seed, path, shrunk };
}

it('a failure names a seed and a shrunk path, and replaying them runs that one case, which fails again', async () => {
	const { seed, path, shrunk } = await failingRun();
	expect(path).toContain(':');
	expect(shrunk).toBe(100);
	process.env.FC_SEED = seed;
	process.env.FC_PATH = path;
	const { seen, property } = numbersBelow(100);
	await expect(checkProperty('fails', property, 200)).rejects.toThrow();
	expect(seen).toEqual([100]);
});

it('a replayed case that passes now runs once and passes, not every case after it', async () => {
	const { seed, path } = await failingRun();
	process.env.FC_SEED = seed;
	process.env.FC_PATH = path;
	const { seen, property } = numbersBelow(2000);
	await checkProperty('fixed', property, 200);
	expect(seen).toEqual([100]);
});

it('an async property is replayed with its hooks around the one case', async () => {
	const { seed, path } = await failingRun();
	process.env.FC_SEED = seed;
	process.env.FC_PATH = path;
	const calls: string[] = [];
	const property = fc
		.asyncProperty(fc.integer({ min: 0, max: 1000 }), async (value) => {
			calls.push(`case ${value}`);
		})
		.beforeEach(async (previous) => {
			calls.push('before');
			await previous();
		})
		.afterEach(async (previous) => {
			calls.push('after');
			await previous();
		});
	await checkProperty('hooks', property, 200);
	expect(calls).toEqual(['before', 'case 100', 'after']);
});
