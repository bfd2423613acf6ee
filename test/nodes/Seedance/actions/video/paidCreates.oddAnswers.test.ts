/**
 * A create that the service accepted (2xx, a task id) is paid, whatever goes wrong in reading
 * the rest of its answer: no try may send it again.
 */
import type { INode } from 'n8n-workflow';

import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 100 });

/** One Generate of one item (no download), with `settings` (e.g. Retry On Fail); its error. */
async function generateOnce(settings?: Partial<INode>) {
	const node = seedanceNode(
		{
			resource: 'video',
			operation: 'generate',
			prompt: 'A lighthouse',
			options: { ...FAST, downloadVideo: false },
		},
		settings,
	);
	const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
		credentials: credentials(),
	});
	return result.errorOf('Seedance');
}

const depth = 200_000;
const deepAnswer = `{"data":{"task_id":"n1_seedance","status":"IN_PROGRESS","meta":${'['.repeat(depth)}${']'.repeat(depth)}}}`;

describe('Pay once: an accepted create whose answer cannot be read', () => {
	it('HTTP 200 with a task id and a body nested 200,000 deep is not sent again by Retry On Fail', async () => {
		emulator.inject('create', { kind: 'status', code: 200, body: deepAnswer });
		const error = await generateOnce({ retryOnFail: true, maxTries: 3, waitBetweenTries: 0 });
		expect(emulator.count('create')).toBe(1);
		expect(error?.message).not.toContain('call stack');
		// The last try's words: an earlier try may have made it, nothing sent.
		expect(error?.message).toBe(
			'An earlier try of this node may already have created the video of item 1',
		);
		expect(error?.description).toBe(
			'The answer to that request was lost, so the node does not send it again: you could pay twice. Check the task list in your API in One dashboard; if the task is there, put its ID in "Existing Task ID". Nothing was sent.',
		);
	});

	it('the first try says the answer could not be read and the video may have been made', async () => {
		emulator.inject('create', { kind: 'status', code: 200, body: deepAnswer });
		const error = await generateOnce();
		expect(emulator.count('create')).toBe(1);
		expect(error?.message).toBe(
			'The answer to the request that creates the video of item 1 could not be read',
		);
		expect(error?.description).toBe(
			'The video may have been created (and charged), so the node does not send the request again. Check the task list in your API in One dashboard; if the task is there, put its ID in "Existing Task ID".',
		);
	});
});

describe('Pay once: an accepted create whose answer is absurdly large', () => {
	const padding = 'x'.repeat(3 * 1024 * 1024);

	it.each([
		['HTTP 200 with a task id', 200, `{"data":{"task_id":"n2_seedance","padding":"${padding}"}}`],
		['HTTP 500', 500, `{"message":"${padding}"}`],
	])(
		'%s and 3 MB of body: read no further than 1 MB, the item fails as may have been made, sent once',
		async (_name, code, body) => {
			emulator.inject('create', { kind: 'status', code, body });
			const error = await generateOnce();
			expect(emulator.count('create')).toBe(1);
			expect(error?.message).toBe('API in One sent an answer the node could not read');
			expect(error?.description).toContain('may or may not have been created (and charged)');
			expect(JSON.stringify(error).length).toBeLessThan(100_000);
		},
	);
});

describe('A create answer read from its stream reads as axios would', () => {
	const created = '{"code":200,"message":"success","data":{"task_id":"bom_seedance"}}';

	it('a create answered with a UTF-8 byte order mark is read: its task is not lost', async () => {
		emulator.inject('create', {
			kind: 'body',
			body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(created)]),
			contentType: 'application/json; charset=utf-8',
		});
		const error = await generateOnce();
		expect(emulator.count('create')).toBe(1);
		// Read: the node went on to ask for that task (unknown to the emulator).
		expect(error?.message).toBe('Task bom_seedance was not found (HTTP 404)');
	});

	it('HTTP 400 with 3 MB of body is a refusal by its status: nothing was made', async () => {
		emulator.inject('create', {
			kind: 'status',
			code: 400,
			body: `{"message":"${'x'.repeat(3 * 1024 * 1024)}"}`,
		});
		const error = await generateOnce();
		expect(emulator.count('create')).toBe(1);
		expect(error?.message).toContain('HTTP 400');
		expect(error?.description).not.toContain('may or may not have been created');
	});
});
