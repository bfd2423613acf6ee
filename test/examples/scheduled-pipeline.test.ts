import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The daily pipeline a new user imports: one bad row must not lose the day's paid videos, and a
 * re-run must pick up what was made. What it does in a real n8n is e2e scenario 7.
 */
const workflow = JSON.parse(
	readFileSync(path.join(__dirname, '../../examples/scheduled-csv-pipeline.json'), 'utf8'),
) as {
	nodes: Array<{
		name: string;
		type: string;
		onError?: string;
		alwaysOutputData?: boolean;
		parameters: Record<string, any>;
	}>;
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
};
const byName = (name: string) => workflow.nodes.find((node) => node.name === name)!;
const next = (name: string, output = 0) =>
	workflow.connections[name].main[output].map((link) => link.node);

describe('examples/scheduled-csv-pipeline.json', () => {
	const generate = byName('Generate videos');

	it('sends failed rows to their own branch, so the made videos are still saved', () => {
		expect(generate.onError).toBe('continueErrorOutput');
		expect(next('Generate videos', 0)).toEqual(['Save each video']);
		expect(next('Generate videos', 1)).toEqual(['Failed rows']);
		expect(next('Failed rows')).toEqual(['Failed rows as one file']);
		expect(next('Failed rows as one file')).toEqual(['Save failed YYYY-MM-DD.json']);
		expect(byName('Save failed YYYY-MM-DD.json').parameters.fileName).toBe(
			"=/home/node/.n8n-files/seedance/failed {{ $today.toFormat('yyyy-MM-dd') }}.json",
		);
	});

	it('keys each video by day and prompt, within a budget', () => {
		expect(generate.parameters.options).toMatchObject({
			idempotencyKey: "={{ $today.toFormat('yyyy-MM-dd') }} {{ $json.prompt }}",
			maxCredits: 200,
		});
	});

	it('reads prompts.csv from the files folder n8n 2.x allows by default', () => {
		expect(byName('Read prompts.csv').parameters.fileSelector).toBe(
			'/home/node/.n8n-files/seedance/prompts.csv',
		);
	});

	it('fails a run without prompts.csv instead of ending green with nothing made', () => {
		// Reading no file outputs no item; an empty item makes the CSV step fail (e2e scenario 7b).
		expect(byName('Read prompts.csv').alwaysOutputData).toBe(true);
	});
});
