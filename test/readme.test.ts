import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { markdownLinks, PACKAGE_CDN, packagePathsInReadme, ROOT } from './pack';

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

/** The anchors of a Markdown page's headings, by GitHub's rules (npm's page uses the same). */
function headingAnchors(markdown: string): Set<string> {
	const seen = new Map<string, number>();
	const anchors = new Set<string>();
	const prose = markdown.replace(/^ *```[\s\S]*?^ *```/gm, '');
	for (const [, title] of prose.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
		const slug = title
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
			.replace(/ /g, '-');
		const count = seen.get(slug) ?? 0;
		seen.set(slug, count + 1);
		anchors.add(count === 0 ? slug : `${slug}-${count}`);
	}
	return anchors;
}

/** Where the package's page on npm is: the node's and credential's documentation links point at it. */
const NPM_PAGE = 'https://www.npmjs.com/package/n8n-nodes-seedance';
/** Pages outside the package the README may link (each one looked at when added). */
const OUTSIDE = ['https://n8n.io'];

/**
 * Why a link does not resolve (null when it does): an anchor must name a heading of the page it
 * points at, a package link a file or folder of the repository (package.test.ts checks they ship).
 */
function brokenLink(link: string): string | null {
	const [target, anchor] = link.split('#') as [string, string | undefined];
	let page = readme;
	if (target === '' || target === NPM_PAGE) {
		// The README itself, on GitHub or npm.
	} else if (target.startsWith(PACKAGE_CDN)) {
		const file = join(ROOT, target.slice(PACKAGE_CDN.length));
		if (!existsSync(file)) return `${link}: no such file in the package`;
		if (target.endsWith('/') !== statSync(file).isDirectory())
			return `${link}: a folder link ends with /, a file link does not`;
		if (anchor !== undefined) page = readFileSync(file, 'utf8');
	} else if (OUTSIDE.includes(target)) {
		return null;
	} else {
		return `${link}: not the package, its npm page, or a page in OUTSIDE`;
	}
	if (anchor !== undefined && !headingAnchors(page).has(anchor))
		return `${link}: no heading with the anchor #${anchor}`;
	return null;
}

describe('README links', () => {
	it('are absolute (or anchors)', () => {
		expect(links.length).toBeGreaterThan(5);
		expect(links.filter((link) => !/^(https?:\/\/|#)/.test(link))).toEqual([]);
	});

	it('each resolve: a file or folder of the package, a heading of the page, or a page looked at', () => {
		expect(links.map(brokenLink).filter(Boolean)).toEqual([]);
	});

	it("reads headings' anchors as GitHub does", () => {
		expect([
			...headingAnchors(
				'## Operations (Seedance node, resource Video)\n## Money: what never costs twice\n## A\n## A',
			),
		]).toEqual([
			'operations-seedance-node-resource-video',
			'money-what-never-costs-twice',
			'a',
			'a-1',
		]);
	});

	it("of the nodes and the credential (n8n's documentation links) name a heading of the README", () => {
		const sources = [
			...readdirSync(join(ROOT, 'nodes'), { recursive: true, encoding: 'utf8' })
				.filter((file) => /\.node\.(json|ts)$/.test(file))
				.map((file) => join(ROOT, 'nodes', file)),
			join(ROOT, 'credentials', 'SeedanceApi.credentials.ts'),
		];
		const urls = sources.flatMap((file) => [
			...readFileSync(file, 'utf8').matchAll(/https:\/\/www\.npmjs\.com\/package\/[^'"\s]+/g),
		]);
		expect(urls.length).toBeGreaterThanOrEqual(5);
		expect(urls.map(([url]) => brokenLink(url)).filter(Boolean)).toEqual([]);
	});
});

describe('README content', () => {
	// Room for the quick start, the reference and the daily pipeline's walk-through.
	it('is at most 14 KB', () => {
		expect(Buffer.byteLength(readme, 'utf8')).toBeLessThanOrEqual(14 * 1024);
	});

	it("says Publish (n8n 2.x's word) with Active for 1.x, never activate", () => {
		expect(readme).not.toMatch(/\bactivat/i);
		expect(readme).toMatch(
			/\*\*Publish\*\* the workflow \(n8n 2\.x; the \*Active\* toggle in 1\.x\)/,
		);
	});

	it('walks through the daily pipeline: the file and its column, where it goes, the schedule, the budget, failed rows, the re-run', () => {
		const pipeline = section('Daily pipeline');
		for (const fact of [
			/scheduled-csv-pipeline\.json/,
			/`prompt` column/,
			/```csv\n\s*prompt\n/,
			/\/home\/node\/\.n8n-files\/seedance\/prompts\.csv/,
			/~\/\.n8n-files\/seedance\/prompts\.csv/,
			/N8N_RESTRICT_FILE_ACCESS_TO/,
			/6:00/,
			/\*\*Publish\*\*/,
			/Max Credits per Execution/,
			/`executionCredits`/,
			/Continue \(using error output\)/,
			/failed YYYY-MM-DD\.json/,
			/Idempotency Key/,
			/`id` column/,
		])
			expect(pipeline).toMatch(fact);
	});

	it('says what the pipeline example does, in the words of its nodes', () => {
		const example = readFileSync(join(ROOT, 'examples', 'scheduled-csv-pipeline.json'), 'utf8');
		for (const name of ['Generate videos', 'Failed rows', 'Save failed YYYY-MM-DD.json'])
			expect(example).toContain(`"name": "${name}"`);
		expect(section('Daily pipeline')).toContain('(200)');
		expect(example).toContain('"maxCredits": 200');
	});

	it('states the n8n and Node.js versions once, as the n8n packages on npm state them', () => {
		expect(section('Compatibility')).toMatch(
			/tested on 1\.123\.81 and 2\.41\.1\. The node runs in your n8n's\s+Node\.js: n8n 2\.41\.1 needs Node\.js 24, n8n 1\.123\.81 runs on Node\.js 20\.19 to 24\./,
		);
		expect(readme.match(/Node\.js \d/g)).toHaveLength(2);
		const tested = readFileSync(join(ROOT, 'test/harness/n8n-versions.txt'), 'utf8').split(/\s+/);
		expect(tested).toEqual(expect.arrayContaining(['2.41.1', '1.123.81']));
	});

	it('gives whoever clones the repository its two commands in a section of their own', () => {
		const develop = section('Develop');
		expect(develop).toMatch(/^ {4}npm run demo .*no key, no cost$/m);
		expect(develop).toMatch(/^ {4}npm test /m);
		expect(readme.split('npm run demo')).toHaveLength(2);
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
