/**
 * `npm run test:quick`: the jest suites of `npm test` but the slowest, for the loop while you
 * work (under a minute on 2 cores). Loopback sockets only, no build; `npm test` runs everything.
 */
const base = require('./jest.config.js');

/** Left out: each took 10 s or more alone on a loaded 2-core machine (most wait on the emulator). */
const SLOW = [
	'test/nodes/Seedance/actions/video/idempotencyKeys.property.test.ts',
	'test/nodes/Seedance/actions/video/idempotencyKeys.test.ts',
	'test/nodes/Seedance/actions/video/idempotencyKeys.attacks.test.ts',
	'test/nodes/Seedance/actions/video/batch-faults.test.ts',
	'test/nodes/Seedance/actions/video/generate.money.test.ts',
	'test/nodes/Seedance/actions/video/paidCreates.property.test.ts',
	'test/nodes/shared/transport/faults.test.ts',
	'test/nodes/shared/download/openVideo.property.test.ts',
	'test/nodes/shared/download/download.test.ts',
	'test/nodes/Seedance/waiting/resume.test.ts',
	'test/nodes/Seedance/waiting/resumeCost.test.ts',
	'test/nodes/shared/webhooks/callbacks.property.test.ts',
	'test/nodes/SeedanceTrigger/SeedanceTrigger.node.test.ts',
	'test/nodes/Seedance/actions/video/getStatus.timeout.test.ts',
	'test/nodes/Seedance/waiting/resumeCost.property.test.ts',
	'test/nodes/SeedanceTrigger/inboundCost.test.ts',
	'test/nodes/Seedance/actions/video/idempotencyKeys.processes.test.ts',
	'test/nodes/Seedance/actions/video/idempotencyKeys.processes.attacks.test.ts',
];
/** Left out: it packs the package, which needs `npm run build` first. */
const NEEDS_BUILD = ['test/package.test.ts'];

/** @type {import('jest').Config} */
module.exports = {
	...base,
	testPathIgnorePatterns: [
		...base.testPathIgnorePatterns,
		...[...SLOW, ...NEEDS_BUILD].map((path) => `<rootDir>/${path.replace(/\./g, '\\.')}$`),
	],
	// More workers than 2 cores: most suites wait on the emulator's latency, not on the CPU.
	maxWorkers: 3,
};
