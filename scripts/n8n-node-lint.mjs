// Runs n8n's own `n8n-node lint` (@n8n/node-cli) on the package. Its strict mode wants the
// starter's default eslint.config.mjs, so it runs on a copy of the sources that has it (this
// project's config adds the verification scanner's rules on top). The author e-mail is the
// publisher's to give: its finding is tolerated, except with --for-publish.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(tmpdir(), 'seedance-n8n-node-lint-'));
try {
	for (const entry of ['nodes', 'credentials', 'package.json', 'tsconfig.json'])
		cpSync(path.join(root, entry), path.join(work, entry), { recursive: true });
	writeFileSync(
		path.join(work, 'eslint.config.mjs'),
		"import { config } from '@n8n/node-cli/eslint';\n\nexport default config;\n",
	);
	symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
	const run = spawnSync(path.join(root, 'node_modules/.bin/n8n-node'), ['lint'], {
		cwd: work,
		encoding: 'utf8',
		env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
	});
	const output = `${run.stdout}${run.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
	const errors = output.split('\n').filter((line) => /^\s*\d+:\d+\s+error\b/.test(line));
	const onlyAuthor = errors.length > 0 && errors.every((line) => line.includes('valid-author'));
	if (run.status === 0) {
		console.log('n8n-node lint passed');
	} else if (onlyAuthor && !process.argv.includes('--for-publish')) {
		console.log(
			'n8n-node lint: everything passed but the author e-mail, which the publisher sets.',
		);
	} else {
		console.error(`n8n-node lint FAILED:\n${output}`);
		process.exitCode = 1;
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}
