import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The folders of nodes/ are layers, and imports only run downward (CONTRIBUTING.md, "Layers").
 * Two rooms on one floor (the Seedance actions, the trigger's own files) do not import each other.
 */
const root = resolve(__dirname, '..', '..');

const LAYERS: Array<{ name: string; floor: number; matches: RegExp }> = [
	// The kit both nodes share (nodes/shared/) stands below either node's own folders.
	{ name: 'shared domain', floor: 1, matches: /^nodes\/shared\/domain\// },
	{ name: 'n8n internals', floor: 1, matches: /^nodes\/shared\/[^/]+\.ts$/ },
	{ name: 'transport', floor: 2, matches: /^nodes\/shared\/transport\// },
	{ name: 'descriptions', floor: 2, matches: /^nodes\/shared\/descriptions\// },
	{ name: 'Seedance domain', floor: 2, matches: /^nodes\/Seedance\/domain\// },
	{ name: 'download', floor: 3, matches: /^nodes\/shared\/download\// },
	{ name: 'webhooks', floor: 3, matches: /^nodes\/shared\/webhooks\// },
	{ name: 'waiting', floor: 4, matches: /^nodes\/Seedance\/waiting\// },
	{ name: 'actions', floor: 5, matches: /^nodes\/Seedance\/actions\// },
	{ name: 'trigger', floor: 5, matches: /^nodes\/SeedanceTrigger\/(?!SeedanceTrigger\.node\.ts$)/ },
	{
		name: 'nodes',
		floor: 6,
		matches: /^nodes\/(Seedance\/Seedance|SeedanceTrigger\/SeedanceTrigger)\.node\.ts$/,
	},
];

function layerOf(file: string) {
	const layer = LAYERS.find((candidate) => candidate.matches.test(file));
	if (!layer)
		throw new Error(`${file} is in no layer: add its folder to LAYERS and to CONTRIBUTING.md`);
	return layer;
}

function sourceFiles(folder: string): string[] {
	return readdirSync(folder).flatMap((name) => {
		const path = join(folder, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

/** Every relative import of a file, as a path from the project root. */
function importsOf(file: string): string[] {
	const text = readFileSync(join(root, file), 'utf8');
	const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map(
		(match) => match[1],
	);
	return specifiers.map((specifier) => {
		const target = resolve(root, dirname(file), specifier);
		return relative(
			root,
			existsSync(target) && statSync(target).isDirectory()
				? join(target, 'index.ts')
				: `${target}.ts`,
		);
	});
}

const files = sourceFiles(join(root, 'nodes')).map((path) => relative(root, path));

describe('layers of nodes/', () => {
	it('finds the source files and their imports', () => {
		expect(files.length).toBeGreaterThan(20);
		expect(files.flatMap(importsOf).length).toBeGreaterThan(40);
	});

	it.each(files)('%s imports only its own layer and the layers below', (file) => {
		const from = layerOf(file);
		const upward = importsOf(file).filter((target) => {
			const to = layerOf(target);
			return to.floor > from.floor || (to.floor === from.floor && to.name !== from.name);
		});
		expect(upward).toEqual([]);
	});

	it('keeps the shared kit out of either node', () => {
		const reachIn = files
			.filter((file) => file.startsWith('nodes/shared/'))
			.flatMap((file) => importsOf(file).map((target) => `${file} -> ${target}`))
			.filter((edge) => /-> nodes\/Seedance(Trigger)?\//.test(edge));
		expect(reachIn).toEqual([]);
		const across = files
			.filter((file) => file.startsWith('nodes/SeedanceTrigger/'))
			.flatMap((file) => importsOf(file).map((target) => `${file} -> ${target}`))
			.filter((edge) => edge.includes('-> nodes/Seedance/'));
		expect(across).toEqual([]);
	});

	it('would catch an import that runs back up', () => {
		const from = layerOf('nodes/shared/domain/task.ts');
		const to = layerOf('nodes/shared/transport/index.ts');
		expect(to.floor).toBeGreaterThan(from.floor);
	});
});
