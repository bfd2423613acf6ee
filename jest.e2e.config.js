/** The end-to-end suite: the built package inside real n8n installs (see scripts/e2e.sh). */
/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
	testTimeout: 600000,
	maxWorkers: 1,
	// CI's log names every scenario and the n8n version it ran on.
	verbose: true,
};
