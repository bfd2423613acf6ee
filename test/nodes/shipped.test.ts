import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** What ships (nodes/, credentials/) speaks of nothing outside the package: no repository docs. */
const root = resolve(__dirname, '..', '..');

function files(folder: string): string[] {
	return readdirSync(folder).flatMap((name) => {
		const path = join(folder, name);
		return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
	});
}

const shipped = [...files(join(root, 'nodes')), ...files(join(root, 'credentials'))];
const OUTSIDE = [
	/\bdocs\//,
	/\b[\w-]+\.md\b/,
	/\bshared\//,
	/api-contract/,
	/\bseed page\b/i,
	/\bthe seed\b/i,
];

describe('shipped code', () => {
	it.each(shipped.map((path) => relative(root, path)))(
		'%s names no document outside the package',
		(file) => {
			const text = readFileSync(join(root, file), 'utf8');
			expect(OUTSIDE.filter((pattern) => pattern.test(text)).map(String)).toEqual([]);
		},
	);
});
