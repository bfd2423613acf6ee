import {
	MAX_CALLBACK_BYTES,
	bodySize,
	readCallback,
} from '../../../../nodes/shared/domain/callbackBody';
import { checkProperty, fc } from '../../../property';

const headers = {};

describe('readCallback', () => {
	it('reads a parsed JSON body, a JSON text body and raw bytes n8n did not parse', () => {
		const body = {
			code: 200,
			data: { task_id: 't1', status: 'COMPLETED', output: { video_url: 'https://cdn/v.mp4' } },
		};
		for (const request of [
			{ body, headers },
			{ body: JSON.stringify(body), headers },
			{ body: {}, rawBody: Buffer.from(JSON.stringify(body)), headers },
		]) {
			const reading = readCallback(request);
			expect(reading).toMatchObject({
				ok: true,
				task: { taskId: 't1', state: 'succeeded', videoUrl: 'https://cdn/v.mp4' },
			});
		}
	});

	it.each([
		[{ body: 'not json', headers }, 'The body is not a JSON object'],
		[{ body: {}, rawBody: Buffer.from('<html>'), headers }, 'The body is not a JSON object'],
		[{ body: [{ task_id: 't' }], headers }, 'The body is not a JSON object'],
		[{ body: { status: 'COMPLETED' }, headers }, 'The body holds no task ID'],
		[{ body: {}, headers }, 'The body holds no task ID'],
		[
			{ body: { task_id: 't' }, rawBody: Buffer.alloc(MAX_CALLBACK_BYTES + 1), headers },
			`The body is ${MAX_CALLBACK_BYTES + 1} bytes`,
		],
		[
			{ body: { task_id: 't' }, headers: { 'content-length': String(50 * 1024 * 1024) } },
			'The body is 52428800 bytes',
		],
	])('refuses %#: %s', (request, reason) => {
		const reading = readCallback(request);
		expect(reading.ok).toBe(false);
		expect(reading.ok ? '' : reading.reason).toContain(reason);
	});
});

/** A task ID as the service makes them, judged apart from the code: 1-200 of [A-Za-z0-9._:-], not dots only. */
const usableId = (text: string) =>
	text.length >= 1 && text.length <= 200 && /^[\w.:-]+$/.test(text) && !/^\.+$/.test(text);

/** Any text at all, and the ones near the rule's edges: dots, 200/201 characters, URL characters. */
const anyTaskIdText = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'binary', maxLength: 30 }),
	fc.constantFrom('', ' ', '.', '..', '...', ' .. ', '../status', '%2e%2e', 'a/b', 'a?b', 'a#b'),
	fc.integer({ min: 195, max: 205 }).map((length) => 'a'.repeat(length)),
	fc
		.tuple(
			fc.stringMatching(/^[\w.:-]{0,20}$/),
			fc.constantFrom('/', '?', '#', '%', ' ', '\\', '@', '&', '=', '+', '\u0000', '😀', 'é'),
			fc.stringMatching(/^[\w.:-]{0,20}$/),
		)
		.map((parts) => parts.join('')),
);

describe('readCallback: the task ID rule of a typed Task ID holds for callback bodies', () => {
	it.each([
		['..', 'names task ".."'],
		['.', 'names task "."'],
		['a/../b', 'names task "a/../b"'],
		['x'.repeat(600 * 1024), '(614400 characters), which is no task ID'],
	])('refuses task %#, and quotes at most 60 characters of it', (taskId, reason) => {
		const reading = readCallback({ body: { task_id: taskId, status: 'success' }, headers });
		expect(reading.ok).toBe(false);
		const text = reading.ok ? '' : reading.reason;
		expect(text).toContain(reason);
		expect(text.length).toBeLessThan(400);
	});

	it('any text in task_id: read iff it is a task ID once trimmed, whatever envelope holds it', async () => {
		await checkProperty(
			'callback task ids',
			fc.property(anyTaskIdText, fc.boolean(), (taskId, envelope) => {
				const task = { task_id: taskId, status: 'COMPLETED' };
				const reading = readCallback({ body: envelope ? { data: task } : task, headers });
				const trimmed = taskId.trim();
				expect(reading.ok).toBe(usableId(trimmed));
				if (reading.ok) expect(reading.task.taskId).toBe(trimmed);
				else
					expect(reading.reason).toMatch(
						trimmed
							? /^The body names task ".*" \(\d+ characters\), which is no task ID/s
							: /holds no task ID/,
					);
			}),
			500,
		);
	});
});

describe('bodySize', () => {
	const body = { task_id: 't1', status: 'COMPLETED' };

	it("is n8n's raw bytes first, then a usable Content-Length, then the body as text", () => {
		expect(bodySize({ body, rawBody: Buffer.from('é'), headers: { 'content-length': '9' } })).toBe(
			2,
		);
		expect(bodySize({ body, headers: { 'content-length': '9' } })).toBe(9);
		// A declared 0 is an empty body, not a missing length.
		expect(bodySize({ body, headers: { 'content-length': '0' } })).toBe(0);
	});

	it.each([
		['no Content-Length', {}],
		['a negative one', { 'content-length': '-5' }],
		['one that is no number', { 'content-length': 'lots' }],
		['an infinite one', { 'content-length': 'Infinity' }],
	])('with %s, measures the body itself', (_name, headers) => {
		expect(bodySize({ body, headers })).toBe(JSON.stringify(body).length);
		expect(bodySize({ body: 'plain text', headers })).toBe('plain text'.length);
		expect(bodySize({ headers })).toBe(JSON.stringify('').length);
	});
});

describe('readCallback: which of the parsed body and the raw bytes it reads', () => {
	const json = (taskId: string) => JSON.stringify({ task_id: taskId, status: 'COMPLETED' });
	const taskIdOf = (request: Parameters<typeof readCallback>[0]) => {
		const reading = readCallback(request);
		return reading.ok ? reading.task.taskId : reading.reason;
	};

	it('reads a body of bytes, and raw bytes when n8n parsed nothing (no body, or {})', () => {
		expect(taskIdOf({ body: new Uint8Array(Buffer.from(json('bytes'))), headers })).toBe('bytes');
		expect(taskIdOf({ rawBody: Buffer.from(json('raw')), headers })).toBe('raw');
		expect(taskIdOf({ body: {}, rawBody: Buffer.from(json('raw')), headers })).toBe('raw');
	});

	it('keeps a body n8n parsed, whatever the raw bytes hold', () => {
		const rawBody = Buffer.from(json('raw'));
		expect(taskIdOf({ body: { task_id: 'parsed', status: 'COMPLETED' }, rawBody, headers })).toBe(
			'parsed',
		);
		for (const body of [[], null, 5])
			expect(taskIdOf({ body, rawBody, headers })).toBe('The body is not a JSON object');
	});

	it(`takes a body of exactly ${MAX_CALLBACK_BYTES} bytes`, () => {
		const body = { task_id: 'at-limit', status: 'COMPLETED' };
		expect(taskIdOf({ body, headers: { 'content-length': String(MAX_CALLBACK_BYTES) } })).toBe(
			'at-limit',
		);
	});

	it('quotes a bad task ID whole up to 60 characters, and marks a longer one cut', () => {
		const sixty = `a/${'b'.repeat(58)}`;
		expect(taskIdOf({ body: { task_id: sixty }, headers })).toContain(
			`names task "${sixty}" (60 characters)`,
		);
		expect(taskIdOf({ body: { task_id: `${sixty}c` }, headers })).toContain(
			`names task "${sixty}…" (61 characters)`,
		);
	});

	it('an empty parsed body with no raw bytes holds no task', () => {
		expect(taskIdOf({ body: {}, rawBody: Buffer.alloc(0), headers })).toBe(
			'The body holds no task ID',
		);
	});
});
