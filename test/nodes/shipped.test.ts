import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** What ships (nodes/, credentials/) speaks of nothing outside the package: no repository docs. */
const root = resolve(__dirname, '..', '..');

function files(folder: string, extension = '.ts'): string[] {
	return readdirSync(folder).flatMap((name) => {
		const path = join(folder, name);
		return statSync(path).isDirectory()
			? files(path, extension)
			: path.endsWith(extension)
				? [path]
				: [];
	});
}

const shipped = [...files(join(root, 'nodes')), ...files(join(root, 'credentials'))];
const OUTSIDE = [
	/\bdocs\//,
	/\b[\w-]+\.md\b/,
	/\bshared\/(seed|api-contract|toolchain)\b/,
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

/**
 * The code of a JavaScript/TypeScript text with comments removed and string contents emptied
 * (a template's `${...}` expressions stay code), so words in prose and messages do not count.
 */
function codeOf(text: string): string {
	let out = '';
	let index = 0;
	const templateDepths: number[] = [];
	let braces = 0;
	const regexMayStart = () => /(^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof)\s*$/.test(out);
	const skipQuoted = (quote: string) => {
		index++;
		while (index < text.length && text[index] !== quote && text[index] !== '\n') {
			index += text[index] === '\\' ? 2 : 1;
		}
		index++;
		out += `${quote}${quote}`;
	};
	const skipTemplate = () => {
		// From after a backtick or a `}` closing an expression, to the next `${` or closing backtick.
		while (index < text.length) {
			if (text[index] === '\\') index += 2;
			else if (text[index] === '`') {
				index++;
				out += '`';
				return;
			} else if (text.startsWith('${', index)) {
				index += 2;
				out += '${';
				templateDepths.push(braces);
				return;
			} else index++;
		}
	};
	while (index < text.length) {
		const char = text[index];
		if (text.startsWith('//', index)) {
			while (index < text.length && text[index] !== '\n') index++;
		} else if (text.startsWith('/*', index)) {
			const end = text.indexOf('*/', index + 2);
			index = end < 0 ? text.length : end + 2;
			out += ' ';
		} else if (char === "'" || char === '"') {
			skipQuoted(char);
		} else if (char === '`') {
			out += '`';
			index++;
			skipTemplate();
		} else if (char === '/' && regexMayStart()) {
			let inClass = false;
			index++;
			while (index < text.length && text[index] !== '\n') {
				if (text[index] === '\\') index++;
				else if (text[index] === '[') inClass = true;
				else if (text[index] === ']') inClass = false;
				else if (text[index] === '/' && !inClass) break;
				index++;
			}
			index++;
			out += '/regex/';
		} else if (char === '}' && templateDepths.at(-1) === braces) {
			templateDepths.pop();
			out += '}';
			index++;
			skipTemplate();
		} else {
			if (char === '{') braces++;
			if (char === '}') braces--;
			out += char;
			index++;
		}
	}
	return out;
}

/** Modules shipped code may load: its own files, n8n-workflow (a peer) and node:crypto (no I/O). */
const ALLOWED_MODULES = /^(\.{1,2}\/|n8n-workflow$|(node:)?crypto$)/;

/** Ways code reaches the environment or the file system (verification forbids both). */
const FORBIDDEN: Array<[string, RegExp]> = [
	['process (process.env, cwd, binding...)', /\bprocess\b/],
	['globalThis/global (a way round the process check)', /\bglobal(This)?\b/],
	['__dirname/__filename', /\b__(dirname|filename)\b/],
	['dynamic import()', /\bimport\s*\(/],
	['eval/Function (code from strings)', /\beval\s*\(|\bFunction\s*\(/],
	['createRequire/module.require', /\bcreateRequire\b|\bmodule\s*\.\s*(require|constructor)\b/],
];

/** What a shipped file does that reads environment variables or files; empty when nothing. */
function environmentAccess(text: string): string[] {
	const code = codeOf(text);
	const found = FORBIDDEN.filter(([, pattern]) => pattern.test(code)).map(([name]) => name);
	// Module names are strings, which codeOf empties: read them from the lines that are not comments.
	const specifiers = [
		...text
			.split('\n')
			.filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
			.join('\n')
			.matchAll(/\b(?:from|require\s*\(|import)\s*(['"])([^'"]+)\1/g),
	].map((match) => match[2]);
	found.push(
		...specifiers
			.filter((name) => !ALLOWED_MODULES.test(name))
			.map((name) => `loads the module "${name}"`),
	);
	const requires = (code.match(/\brequire\s*\(/g) ?? []).length;
	const literalRequires = (code.match(/\brequire\s*\(\s*(['"])\1\s*\)/g) ?? []).length;
	if (requires > literalRequires) found.push('require() of a computed name');
	return found;
}

const dist = join(root, 'dist');
const builtFiles = (): string[] =>
	['nodes', 'credentials']
		.map((folder) => join(dist, folder))
		.filter((folder) => existsSync(folder))
		.flatMap((folder) => files(folder, '.js'));

describe('shipped code reads no environment variable and no file', () => {
	it.each(shipped.map((path) => relative(root, path)))('%s', (file) => {
		expect(environmentAccess(readFileSync(join(root, file), 'utf8'))).toEqual([]);
	});

	it('and neither does the build in dist/, when there is one', () => {
		const found = builtFiles().flatMap((path) =>
			environmentAccess(readFileSync(path, 'utf8')).map(
				(what) => `${relative(root, path)}: ${what}`,
			),
		);
		expect(found).toEqual([]);
	});

	it.each<[string, string]>([
		['const key = process.env.SEEDANCE_KEY;', 'process (process.env, cwd, binding...)'],
		["import { readFileSync } from 'node:fs';", 'loads the module "node:fs"'],
		["import * as fs from 'fs';", 'loads the module "fs"'],
		["const cp = require('child_process');", 'loads the module "child_process"'],
		["import os from 'os';", 'loads the module "os"'],
		['const m = require(name);', 'require() of a computed name'],
		["const fs = await import('fs');", 'dynamic import()'],
		[
			"const env = globalThis['pro' + 'cess'].env;",
			'globalThis/global (a way round the process check)',
		],
		['const here = `${__dirname}/key.txt`;', '__dirname/__filename'],
		["const run = new Function('return pro' + 'cess')();", 'eval/Function (code from strings)'],
	])('finds it in: %s', (sample, finding) => {
		expect(environmentAccess(sample)).toContain(finding);
	});

	it('does not count prose: comments, messages and regular expressions', () => {
		const sample = [
			'// each webhook process answers; import("fs") in a comment',
			"/* process.env */ const message = 'the process failed: process.env';",
			'const hint = `n8n process ${count} of ${total}`;',
			"const pattern = /process|'/g; import { sleep } from 'n8n-workflow';",
			"import { createHmac } from 'node:crypto'; import { a } from './domain/a';",
		].join('\n');
		expect(environmentAccess(sample)).toEqual([]);
		expect(environmentAccess('const x = `${process.env.KEY}`;')).toEqual([
			'process (process.env, cwd, binding...)',
		]);
	});
});
