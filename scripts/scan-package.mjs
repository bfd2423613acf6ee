// Runs n8n's community-package verification scanner offline on what `npm pack` would publish:
// the scanner's CLI only downloads published packages, its analyzePackage() lints a folder.
// The package's author e-mail is the publisher's to give (CONTRIBUTING.md, "Publishing"): until
// it is set, the scanner's valid-author finding is reported and tolerated, except with
// --for-publish (the prepublishOnly guard), where every finding fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, '.scan');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const packed = JSON.parse(
	execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
		cwd: root,
		encoding: 'utf8',
	}),
)[0];
execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', work]);
const packageDir = path.join(work, 'package');
const files = packed.files.map((file) => file.path);
if (!files.some((file) => file.startsWith('dist/nodes/Seedance/Seedance.node.js'))) {
	console.error('npm pack holds no built node: run `npm run build` first');
	process.exit(1);
}
const forPublish = process.argv.includes('--for-publish');
const result = await analyzePackage(packageDir);
const findings = String(result.details ?? '')
	.split('\n')
	.filter((line) => /^\s*\d+:\d+\s+error\b/.test(line));
const onlyAuthor = findings.length > 0 && findings.every((line) => line.includes('valid-author'));
if (!result.passed && onlyAuthor && !forPublish) {
	console.log(
		'Verification scan: everything passed but the author e-mail, which the publisher sets before publishing (CONTRIBUTING.md, "Publishing").',
	);
} else if (!result.passed) {
	console.error(`Verification scan FAILED: ${result.message}\n${result.details ?? ''}`);
	process.exit(1);
}
console.log(
	`Verification scan ${result.passed ? 'passed' : 'done'}: ${packed.name}@${packed.version}, ${files.length} files, ${(packed.size / 1024).toFixed(1)} kB packed`,
);
rmSync(work, { recursive: true, force: true });
