import {
	checkLicense,
	checkMetadata,
	checkN8nSection,
	checkPublishWorkflow,
	checkSize,
	parseAuthor,
	report,
	repositoryUrl,
	type PackageJson,
} from '../../scripts/verifyChecks';

/** A package.json as the publisher will have completed it. */
const complete: PackageJson = {
	name: 'n8n-nodes-seedance',
	version: '1.0.0',
	description: 'Seedance video generation',
	license: 'MIT',
	homepage: 'https://github.com/someone/n8n-nodes-seedance#readme',
	keywords: ['n8n-community-node-package'],
	author: { name: 'Some One', email: 'someone@example.com' },
	repository: { type: 'git', url: 'git+https://github.com/someone/n8n-nodes-seedance.git' },
	peerDependencies: { 'n8n-workflow': '*' },
	n8n: {
		n8nNodesApiVersion: 1,
		nodes: ['dist/nodes/Seedance/Seedance.node.js'],
		credentials: ['dist/credentials/SeedanceApi.credentials.js'],
	},
};

const fixes = (pkg: PackageJson) => checkMetadata(pkg).flatMap((check) => check.fix);

const WORKFLOW = `on:
  push:
    tags: ['v*.*.*']
permissions:
  id-token: write
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with:
          node-version: 24
      - run: npm install --global npm@^11.5.1
      - run: npm test
      - run: npm publish --provenance --access public
`;

describe('npm run verify: the checks on package data', () => {
	it('passes a completed package.json', () => {
		expect(fixes(complete)).toEqual([]);
		expect(checkLicense(complete, 'MIT License\n\nPermission is hereby granted...').fix).toEqual(
			[],
		);
		expect(checkN8nSection(complete, () => true).fix).toEqual([]);
	});

	it("names what today's package.json lacks: the repository and the author e-mail", () => {
		const today = { ...complete, author: { name: 'contributors' }, repository: undefined };
		expect(fixes(today)).toEqual([
			expect.stringMatching(/^author\.email missing: add it to package\.json/),
			expect.stringMatching(/^repository missing: add .* to package\.json/),
		]);
	});

	it('refuses runtime dependencies, a foreign licence, a wrong name and keyword', () => {
		expect(
			fixes({ ...complete, name: 'seedance-nodes', keywords: [], dependencies: { axios: '1' } }),
		).toEqual([
			expect.stringMatching(/must start with n8n-nodes-/),
			expect.stringMatching(/n8n-community-node-package/),
			expect.stringMatching(/dependencies: remove axios/),
		]);
		expect(checkLicense({ ...complete, license: 'ISC' }, undefined).fix).toEqual([
			'license is "ISC": set it to "MIT"',
			'LICENSE file missing: add the MIT licence text',
		]);
	});

	it('finds n8n section files missing from dist/', () => {
		const missing = checkN8nSection(complete, (file) => !file.includes('credentials'));
		expect(missing.fix).toEqual([
			'dist/credentials/SeedanceApi.credentials.js is listed in n8n but missing: run npm run build',
		]);
	});

	it('reads author strings and repository forms', () => {
		expect(parseAuthor('Some One <someone@example.com> (https://x.example)')).toEqual({
			name: 'Some One',
			email: 'someone@example.com',
		});
		expect(parseAuthor('Some One')).toEqual({ name: 'Some One', email: undefined });
		expect(repositoryUrl('someone/repo')).toBe('https://github.com/someone/repo');
		expect(repositoryUrl('git@gitlab.com:someone/repo.git')).toBe(
			'https://gitlab.com/someone/repo',
		);
		expect(repositoryUrl({ url: 'git+https://github.com/someone/repo.git' })).toBe(
			'https://github.com/someone/repo',
		);
		expect(fixes({ ...complete, author: 'Some One <not-an-address>' })).toEqual([
			'author.email "not-an-address" is not an e-mail address',
		]);
	});

	it('passes a trusted-publishing workflow and names each fault of an old one', () => {
		expect(checkPublishWorkflow(WORKFLOW).fix).toEqual([]);
		const old = WORKFLOW.replace('node-version: 24', 'node-version: 20')
			.replace('      - run: npm install --global npm@^11.5.1\n', '')
			.replace('  id-token: write\n', '')
			.replace('      - run: npm test\n', '')
			.replace('--provenance ', '')
			.concat('      - run: npm test\n        env:\n          T: ${{ secrets.OTHER }}\n');
		expect(checkPublishWorkflow(old).fix).toEqual([
			expect.stringMatching(/node-version 20: trusted publishing needs Node 22\.14\.0/),
			expect.stringMatching(/install npm 11\.5\.1 or newer/),
			expect.stringMatching(/id-token: write/),
			'publish with --provenance',
			'run `npm test` before `npm publish`',
			expect.stringMatching(/remove the secrets OTHER/),
		]);
		expect(checkPublishWorkflow(WORKFLOW.replace('npm@^11.5.1', 'npm@11.4.2')).fix).toEqual([
			expect.stringMatching(/install npm 11\.5\.1 or newer/),
		]);
		expect(checkPublishWorkflow(undefined).fix).toHaveLength(1);
	});

	it('prints PASS or TODO with what to fill in, and fails while anything is left', () => {
		const { lines, ok } = report([
			...checkMetadata({ ...complete, author: { name: 'x' } }),
			checkSize(700_000, 100),
		]);
		expect(ok).toBe(false);
		expect(lines).toContain(
			'TODO  Author name and e-mail (matching the npm account that publishes)',
		);
		expect(lines.some((line) => line.startsWith('PASS  Package size (683.6 kB packed'))).toBe(true);
		expect(report(checkMetadata(complete)).ok).toBe(true);
		expect(checkSize(6 * 1024 * 1024, 1).fix).toHaveLength(1);
	});
});
