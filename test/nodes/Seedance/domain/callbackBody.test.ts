import { MAX_CALLBACK_BYTES, readCallback } from '../../../../nodes/Seedance/domain/callbackBody';

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
