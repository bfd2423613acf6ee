/**
 * `npm run verify`: every check of n8n's community-node verification that can run before
 * publishing, each printed with PASS or what the publisher must still fill in; exits 1 while
 * anything is left. prepublishOnly runs it, so `npm publish` refuses an incomplete package.
 * Runs compiled from .build/scripts after a fresh build (scripts/verify.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
	checkLicense,
	checkMetadata,
	checkN8nSection,
	checkPublishWorkflow,
	checkSize,
	report,
	type Check,
	type PackageJson,
} from './verifyChecks';

const root = path.resolve(__dirname, '../..');
const read = (file: string) =>
	existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), 'utf8') : undefined;

/** Runs one of the project's tool scripts; the author e-mail finding becomes a to-fill line. */
function tool(name: string, script: string): Check {
	const run = spawnSync(process.execPath, [path.join(root, 'scripts', script)], {
		cwd: root,
		encoding: 'utf8',
	});
	const output = `${run.stdout}${run.stderr}`.trim();
	if (run.status !== 0)
		return { name, fix: [`it failed: run \`node scripts/${script}\` and fix:`, output] };
	if (/but the author e-mail/.test(output))
		return { name, fix: ['its valid-author rule wants author.email (see the Author check)'] };
	return { name, fix: [], detail: output.split('\n').at(-1) };
}

function packedSize(): Check {
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
			cwd: root,
			encoding: 'utf8',
		}),
	) as Array<{ size: number; files: unknown[] }>;
	return checkSize(packed.size, packed.files.length);
}

function main(): void {
	const pkg = JSON.parse(read('package.json') ?? '{}') as PackageJson;
	const readme = read('README.md');
	const checks: Check[] = [
		...checkMetadata(pkg),
		checkN8nSection(pkg, (file) => existsSync(path.join(root, file))),
		checkLicense(pkg, read('LICENSE') ?? read('LICENSE.md')),
		{
			name: 'README with usage and credential instructions',
			fix:
				readme && /## Install/.test(readme) && /## Credential/.test(readme)
					? []
					: ['README.md: describe install, the credential and the operations'],
		},
		checkPublishWorkflow(read('.github/workflows/publish.yml')),
		tool(
			'Verification scanner on the packed package (@n8n/scan-community-package)',
			'scan-package.mjs',
		),
		tool('n8n-node lint (@n8n/node-cli)', 'n8n-node-lint.mjs'),
		packedSize(),
	];
	const { lines, ok } = report(checks);
	console.log(
		`n8n community-node verification, checked before publishing ${pkg.name}@${pkg.version}:\n`,
	);
	console.log(lines.join('\n'));
	console.log(
		ok
			? '\nEverything that can be checked before publishing passes. After publishing: CONTRIBUTING.md, "Publishing", from step 6.'
			: '\nFill in the TODO lines above (CONTRIBUTING.md, "Publishing"), then run `npm run verify` again.',
	);
	if (!ok) process.exitCode = 1;
}

main();
