import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The codex files decide where the editor lists the nodes. n8n's editor leaves nodes of the
 * category "AI" out of the regular node search unless they are AI root nodes, and these are
 * not: such a node cannot be found by a person (the e2e suite checks the search in a browser
 * and the categories against the installed n8n's own nodes).
 */
const root = join(__dirname, '..', '..');
const codexFiles = [
	'nodes/Seedance/Seedance.node.json',
	'nodes/SeedanceTrigger/SeedanceTrigger.node.json',
];

describe.each(codexFiles)('%s', (file) => {
	const codex = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
		node: string;
		categories: string[];
		subcategories?: Record<string, string[]>;
	};

	it('names a node type the package ships', () => {
		const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
			name: string;
			n8n: { nodes: string[] };
		};
		const shipped = pkg.n8n.nodes
			.map((path) => path.replace(/^.*\/(\w+)\.node\.js$/, '$1'))
			.map((name) => `${pkg.name}.${name.charAt(0).toLowerCase()}${name.slice(1)}`);
		expect(shipped).toContain(codex.node);
	});

	it('has a category the regular node search shows', () => {
		expect(codex.categories.length).toBeGreaterThan(0);
		const aiRoot = codex.subcategories?.AI?.includes('Root Nodes') === true;
		if (!aiRoot) expect(codex.categories).not.toContain('AI');
	});
});
