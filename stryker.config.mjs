// Mutation testing of the promise doors (docs/mutation.md): the code whose bugs cost money, leak a
// secret or start a workflow a stranger asked for. `npm run mutation` runs it; the weekly CI job
// fails under `break`. One file: `npm run mutation -- --mutate nodes/SeedanceTrigger/readBound.ts`.

// Property tests draw a new seed per run (test/property.ts): a fixed one makes a mutant's fate the
// same on every run, so a survivor stays a survivor until a test changes.
process.env.FC_SEED ??= '20261206';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
	testRunner: 'jest',
	jest: { projectType: 'custom', configFile: 'jest.config.js', enableFindRelatedTests: true },
	// Each mutant runs only the tests that reached its code in the first run.
	coverageAnalysis: 'perTest',
	// Two cores, shared: one jest at a time.
	concurrency: 1,
	// ts-jest runs with diagnostics off: a mutant that does not type-check still runs its tests.
	checkers: [],
	reporters: ['clear-text', 'progress', 'json'],
	jsonReporter: { fileName: 'reports/mutation/mutation.json' },
	clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
	thresholds: { high: 90, low: 85, break: 85 },
	timeoutMS: 10000,
	tempDirName: '.stryker-tmp',
	mutate: [
		// the ledger and paid creates
		'nodes/Seedance/domain/ledger.ts',
		'nodes/Seedance/domain/keyRecords.ts',
		'nodes/Seedance/domain/bill.ts',
		'nodes/Seedance/actions/video/paidCreates.ts',
		'nodes/Seedance/actions/video/idempotencyKeys.ts',
		// the budget
		'nodes/Seedance/actions/video/budget.ts',
		// redaction
		'nodes/Seedance/domain/redact.ts',
		// callback tokens
		'nodes/Seedance/domain/callbackToken.ts',
		// the callback/resume and trigger webhooks
		'nodes/Seedance/domain/callbackBody.ts',
		'nodes/Seedance/waiting/callbacks.ts',
		'nodes/Seedance/waiting/resume.ts',
		'nodes/SeedanceTrigger/SeedanceTrigger.node.ts',
		'nodes/SeedanceTrigger/deliveries.ts',
		'nodes/SeedanceTrigger/readBound.ts',
		// the download's bounds
		'nodes/Seedance/waiting/download.ts',
	],
};
