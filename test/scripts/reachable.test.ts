import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

/** scripts/ holds only what a maintainer or CI runs: each file is reached from package.json or CI. */
const root = resolve(__dirname, '..', '..');

function filesOf(folder: string): string[] {
	return readdirSync(folder).flatMap((name) => {
		const path = join(folder, name);
		return statSync(path).isDirectory() ? filesOf(path) : [path];
	});
}

const scripts = filesOf(join(root, 'scripts')).map((path) => relative(root, path));
const entries = [
	'package.json',
	'.ci/run',
	...readdirSync(join(root, '.github/workflows')).map((name) => `.github/workflows/${name}`),
];

/** The files one file names: a script by its path, or a module by its import. */
function named(file: string): string[] {
	const text = readFileSync(join(root, file), 'utf8');
	return scripts.filter((script) => {
		const stem = basename(script).replace(/\.(ts|mjs|sh)$/, '');
		return (
			text.includes(script) ||
			(file.startsWith('scripts/') &&
				new RegExp(`['"/]${stem}(\\.(ts|js|mjs|sh))?['"]|\\b${stem}\\.(ts|js|mjs|sh)\\b`).test(
					text,
				))
		);
	});
}

function reachable(): Set<string> {
	const reached = new Set<string>();
	const queue = [...entries];
	while (queue.length) {
		for (const script of named(queue.shift() as string)) {
			if (reached.has(script)) continue;
			reached.add(script);
			queue.push(script);
		}
	}
	return reached;
}

describe('scripts/', () => {
	it('finds the scripts and the entry points', () => {
		expect(scripts.length).toBeGreaterThan(10);
		expect(reachable().size).toBeGreaterThan(10);
	});

	it.each(scripts)('%s is run from package.json or CI', (script) => {
		expect(reachable().has(script)).toBe(true);
	});
});
