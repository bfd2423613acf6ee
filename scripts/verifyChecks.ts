/**
 * The checks of `npm run verify` that need no tool run: pure functions of package.json, the
 * licence text and the publish workflow, each answering PASS or what the publisher must still
 * fill in. scripts/verify.ts gathers the inputs and runs the tools (scanner, n8n-node lint).
 */

export interface Check {
	name: string;
	/** What the publisher must still do; empty when the check passes. */
	fix: string[];
	/** What was found, printed with PASS. */
	detail?: string;
}

export interface PackageJson {
	name?: string;
	version?: string;
	description?: string;
	license?: string;
	homepage?: string;
	keywords?: string[];
	author?: string | { name?: string; email?: string; url?: string };
	repository?: string | { type?: string; url?: string; directory?: string };
	bugs?: string | { url?: string };
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	files?: string[];
	scripts?: Record<string, string>;
	n8n?: { n8nNodesApiVersion?: number; nodes?: string[]; credentials?: string[] };
}

const check = (name: string, fix: string[], detail?: string): Check => ({ name, fix, detail });

/** npm's "Name <email> (url)" author string, or its object form. */
export function parseAuthor(author: PackageJson['author']): { name?: string; email?: string } {
	if (typeof author !== 'string') return { name: author?.name, email: author?.email };
	const match = /^\s*([^<(]*?)\s*(?:<([^>]*)>)?\s*(?:\(([^)]*)\))?\s*$/.exec(author);
	return { name: match?.[1] || undefined, email: match?.[2] || undefined };
}

/** The code host's https address of a `repository` field (git+https, git@, shorthand). */
export function repositoryUrl(repository: PackageJson['repository']): string | undefined {
	const raw = typeof repository === 'string' ? repository : repository?.url;
	if (!raw?.trim()) return undefined;
	const value = raw.trim();
	const shorthand = /^(?:github:)?([\w.-]+)\/([\w.-]+)$/.exec(value);
	if (shorthand) return `https://github.com/${shorthand[1]}/${shorthand[2]}`;
	const ssh = /^git@([^:]+):(.+?)(?:\.git)?$/.exec(value);
	if (ssh) return `https://${ssh[1]}/${ssh[2]}`;
	return value
		.replace(/^git\+/, '')
		.replace(/^git:\/\//, 'https://')
		.replace(/\.git$/, '');
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** The package.json points n8n's verification looks at: name, keyword, author, repository... */
export function checkMetadata(pkg: PackageJson): Check[] {
	const author = parseAuthor(pkg.author);
	const repo = repositoryUrl(pkg.repository);
	const keywords = pkg.keywords ?? [];
	return [
		check(
			'Package name starts with n8n-nodes- (or @scope/n8n-nodes-)',
			/^(@[\w.-]+\/)?n8n-nodes-[\w.-]+$/.test(pkg.name ?? '')
				? []
				: [`name "${pkg.name ?? ''}" must start with n8n-nodes- or @<scope>/n8n-nodes-`],
			pkg.name,
		),
		check(
			'Keyword n8n-community-node-package',
			keywords.includes('n8n-community-node-package')
				? []
				: ['keywords: add "n8n-community-node-package" to package.json'],
		),
		check('Version and description', [
			...(/^\d+\.\d+\.\d+(-[\w.-]+)?$/.test(pkg.version ?? '')
				? []
				: [`version "${pkg.version ?? ''}" is not x.y.z`]),
			...(pkg.description?.trim() ? [] : ['description missing: add it to package.json']),
		]),
		check(
			'Author name and e-mail (matching the npm account that publishes)',
			[
				...(author.name?.trim() ? [] : ['author.name missing: add it to package.json']),
				...(author.email && EMAIL.test(author.email)
					? []
					: [
							author.email
								? `author.email "${author.email}" is not an e-mail address`
								: 'author.email missing: add it to package.json (n8n verification requires one)',
						]),
			],
			[author.name, author.email && `<${author.email}>`].filter(Boolean).join(' '),
		),
		check(
			'Repository: the public code host the package is built and published from',
			repo === undefined
				? [
						'repository missing: add {"type": "git", "url": "git+https://github.com/<owner>/<repo>.git"} to package.json (the public repository this workflow publishes from)',
					]
				: /^https:\/\/[^/]+\/[^/]+\/[^/]+$/.test(repo)
					? []
					: [`repository "${repo}" is not an https://<host>/<owner>/<repo> address`],
			repo,
		),
		check(
			'Homepage',
			pkg.homepage && /^https:\/\//.test(pkg.homepage)
				? []
				: ['homepage missing: add an https address (the repository or the npm page)'],
			pkg.homepage,
		),
		check(
			'No runtime dependencies',
			Object.keys(pkg.dependencies ?? {}).length === 0
				? []
				: [
						`dependencies: remove ${Object.keys(pkg.dependencies ?? {}).join(', ')} (community nodes may have none; n8n-workflow is a peer dependency)`,
					],
		),
	];
}

/** The `n8n` section: API version 1 and every listed file present in the build. */
export function checkN8nSection(pkg: PackageJson, exists: (path: string) => boolean): Check {
	const section = pkg.n8n;
	if (!section) return check('n8n section', ['n8n: add the section listing nodes and credentials']);
	const files = [...(section.nodes ?? []), ...(section.credentials ?? [])];
	return check(
		'n8n section: nodes and credentials built into dist/',
		[
			...(section.n8nNodesApiVersion === 1 ? [] : ['n8n.n8nNodesApiVersion must be 1']),
			...((section.nodes ?? []).length === 0 ? ['n8n.nodes lists no node'] : []),
			...files
				.filter((file) => !exists(file))
				.map((file) => `${file} is listed in n8n but missing: run npm run build`),
		],
		`${files.length} files`,
	);
}

/** MIT, the only licence n8n verifies, in the field and in the shipped LICENSE file. */
export function checkLicense(pkg: PackageJson, licenseText: string | undefined): Check {
	return check('MIT licence (field and LICENSE file)', [
		...(pkg.license === 'MIT' ? [] : [`license is "${pkg.license ?? ''}": set it to "MIT"`]),
		...(licenseText === undefined
			? ['LICENSE file missing: add the MIT licence text']
			: /MIT License|Permission is hereby granted, free of charge/.test(licenseText)
				? []
				: ['LICENSE is not the MIT licence text']),
	]);
}

/** Compares dotted versions: negative, 0 or positive. */
export function compareVersions(a: string, b: string): number {
	const parts = (version: string) => version.split('.').map((part) => Number.parseInt(part, 10));
	const [x, y] = [parts(a), parts(b)];
	for (let index = 0; index < Math.max(x.length, y.length); index++) {
		const difference = (x[index] || 0) - (y[index] || 0);
		if (difference !== 0) return difference;
	}
	return 0;
}

export const MIN_NODE = '22.14.0';
export const MIN_NPM = '11.5.1';

export interface PublishWorkflow {
	nodeVersions: string[];
	/** The npm the workflow installs (`npm@^11.5.1` -> 11.5.1), if it installs one. */
	npmInstalled?: string;
	idTokenWrite: boolean;
	triggeredByTag: boolean;
	secrets: string[];
}

/** Reads what matters from the publish workflow's text (a few line patterns, no YAML parser). */
export function readPublishWorkflow(text: string): PublishWorkflow {
	const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
	const nodeVersions = lines
		.map((line) => /^\s*node-version:\s*['"]?([\w.]+)['"]?\s*$/.exec(line)?.[1])
		.filter((value): value is string => value !== undefined);
	const npm = /npm (?:install|i) (?:--global|-g) npm@[\^~>=]*(\d+(?:\.\d+){0,2})/.exec(text);
	return {
		nodeVersions,
		npmInstalled: npm?.[1],
		idTokenWrite: /^\s*id-token:\s*write\s*$/m.test(text),
		triggeredByTag: /^\s*tags:/m.test(text),
		secrets: [...text.matchAll(/secrets\.(\w+)/g)].map((match) => match[1]),
	};
}

/** The publish workflow: trusted publishing's Node and npm, tests before publishing, provenance. */
export function checkPublishWorkflow(text: string | undefined): Check {
	const name = 'Publish workflow: trusted publishing from GitHub Actions with provenance';
	if (text === undefined)
		return check(name, ['.github/workflows/publish.yml missing: restore it from the repository']);
	const workflow = readPublishWorkflow(text);
	const ordered = text.split('\n').filter((line) => !/^\s*#/.test(line));
	const lineOf = (pattern: RegExp) => ordered.findIndex((line) => pattern.test(line));
	const testAt = lineOf(/run:\s*npm (?:test|run test)\b/);
	const publishAt = lineOf(/npm publish\b/);
	const fix: string[] = [];
	if (workflow.nodeVersions.length === 0) fix.push('set node-version (24) in actions/setup-node');
	for (const version of workflow.nodeVersions)
		if (compareVersions(version, MIN_NODE) < 0)
			fix.push(
				`node-version ${version}: trusted publishing needs Node ${MIN_NODE} or newer (use 24)`,
			);
	if (!workflow.npmInstalled || compareVersions(workflow.npmInstalled, MIN_NPM) < 0)
		fix.push(
			`install npm ${MIN_NPM} or newer before publishing (npm install --global npm@^${MIN_NPM})`,
		);
	if (!workflow.triggeredByTag) fix.push("publish on version tags (on: push: tags: ['v*.*.*'])");
	if (!workflow.idTokenWrite) fix.push('add `permissions: id-token: write` (OIDC and provenance)');
	if (publishAt < 0) fix.push('add the `npm publish --provenance --access public` step');
	else if (!/npm publish[^\n]*--provenance/.test(text)) fix.push('publish with --provenance');
	if (testAt < 0 || (publishAt >= 0 && testAt > publishAt))
		fix.push('run `npm test` before `npm publish`');
	const unexpected = workflow.secrets.filter((secret) => secret !== 'NPM_TOKEN');
	if (unexpected.length) fix.push(`remove the secrets ${unexpected.join(', ')}: OIDC needs none`);
	return check(
		name,
		fix,
		`Node ${workflow.nodeVersions.join(', ')}, npm ${workflow.npmInstalled}, tests before publish`,
	);
}

/** npm's limit is far higher; a community node this size means something unintended is packed. */
export const MAX_PACKED_BYTES = 5 * 1024 * 1024;

export function checkSize(packedBytes: number, fileCount: number): Check {
	return check(
		'Package size',
		packedBytes <= MAX_PACKED_BYTES
			? []
			: [
					`the packed package is ${(packedBytes / 1024 / 1024).toFixed(1)} MB: check "files" in package.json`,
				],
		`${(packedBytes / 1024).toFixed(1)} kB packed, ${fileCount} files`,
	);
}

/** The report's lines and whether anything is left to fill. */
export function report(checks: Check[]): { lines: string[]; ok: boolean } {
	const lines = checks.flatMap((item) =>
		item.fix.length === 0
			? [`PASS  ${item.name}${item.detail ? ` (${item.detail})` : ''}`]
			: [`TODO  ${item.name}`, ...item.fix.map((fix) => `        - ${fix}`)],
	);
	return { lines, ok: checks.every((item) => item.fix.length === 0) };
}
