// `npm run mutation [-- --mutate a.ts,b.ts] [--incremental]`: Stryker over the promise doors (stryker.config.mjs),
// one run per door file with that file's own tests, then the score per file, the survivors and the
// total, which fails under the configured `break` (docs/mutation.md).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import config, { DOORS, reportOf } from '../stryker.config.mjs';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const at = args.indexOf('--mutate');
const asked = at >= 0 ? args[at + 1].split(',') : args.filter((arg) => !arg.startsWith('-'));
// Stryker's own flags pass through: `--incremental` re-runs only mutants whose code or tests changed.
const passed = args.filter((arg) => arg.startsWith('--') && arg !== '--mutate');
const files = asked.length > 0 ? asked : Object.keys(DOORS);
const unknown = files.filter((file) => !(file in DOORS));
if (unknown.length > 0) {
	console.error(`Not a door file of stryker.config.mjs: ${unknown.join(', ')}`);
	process.exit(2);
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const rows = [];
const survivors = [];
mkdirSync(join(root, 'reports/mutation'), { recursive: true });

for (const file of files) {
	const report = join(root, `reports/mutation/${reportOf(file)}.json`);
	rmSync(report, { force: true });
	const started = Date.now();
	const run = spawnSync('npx', ['stryker', 'run', ...passed], {
		cwd: root,
		stdio: 'inherit',
		env: { ...process.env, MUTATION_DOOR: file },
	});
	const seconds = Math.round((Date.now() - started) / 1000);
	if (run.status !== 0) {
		console.error(`Stryker failed on ${file} (exit ${run.status})`);
		process.exit(1);
	}
	const { mutants } = JSON.parse(readFileSync(report, 'utf8')).files[file];
	const detected = mutants.filter((mutant) => DETECTED.has(mutant.status)).length;
	const missed = mutants.filter((mutant) => UNDETECTED.has(mutant.status));
	rows.push({ file, detected, undetected: missed.length, seconds });
	for (const mutant of missed)
		survivors.push(
			`${file}:${mutant.location.start.line}:${mutant.location.start.column} ${mutant.status} ${mutant.mutatorName}: ${JSON.stringify(mutant.replacement ?? '')}`,
		);
}

const score = (detected, undetected) =>
	detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
console.log('\nMutation score per door file (killed or timed out / all that ran):');
for (const row of rows)
	console.log(
		`  ${score(row.detected, row.undetected).toFixed(1).padStart(5)}%  ${String(row.detected).padStart(4)} / ${String(row.detected + row.undetected).padEnd(4)} ${String(row.seconds).padStart(5)} s  ${row.file}`,
	);
const detected = rows.reduce((sum, row) => sum + row.detected, 0);
const undetected = rows.reduce((sum, row) => sum + row.undetected, 0);
const total = score(detected, undetected);
console.log(`  ${total.toFixed(1).padStart(5)}%  ${detected} / ${detected + undetected}  in all`);
console.log(
	survivors.length > 0
		? `\nSurvivors (killed by a new test, or listed as equivalent in docs/mutation.md):\n  ${survivors.join('\n  ')}`
		: '\nNo survivors.',
);
const floor = config.thresholds.break ?? 0;
if (total < floor) {
	console.error(`\nMutation score ${total.toFixed(1)}% is under the threshold of ${floor}%.`);
	process.exit(1);
}
