/**
 * A download is a video or an error: what a result link returns is checked before and while n8n
 * stores it (type, the container's first bytes, Max Video Size), through Generate in n8n-core.
 */
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { FAST, useEmulator } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 200 });

async function generate(options: Record<string, unknown> = {}) {
	const node = seedanceNode({
		resource: 'video',
		operation: 'generate',
		prompt: 'A dancer',
		options: { ...FAST, ...options },
	});
	const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
		credentials: credentials(),
	});
	const [task] = emulator.tasks.values();
	return { result, error: result.errorOf('Seedance'), taskId: task?.taskId };
}

describe('downloads: only a video is stored', () => {
	it('refuses a 200 "link expired" HTML page, quoting it and naming the task, without trying again', async () => {
		emulator.inject('download', {
			kind: 'status',
			code: 200,
			body: '<html><body>Link expired</body></html>',
		});
		const { error, taskId } = await generate();
		expect(error?.message).toBe(`The video link of task ${taskId} did not return a video`);
		expect(error?.description).toContain('text/html: "<html><body>Link expired</body></html>"');
		expect(emulator.count('download')).toBe(1);
	});

	it('refuses bytes that are not a video even when they are labelled video/mp4', async () => {
		emulator.inject('download', {
			kind: 'status',
			code: 200,
			body: '{"internal":"json, not a video"}',
			headers: { 'content-type': 'video/mp4' },
		});
		const { error, taskId } = await generate();
		expect(error?.message).toBe(`The video link of task ${taskId} did not return a video`);
		expect(error?.description).toContain('bytes that are not a video');
	});

	it.each([
		['announced in advance', true, '3145728 bytes, more than the Max Video Size of 1 MB'],
		['while the bytes arrive', false, 'more than the Max Video Size of 1 MB'],
	])('enforces Max Video Size %s', async (_when, announceLength, reason) => {
		Object.assign(emulator.options, { downloadBytes: 3 * 1048576, announceLength });
		const { error, taskId } = await generate({ maxVideoSize: 1 });
		expect(error?.message).toBe(`The video link of task ${taskId} did not return a video`);
		expect(error?.description).toContain(reason);
	});

	it.each([
		['data:', 'data:video/mp4;base64,AAAAGGZ0eXBtcDQy'],
		['file:', 'file:///etc/passwd'],
		['ftp:', 'ftp://files.example.com/v.mp4'],
	])('refuses a %s link at once, sending nothing', async (scheme, link) => {
		// The service's answer for the task points at the link.
		emulator.options.latencyMs = 5000;
		const created = await generate({ waitForCompletion: false });
		emulator.inject('status', {
			kind: 'status',
			code: 200,
			body: { data: { task_id: created.taskId, status: 'COMPLETED', output: { video_url: link } } },
		});
		const node = seedanceNode({
			resource: 'video',
			operation: 'wait',
			taskId: created.taskId,
			options: FAST,
		});
		const started = Date.now();
		const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
			credentials: credentials(),
		});
		const error = result.errorOf('Seedance');
		expect(error?.message).toBe(`The video link of task ${created.taskId} did not return a video`);
		expect(error?.description).toContain(`not a web address ("${scheme}")`);
		expect(emulator.count('download')).toBe(0);
		expect(Date.now() - started).toBeLessThan(3000);
	});

	it('still stores a real video whole, with its type', async () => {
		const { result, error } = await generate();
		expect(error).toBeUndefined();
		expect(result.output('Seedance')[0].binary?.data).toMatchObject({ mimeType: 'video/mp4' });
	});
});
