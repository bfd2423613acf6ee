import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * n8n 1.x saves a workflow's static data (the trigger's memory of deliveries) only for IDs of at
 * most 16 characters; an example imported with a longer ID would forget every delivery.
 */
const folder = join(__dirname, '..', '..', 'examples');

describe.each(readdirSync(folder).filter((name) => name.endsWith('.json')))(
	'examples/%s',
	(name) => {
		it('has a workflow ID n8n 1.x and 2.x both accept', () => {
			const { id } = JSON.parse(readFileSync(join(folder, name), 'utf8')) as { id: string };
			expect(id).toMatch(/^[A-Za-z0-9]{1,16}$/);
		});
	},
);
