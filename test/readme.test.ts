import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * npm shows the README without a repository to resolve relative links against: every link is
 * absolute, and every link into the package names a file that `npm pack` ships.
 */
const root = join(__dirname, '..');
const PACKAGE_CDN = 'https://cdn.jsdelivr.net/npm/n8n-nodes-seedance@latest/';
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);

describe('README links', () => {
	it('are absolute (or anchors)', () => {
		expect(links.length).toBeGreaterThan(5);
		expect(links.filter((link) => !/^(https?:\/\/|#)/.test(link))).toEqual([]);
	});

	it('into the package name files it ships', () => {
		const packed = JSON.parse(
			execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
				cwd: root,
				encoding: 'utf8',
			}),
		) as Array<{ files: Array<{ path: string }> }>;
		const shipped = packed[0].files.map((file) => file.path);
		const missing = links
			.filter((link) => link.startsWith(PACKAGE_CDN))
			.map((link) => link.slice(PACKAGE_CDN.length))
			.filter((path) =>
				path.endsWith('/')
					? !shipped.some((file) => file.startsWith(path))
					: !shipped.includes(path),
			);
		expect(missing).toEqual([]);
	});
});
