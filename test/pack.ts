import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** What `npm publish` would upload, read from npm itself (the `files` list, npm's own additions). */
export interface Packed {
	/** bytes of the .tgz */
	size: number;
	unpackedSize: number;
	files: string[];
}

/** Every n8n that installs the node downloads the package: the cap `npm run bench` and jest hold it to. */
export const MAX_PACKED_BYTES = 250 * 1024;

export const ROOT = join(__dirname, '..');

/** `root`: the project folder (scripts compiled into `.build/` pass theirs). */
export function pack(root = ROOT): Packed {
	const [result] = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
			cwd: root,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		}),
	) as Array<{ size: number; unpackedSize: number; files: Array<{ path: string }> }>;
	return { ...result, files: result.files.map((file) => file.path) };
}

/** npm shows the README without a repository: links into the package go through its CDN path. */
export const PACKAGE_CDN = 'https://cdn.jsdelivr.net/npm/n8n-nodes-seedance@latest/';

export function markdownLinks(markdown: string): string[] {
	return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}

/** The package paths (files, or folders ending in `/`) the README links or shows. */
export function packagePathsInReadme(readme: string): string[] {
	return markdownLinks(readme)
		.filter((link) => link.startsWith(PACKAGE_CDN))
		.map((link) => link.slice(PACKAGE_CDN.length));
}
