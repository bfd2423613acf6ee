// Mutation testing of the promise doors (docs/mutation.md): the code whose bugs cost money, leak a
// secret or start a workflow a stranger asked for. `npm run mutation` (scripts/mutation.mjs) runs
// Stryker once per door file with that file's own tests, prints the score per file and the
// survivors, and fails under `thresholds.break`; the weekly CI job runs it.

/**
 * Each door file and the tests that guard it: the test files named after it in the mirrored
 * folder (test/<folder>/<name>*.test.ts), plus those named here. Jest's related tests are every
 * suite that imports the file through the node (14 for readBound.ts): loading them for each mutant
 * cost over 30 s, so a mutant runs only its door's suites (and in them the tests that reached it).
 */
export const DOORS = {
	// the ledger and paid creates
	'nodes/Seedance/domain/ledger.ts': [],
	'nodes/Seedance/domain/keyRecords.ts': [],
	'nodes/shared/domain/bill.ts': [],
	// Measured at 39.3% with its own suites alone: keys, Existing Task ID, Stop and parking reach it from these.
	'nodes/Seedance/actions/video/paidCreates.ts': [
		'test/nodes/Seedance/actions/video/idempotencyKeys.test.ts',
		'test/nodes/Seedance/actions/video/idempotencyKeys.attacks.test.ts',
		'test/nodes/Seedance/actions/video/stop.test.ts',
		'test/nodes/Seedance/actions/video/generate.money.test.ts',
		'test/nodes/Seedance/actions/video/generate.operation.test.ts',
		'test/nodes/Seedance/waiting/park.test.ts',
	],
	'nodes/Seedance/actions/video/idempotencyKeys.ts': [],
	'nodes/Seedance/actions/video/storeLock.ts': [
		'test/nodes/Seedance/actions/video/idempotencyKeys.processes*.test.ts',
	],
	// the budget
	'nodes/Seedance/actions/video/budget.ts': [],
	// redaction
	'nodes/shared/domain/redact.ts': ['test/nodes/shared/domain/redactTokens*.test.ts'],
	// callback tokens
	'nodes/shared/domain/callbackToken.ts': [],
	// the callback/resume and trigger webhooks
	'nodes/shared/domain/callbackBody.ts': [],
	'nodes/shared/webhooks/callbacks.ts': ['test/nodes/shared/webhooks/callbackTaskIds*.test.ts'],
	'nodes/Seedance/waiting/resume.ts': [],
	'nodes/SeedanceTrigger/SeedanceTrigger.node.ts': [
		'test/nodes/SeedanceTrigger/inboundCost.test.ts',
		'test/nodes/SeedanceTrigger/options*.test.ts',
	],
	'nodes/SeedanceTrigger/deliveries.ts': [],
	'nodes/SeedanceTrigger/readBound.ts': ['test/nodes/SeedanceTrigger/inboundCost.test.ts'],
	// what the webhooks remember per process, kept to a size
	'nodes/shared/domain/boundedMemory.ts': [],
	// the download's bounds
	'nodes/shared/download/download.ts': [],
	'nodes/shared/download/openVideo.ts': ['test/nodes/shared/download/download*.test.ts'],
};

/** The test files (globs) of a door file. */
export function testsOf(file) {
	const named = file.replace(/(\.node)?\.ts$/, '');
	return [`test/${named}*.test.ts`, ...(DOORS[file] ?? [])];
}

// Property tests draw a new seed per run (test/property.ts): a fixed one makes a mutant's fate the
// same on every run, so a survivor stays a survivor until a test changes.
process.env.FC_SEED ??= '20261206';

/** The name of a door file's reports under reports/mutation/. */
export function reportOf(file) {
	return file ? file.replace(/[/.]/g, '_') : 'all';
}

// Set by scripts/mutation.mjs: the one door file of this run.
const door = process.env.MUTATION_DOOR;
// Some of the door's suites only (globs, comma-separated): a lower bound of its score, sooner.
const suites = process.env.MUTATION_TESTS?.split(',');
const report = reportOf(door);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
	testRunner: 'jest',
	jest: {
		projectType: 'custom',
		configFile: 'jest.config.js',
		...(door
			? {
					config: { testMatch: (suites ?? testsOf(door)).map((glob) => `<rootDir>/${glob}`) },
					enableFindRelatedTests: false,
				}
			: {}),
	},
	// Each mutant runs only the tests that reached its code in the first run.
	coverageAnalysis: 'perTest',
	// One jest at a time on a shared machine; CI's own runner takes more (MUTATION_CONCURRENCY).
	concurrency: Number(process.env.MUTATION_CONCURRENCY || 1),
	// ts-jest runs with diagnostics off: a mutant that does not type-check still runs its tests.
	checkers: [],
	reporters: ['clear-text', 'progress', 'json'],
	jsonReporter: { fileName: `reports/mutation/${report}.json` },
	// Used with `--incremental` only: the last run's results per mutant, for the unchanged ones.
	incrementalFile: `reports/mutation/${report}.incremental.json`,
	clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
	// scripts/mutation.mjs applies `break` to the score of all the files it ran.
	thresholds: { high: 90, low: 85, break: door ? null : 85 },
	timeoutMS: 10000,
	tempDirName: '.stryker-tmp',
	mutate: door ? [door] : Object.keys(DOORS),
};
