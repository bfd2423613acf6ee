import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

import { MAX_PACKED_BYTES, pack, packagePathsInReadme, markdownLinks, ROOT } from './pack';

/**
 * Every n8n that installs the node downloads the whole package: only the built code, the examples
 * and what the README shows (its images and the docs pages it links) ship, and the docs pages
 * CONTRIBUTING.md (which the README links) links.
 */
const shownByReadme = new Set(packagePathsInReadme(readFileSync(join(ROOT, 'README.md'), 'utf8')));
const linkedByContributing = new Set(
	markdownLinks(readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8'))
		.filter((link) => !/^(https?:\/\/|#)/.test(link))
		.map((link) => posix.normalize(link.split('#')[0])),
);
const ALWAYS = [
	/^dist\/(nodes|credentials)\/[\w/.-]+\.(js|js\.map|json|svg)$/,
	/^examples\/[\w-]+\.json$/,
	/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|CONTRIBUTING\.md)$/,
];

describe('the npm package', () => {
	const packed = pack();

	it('holds the built nodes and credential (run `npm run build` first)', () => {
		const entries = (
			JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
				n8n: { nodes: string[]; credentials: string[] };
			}
		).n8n;
		expect(
			[...entries.nodes, ...entries.credentials].filter((entry) => !packed.files.includes(entry)),
		).toEqual([]);
	});

	it(`is at most ${MAX_PACKED_BYTES / 1024} kB packed`, () => {
		expect(packed.size).toBeLessThanOrEqual(MAX_PACKED_BYTES);
	});

	it('ships only code, examples and what the README and CONTRIBUTING.md show', () => {
		expect(
			packed.files.filter(
				(file) =>
					!shownByReadme.has(file) &&
					!linkedByContributing.has(file) &&
					!ALWAYS.some((pattern) => pattern.test(file)),
			),
		).toEqual([]);
	});

	it('ships every file and folder the README links (as it shows them through the CDN)', () => {
		const missing = [...shownByReadme].filter((path) =>
			path.endsWith('/')
				? !packed.files.some((file) => file.startsWith(path))
				: !packed.files.includes(path),
		);
		expect(missing).toEqual([]);
	});

	it('ships what its other pages link (their relative links resolve on the CDN as well)', () => {
		const broken = packed.files
			.filter((file) => file.endsWith('.md') && file !== 'README.md')
			.flatMap((page) =>
				markdownLinks(readFileSync(join(ROOT, page), 'utf8'))
					.filter((link) => !/^(https?:\/\/|#)/.test(link))
					.map((link) => posix.join(posix.dirname(page), link.split('#')[0]))
					.filter((target) => !packed.files.includes(target))
					.map((target) => `${page} -> ${target}`),
			);
		expect(broken).toEqual([]);
	});
});
