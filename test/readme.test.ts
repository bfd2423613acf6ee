import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { markdownLinks, packagePathsInReadme, ROOT } from './pack';

/**
 * README.md is the page a user reads on npm and inside n8n: it starts with the first video, speaks
 * plainly, and every link works without a repository to resolve relative links against (the links
 * into the package are checked against what it ships in package.test.ts).
 */
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const links = markdownLinks(readme);

/** The text of a `## title` section, up to the next `## `. */
function section(title: string): string {
	const start = readme.indexOf(`\n## ${title}\n`);
	expect(start).toBeGreaterThan(-1);
	const end = readme.indexOf('\n## ', start + 1);
	return readme.slice(start, end === -1 ? undefined : end);
}

describe('README links', () => {
	it('are absolute (or anchors)', () => {
		expect(links.length).toBeGreaterThan(5);
		expect(links.filter((link) => !/^(https?:\/\/|#)/.test(link))).toEqual([]);
	});
});

describe('README content', () => {
	it('is at most 12 KB', () => {
		expect(Buffer.byteLength(readme, 'utf8')).toBeLessThanOrEqual(12 * 1024);
	});

	it('has a quick start on its first screen: after the first picture, before any other section', () => {
		const headings = [...readme.matchAll(/^## (.+)$/gm)];
		expect(headings[0][1]).toBe('Quick start');
		expect(readme.indexOf('![')).toBeLessThan(headings[0].index);
		expect(readme.slice(0, headings[0].index).split('\n').length).toBeLessThanOrEqual(12);
	});

	it('has a quick start of at most 5 steps, from install to the video, with its cost in credits and dollars', () => {
		const quickStart = section('Quick start');
		const steps = quickStart.match(/^\d+\. /gm) ?? [];
		expect(steps.length).toBeGreaterThan(0);
		expect(steps.length).toBeLessThanOrEqual(5);
		for (const word of [/install/i, /credential/i, /Seedance/, /Execute workflow/, /video/i])
			expect(quickStart).toMatch(word);
		expect(quickStart).toMatch(/28 credits/);
		expect(quickStart).toMatch(/\$0\.28/);
		expect(quickStart).toMatch(/1 credit is about \$0\.01/);
		expect(quickStart).toMatch(/buy credits/i);
	});

	it('says who may install, where and what n8n 3 needs', () => {
		const notes = section('Install notes');
		for (const fact of [
			/owner or an admin/,
			/self-hosted/,
			/n8n Cloud/,
			/\/home\/node\/\.n8n\/nodes/,
			/restart/,
			/N8N_UNVERIFIED_PACKAGES_ENABLED/,
		])
			expect(notes).toMatch(fact);
	});

	it('answers the three questions users ask most in Troubleshooting', () => {
		const troubleshooting = section('Troubleshooting');
		expect(troubleshooting).toMatch(/node does not appear after install \| restart n8n/);
		expect(troubleshooting).toMatch(/resume URL says localhost \| set `WEBHOOK_URL`/);
		expect(troubleshooting).toMatch(/`\/webhook-waiting\/` answers 404 in queue mode \| route/);
	});

	it('mentions no node version (the node has one)', () => {
		expect(readme).not.toMatch(/\b(node |type)?versions? 1(\.\d)?\b|\b1\.[01] layout|typeVersion/i);
		expect(readme).not.toMatch(/\b1\.[01]\b/);
	});

	it('keeps the how (HMAC, constant time) in docs/, and links the pages that hold it', () => {
		expect(readme).not.toMatch(/HMAC|constant time|rolling hash/i);
		const docs = packagePathsInReadme(readme);
		for (const page of ['docs/security.md', 'docs/callback-tokens.md', 'docs/queue-mode.md'])
			expect(docs).toContain(page);
	});

	it('states the bounds it has: replay memory, sizes, and what is not checked', () => {
		for (const bound of [
			/30 days/,
			/20,000/,
			/10,000 characters/,
			/10 MB/,
			/1 MB/,
			/6\s+requests/,
			/300 MB/,
			/does not check that the frames play/,
			/not in\s+base64/,
		])
			expect(readme).toMatch(bound);
	});
});
