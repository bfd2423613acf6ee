import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	compareWithEmulator,
	formatDifferences,
	leaves,
	type LiveRecord,
} from '../../scripts/liveCompare';

/** Recordings made by hand in the shape `npm run live` writes (live-output/record-*.json). */
const sample = (name: string) =>
	JSON.parse(readFileSync(join(__dirname, 'live-samples', `${name}.json`), 'utf8')) as LiveRecord;

describe("npm run live: the service's answers against the emulator's assumptions", () => {
	it("finds no difference in a recording of the emulator's default shape", () => {
		expect(compareWithEmulator(sample('matching'))).toEqual([]);
		expect(formatDifferences([])).toMatch(/no difference found/);
	});

	it('names every difference: id and video paths, status words, types, link host, errors, callback', () => {
		const topics = compareWithEmulator(sample('differences')).map(
			(difference) => `${difference.topic} | ${difference.emulator} | ${difference.service}`,
		);
		expect(topics).toEqual([
			'Create answer: fields the emulator sends that the service did not | data.task_id | absent',
			'Create answer: fields the service sent that the emulator does not | absent | data.id',
			'Create answer: task id location | data.task_id | data.id',
			expect.stringMatching(
				/^Status answer: status word "RENDERING" \| PENDING, IN_PROGRESS, COMPLETED, .* \| "RENDERING", which the node reads as running \(unknown words count as running/,
			),
			'Status answer: fields the emulator sends that the service did not | data.task_id | absent',
			'Status answer: fields the service sent that the emulator does not | absent | data.id',
			'Status answer: data.progress is of another type | number | string ("40%")',
			'Status answer: fields the emulator sends that the service did not | data.task_id, data.output.video_url | absent',
			'Status answer: fields the service sent that the emulator does not | absent | data.id, data.result.videoUrl',
			'Status answer: video link location | data.output.video_url | data.result.videoUrl',
			"Status answer: video link host | a host of the Base URL's domain (apiin.one) | bucket.videostore.example.net (another domain)",
			'Error answer (bad-key): HTTP status | 401 | 403',
			'Error answer (bad-key): fields the emulator sends that the service did not | code, message | absent',
			'Error answer (bad-key): fields the service sent that the emulator does not | absent | error.message',
			'Callback | one POST on the terminal state, body shaped like the status answer | no callback arrived',
		]);
	});

	it('flags a word the emulator does not use though the node knows it, and links on the API origin', () => {
		const differences = compareWithEmulator(sample('no-callback-asked'));
		expect(differences.map((difference) => difference.topic)).toEqual([
			'Status answer: status word "success"',
			'Status answer: video link host',
		]);
		expect(differences[0].service).toBe('"success", which the node reads as succeeded');
		expect(differences[1].service).toBe("the Base URL's own origin https://apiin.one");
		expect(formatDifferences(differences)).toMatch(/^2 difference\(s\)[^]*emulator: /);
	});

	it('reads links inside a JSON string (resultJson) and nested lists', () => {
		const body = {
			code: 200,
			message: 'success',
			data: {
				task_id: 'n1',
				status: 'COMPLETED',
				progress: 100,
				resultJson: JSON.stringify({ resultUrls: ['https://cdn.apiin.one/a.mp4'] }),
			},
		};
		const record: LiveRecord = {
			startedAt: '',
			baseUrl: 'https://apiin.one',
			exchanges: [{ step: 'wait', method: 'GET', path: '/api/v1/tasks/n1', status: 200, body }],
		};
		expect(compareWithEmulator(record).map((difference) => difference.service)).toContain(
			'data.resultJson(json).resultUrls[]',
		);
		expect([...leaves({ a: [{ b: 1 }], c: null, d: {} })]).toEqual([
			['a[].b', 'number'],
			['c', 'null'],
			['d', 'object'],
		]);
	});
});
