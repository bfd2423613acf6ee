import fc from 'fast-check';

/**
 * Runs a fast-check property and prints what it did: the number of generated cases and the seed.
 * A failure names its seed and path; `FC_SEED=<seed> FC_PATH=<path>` replays exactly that case.
 * `timeLimitMs` (below the test's own timeout) ends a slow property's shrinking in time to report
 * the failure and its seed; running out of time before any failure is a failure too.
 */
export async function checkProperty<Ts>(
	name: string,
	property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
	numRuns: number,
	{ timeLimitMs }: { timeLimitMs?: number } = {},
): Promise<void> {
	const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;
	const path = process.env.FC_PATH;
	const details = await fc.check((path ? once(property) : property) as fc.IAsyncProperty<Ts>, {
		seed,
		numRuns: process.env.FC_RUNS ? Number(process.env.FC_RUNS) : numRuns,
		...(path ? { path } : {}),
		...(timeLimitMs ? { interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: true } : {}),
	});
	// eslint-disable-next-line no-console
	console.log(
		`property "${name}": ${details.numRuns} generated cases, seed ${seed}${details.failed ? ' FAILED' : ''}`,
	);
	if (details.failed) {
		throw new Error(
			`${fc.defaultReportMessage(details) ?? 'property failed'}\n${String(details.errorInstance)}\nReplay: FC_SEED=${seed} FC_PATH=${details.counterexamplePath}`,
		);
	}
}

/**
 * The property for a replay: its first case runs (the one at the path), every later one ends the
 * run. fast-check's replay of a shrunk path (one with `:`) otherwise goes on through every case
 * after it, unbounded by numRuns, when that case passes now.
 */
function once<Ts>(property: fc.IRawProperty<Ts>): fc.IRawProperty<Ts> {
	let cases = 0;
	const skip = () => new fc.PreconditionFailure(true);
	const later = <T>(result: T) => (property.isAsync() ? Promise.resolve(result) : result);
	return {
		isAsync: () => property.isAsync(),
		generate: (random, runId) => property.generate(random, runId),
		shrink: (value) => property.shrink(value),
		runBeforeEach: () => (++cases === 1 ? property.runBeforeEach() : later(undefined)),
		run: (value) => (cases === 1 ? property.run(value) : later(skip())),
		runAfterEach: () => (cases === 1 ? property.runAfterEach() : later(undefined)),
	} as fc.IRawProperty<Ts>;
}

export { fc };
