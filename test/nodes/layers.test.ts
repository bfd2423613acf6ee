import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The folders of nodes/ are layers, and imports only run downward (CONTRIBUTING.md, "Layers").
 * Two rooms on one floor (the Seedance actions, the trigger's own files) do not import each other.
 */
const root = resolve(__dirname, '..', '..');

const LAYERS: Array<{ name: string; floor: number; matches: RegExp }> = [
	{ name: 'domain', floor: 1, matches: /^nodes\/Seedance\/domain\// },
	{ name: 'shared', floor: 1, matches: /^nodes\/shared\// },
	{ name: 'transport', floor: 2, matches: /^nodes\/Seedance\/transport\// },
	{ name: 'descriptions', floor: 2, matches: /^nodes\/Seedance\/descriptions\// },
	{ name: 'waiting', floor: 3, matches: /^nodes\/Seedance\/waiting\// },
	{ name: 'actions', floor: 4, matches: /^nodes\/Seedance\/actions\// },
	{ name: 'trigger', floor: 4, matches: /^nodes\/SeedanceTrigger\/(?!SeedanceTrigger\.node\.ts$)/ },
	{
		name: 'nodes',
		floor: 5,
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

	it('would catch an import that runs back up', () => {
		const from = layerOf('nodes/Seedance/domain/task.ts');
		const to = layerOf('nodes/Seedance/transport/index.ts');
		expect(to.floor).toBeGreaterThan(from.floor);
	});
});
