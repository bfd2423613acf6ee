/**
 * A download is a video or an error, and bounded: what a result link returns is checked before
 * and while n8n stores it (type, the container's structure, a size the binary data mode holds),
 * within one deadline and at most 6 requests, through Generate in n8n-core against the emulator.
 */
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData } from 'n8n-workflow';

import { videoFileName } from '../../../../nodes/shared/download/download';
import {
	resetBinaryDataMode,
	useBinaryDataMode,
	type BinaryMode,
} from '../../../harness/binaryData';
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { SAMPLE_MP4 } from '../../../emulator/server';
import { FAST, useEmulator } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 200 });
const MB = 1048576;

async function generate({ waitForCompletion, ...options }: Record<string, unknown> = {}) {
	const node = seedanceNode({
		resource: 'video',
		operation: 'generate',
		prompt: 'A dancer',
		waitForCompletion: waitForCompletion ?? true,
		options: { ...FAST, ...options },
	});
	const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
		credentials: credentials(),
	});
	const [task] = emulator.tasks.values();
	const downloads = emulator.requests.filter((request) => request.route === 'download');
	return {
		result,
		error: result.errorOf('Seedance'),
		taskId: task?.taskId,
		downloads,
		binary: result.output('Seedance')[0]?.binary?.data as IBinaryData | undefined,
		endedAt: Date.now(),
	};
}

/** An MP4 `ftyp` box of `size` bytes (brand isom). */
function ftyp(size = 24): Buffer {
	const box = Buffer.alloc(size);
	box.writeUInt32BE(size);
	box.write('ftypisom', 4, 'latin1');
	return box;
}

async function storedBytes(binary: IBinaryData): Promise<Buffer> {
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

beforeEach(() => {
	emulator.options.downloadBytes = SAMPLE_MP4.length;
});

afterEach(async () => {
	await resetBinaryDataMode();
});

describe('downloads: only a video is stored', () => {
	it('stores a video whose bytes came in one packet with the headers (before the check went on)', async () => {
		// One write: headers and the whole MP4 reach the socket together, as small files often do.
		emulator.inject('download', {
			kind: 'status',
			code: 200,
			headers: { 'content-type': 'video/mp4', 'content-length': String(SAMPLE_MP4.length) },
			body: SAMPLE_MP4,
		});
		const { error, binary } = await generate();
		expect(error).toBeUndefined();
		expect((await storedBytes(binary!)).equals(SAMPLE_MP4)).toBe(true);
	});

	it('refuses a 200 "link expired" HTML page, quoting it and naming the task, without trying again', async () => {
		emulator.inject('download', {
			kind: 'status',
			code: 200,
			body: '<html><body>Link expired</body></html>',
		});
		const { error, taskId, downloads } = await generate();
		expect(error?.message).toBe(`The video link of task ${taskId} did not return a video`);
		expect(error?.description).toContain('text/html: "<html><body>Link expired</body></html>"');
		expect(downloads).toHaveLength(1);
	});

	it('quotes the first 200 characters of a long page that is not a video, its spaces folded, without reading on', async () => {
		const page = `<html>\n\n  <body>${'Link expired. '.repeat(20_000)}</body></html>`;
		// 100 bytes every 100 ms: the whole page would take minutes, past the 10 s deadline.
		emulator.inject('download', {
			kind: 'drip',
			chunkBytes: 100,
			everyMs: 100,
			body: Buffer.from(page),
			contentType: 'text/html',
		});
		const { error, taskId } = await generate({ requestTimeout: 10 });
		expect(error?.message).toBe(`The video link of task ${taskId} did not return a video`);
		const quoted = /text\/html: "(.*)"\. The link/.exec(error?.description ?? '')?.[1] ?? '';
		expect(quoted.startsWith('<html> <body>Link expired. Link expired.')).toBe(true);
		expect(quoted.length).toBeLessThanOrEqual(201);
		expect(quoted.length).toBeGreaterThan(150); // its first 200 characters, spaces folded
		expect(quoted).not.toMatch(/\s\s/);
	});

	it('refuses an empty answer announced as a video, saying it is too short, without trying again', async () => {
		emulator.inject('download', { kind: 'body', body: Buffer.alloc(0), contentType: 'video/mp4' });
		const { error, taskId, downloads } = await generate();
		expect(error?.message).toBe(`The video link of task ${taskId} did not return a video`);
		expect(error?.description).toContain('0 bytes, too few for a video');
		expect(downloads).toHaveLength(1);
	});

	it('quotes a page without the blank lines around it', async () => {
		emulator.inject('download', {
			kind: 'body',
			body: Buffer.from('\n\n  <html>Link expired</html>\n'),
			contentType: 'text/html',
		});
		const { error } = await generate();
		expect(error?.description).toContain('text/html: "<html>Link expired</html>". The link');
	});

	it('refuses an empty page, naming its type only', async () => {
		emulator.inject('download', { kind: 'body', body: Buffer.alloc(0), contentType: 'text/html' });
		const { error, taskId } = await generate();
		expect(error?.message).toBe(`The video link of task ${taskId} did not return a video`);
		expect(error?.description).toContain('It returned text/html. The link may have expired');
	});

	/** The sample with a QuickTime brand: the same boxes, found to be video/quicktime. */
	const quickTime = Buffer.from(SAMPLE_MP4);
	quickTime.write('qt  ', 8, 'latin1');

	it.each([
		['video/quicktime', 'video/quicktime', SAMPLE_MP4],
		['application/octet-stream', 'video/mp4', SAMPLE_MP4],
		['application/octet-stream', 'video/quicktime', quickTime],
	])('stores a video labelled %s as %s', async (contentType, mimeType, body) => {
		emulator.inject('download', { kind: 'body', body, contentType });
		const { error, binary } = await generate();
		expect(error).toBeUndefined();
		expect(binary?.mimeType).toBe(mimeType);
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

	it('refuses a 12-byte "ftyp" polyglot: a box too small for a file header, HTML behind it', async () => {
		const polyglot = Buffer.concat([ftyp(12), Buffer.from('<html><body>hello</body></html>')]);
		emulator.inject('download', { kind: 'body', body: polyglot });
		const { error, taskId, downloads } = await generate();
		expect(error?.message).toBe(`The video link of task ${taskId} did not return a video`);
		expect(error?.description).toContain('an "ftyp" box of 12 bytes, not a video file header');
		expect(downloads).toHaveLength(1);
	});

	it('refuses HTML behind a valid "ftyp" box: what follows is no MP4 box', async () => {
		const page = Buffer.concat([ftyp(24), Buffer.from('<html><body>hello</body></html>')]);
		emulator.inject('download', { kind: 'body', body: page });
		const { error } = await generate();
		expect(error?.description).toContain('a "l><b" box where an MP4 has none');
		expect(error?.description).toContain('they start with "....ftypisom');
	});

	it('refuses the start of a real MP4 whose boxes do not add up to what arrived', async () => {
		emulator.inject('download', {
			kind: 'body',
			body: SAMPLE_MP4.subarray(0, 1500),
			announce: null,
		});
		const { error } = await generate();
		expect(error?.description).toContain(
			'a cut file: its boxes declare 2115 bytes but 1500 arrived',
		);
	});

	it('refuses a box that declares more bytes than the link announced, before storing', async () => {
		emulator.inject('download', { kind: 'body', body: SAMPLE_MP4.subarray(0, 600), announce: 600 });
		const { error } = await generate();
		expect(error?.description).toContain(
			'a "moov" box ending at byte 933, past the 600 bytes the link announced',
		);
	});

	it.each([
		['data:', 'data:video/mp4;base64,AAAAGGZ0eXBtcDQy'],
		['file:', 'file:///etc/passwd'],
		['ftp:', 'ftp://files.example.com/v.mp4'],
		// A scheme is quoted to its first 20 characters.
		['abcdefghijklmnopqrst:', `${'abcdefghijklmnopqrst'.repeat(3)}://files.example.com/v.mp4`],
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
		const { error, binary } = await generate();
		expect(error).toBeUndefined();
		expect(binary).toMatchObject({ mimeType: 'video/mp4' });
		expect((await storedBytes(binary as IBinaryData)).equals(SAMPLE_MP4)).toBe(true);
	});

	it('stores a real video that arrives one byte at a time', async () => {
		emulator.inject('download', { kind: 'drip', chunkBytes: 1, everyMs: 0 });
		// 2,115 writes of one byte: on a loaded machine that outlasts the 5 s of FAST.
		const { error, binary } = await generate({ requestTimeout: 60 });
		expect(error).toBeUndefined();
		expect((await storedBytes(binary as IBinaryData)).equals(SAMPLE_MP4)).toBe(true);
	});
});

describe('downloads: one deadline for the whole download', () => {
	it.each([
		['a body that drips', { chunkBytes: 100, everyMs: 150 }],
		['headers that never come', { chunkBytes: 4096, everyMs: 0, headersAfterMs: 5000 }],
	])('stops %s at Request Timeout, saying the video host was too slow', async (_what, drip) => {
		emulator.inject('download', { kind: 'drip', ...drip });
		const { error, taskId, downloads, endedAt } = await generate({ requestTimeout: 1 });
		expect(error?.message).toBe(
			`The video host was too slow: the video of task ${taskId} did not arrive within 1 s`,
		);
		expect(error?.description).toContain(`Get Status (or a Seedance Wait node`);
		expect(error?.description).toContain(`task ID ${taskId}`);
		expect(error?.description).toContain('raise "Request Timeout"');
		expect(downloads).toHaveLength(1);
		// The deadline runs from the download's start; the rest is the engine ending the run.
		expect(endedAt - downloads[0].at).toBeLessThan(1000 + 500);
	});
});

describe('downloads: at most 5 redirects, 6 requests in all', () => {
	const hop = (location: string) => ({ kind: 'redirect' as const, location });

	it('a redirect loop costs 6 requests and says so, never "Base URL"', async () => {
		emulator.faultSource = (route, request) =>
			route === 'download' ? hop(request.path) : undefined;
		const { error, taskId, downloads } = await generate();
		expect(error?.message).toBe(
			`The video link for task ${taskId} redirected more than 5 times (HTTP 302)`,
		);
		expect(`${error?.message} ${error?.description}`).not.toContain('Base URL');
		expect(downloads).toHaveLength(6);
	});

	it('follows 5 redirects to the video (6 requests), and refuses the 6th', async () => {
		emulator.inject('download', ...Array.from({ length: 5 }, (_, index) => hop(`?hop=${index}`)));
		const five = await generate();
		expect(five.error).toBeUndefined();
		expect(five.downloads).toHaveLength(6);
		emulator.reset();
		emulator.inject('download', ...Array.from({ length: 6 }, (_, index) => hop(`?hop=${index}`)));
		const six = await generate();
		expect(six.error?.message).toContain('redirected more than 5 times');
		expect(six.downloads).toHaveLength(6);
	});

	it('a retried hop goes on from where it was, not from the start of the chain', async () => {
		emulator.inject('download', hop('?hop=1'), { kind: 'status', code: 503 }, hop('?hop=2'));
		const { error, downloads, binary } = await generate();
		expect(downloads.map((request) => request.path.replace(/^\/files\/[^?]+/, ''))).toEqual([
			'?expires=later',
			'?hop=1',
			'?hop=1',
			'?hop=2',
		]);
		expect(error).toBeUndefined();
		expect(binary).toMatchObject({ mimeType: 'video/mp4' });
	});

	it.each([
		['ftp://files.example.com/v.mp4', 'redirected to a ftp: address, which is not a web address'],
		['data:text/html,<b>hi</b>', 'redirected to a data: address, which is not a web address'],
	])('refuses a redirect to %s, in 1 request', async (location, message) => {
		emulator.inject('download', hop(location));
		const { error, downloads } = await generate();
		expect(error?.message).toContain(message);
		expect(downloads).toHaveLength(1);
	});

	it('sends the key to a link on the Base URL origin only, never to where it redirects, even back there', async () => {
		emulator.options.filesOnApiOrigin = true;
		emulator.inject(
			'download',
			hop(`${emulator.cdnUrl}/files/x.mp4`),
			hop(`${emulator.url}/files/x.mp4`),
		);
		await generate();
		const downloads = emulator.requests.filter((request) => request.route === 'download');
		expect(downloads.map((request) => [request.origin, request.sawAuthorizationHeader])).toEqual([
			['api', true],
			['cdn', false],
			['api', false],
		]);
	});

	it('a link on another host that redirects to the Base URL origin: no key there, nor on a retry from there', async () => {
		const { taskId } = await generate({ waitForCompletion: false });
		emulator.requests.length = 0;
		const file = `${emulator.url}/files/${taskId}.mp4?expires=later`;
		// The API origin's answer breaks off: the retry starts where the redirect led.
		emulator.inject('download', hop(file), { kind: 'cut' });
		const node = seedanceNode({ resource: 'video', operation: 'wait', taskId, options: FAST });
		const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')).toBeUndefined();
		const downloads = emulator.requests.filter((request) => request.route === 'download');
		expect(downloads.map((request) => [request.origin, request.sawAuthorizationHeader])).toEqual([
			['cdn', false],
			['api', false],
			['api', false],
		]);
	});
});

describe.each<[BinaryMode, string, number, string]>([
	[
		'default',
		'in-memory ("default") binary data mode',
		400,
		'which holds about 300 MB safely. Set N8N_DEFAULT_BINARY_DATA_MODE=filesystem (or s3) and restart n8n,',
	],
	[
		'database',
		'database binary data mode',
		600,
		'up to N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (512 MB unless raised, 1024 MB at most; the limit here is 512 MB). Set N8N_DEFAULT_BINARY_DATA_MODE=s3, or raise that limit and Max Video Size,',
	],
	[
		'filesystem',
		'larger than the automatic Max Video Size (2048 MB)',
		2100,
		'Raise Max Video Size',
	],
	['s3', 'larger than the automatic Max Video Size (2048 MB)', 2100, 'Raise Max Video Size'],
])('downloads in binary data mode "%s": a size the mode holds', (mode, name, sizeMb, advice) => {
	beforeEach(async () => {
		await useBinaryDataMode(mode);
	});

	it.each([
		['announced by Content-Length', true],
		['declared by the video while it streams', false],
	])(
		`refuses a ${sizeMb} MB video, its size %s, at once and once`,
		async (_how, announceLength) => {
			Object.assign(emulator.options, { downloadBytes: sizeMb * MB, announceLength });
			const started = Date.now();
			const { error, taskId, downloads } = await generate();
			expect(error?.message).toContain(`The video of task ${taskId} is`);
			expect(error?.message).toContain(name);
			expect(error?.description).toContain(advice);
			expect(error?.description).toContain(
				announceLength
					? `It is ${sizeMb} MB (${sizeMb * MB} bytes).`
					: `It is ${sizeMb * MB} bytes by its own header.`,
			);
			expect(error?.description).toContain('it was not downloaded');
			expect(downloads).toHaveLength(1);
			expect(Date.now() - started).toBeLessThan(5000);
		},
	);

	it('counts the bytes that arrive against Max Video Size when nothing declares a size', async () => {
		// A video of 3 MB announcing no length, its last box "to the end of the file".
		const body = Buffer.concat([
			SAMPLE_MP4.subarray(0, 941),
			Buffer.alloc(8),
			Buffer.alloc(3 * MB),
		]);
		body.write('mdat', 945, 'latin1');
		emulator.inject('download', { kind: 'body', body, announce: null });
		const { error, taskId, downloads } = await generate({ maxVideoSize: 1 });
		expect(error?.message).toBe(
			`The video of task ${taskId} is larger than the Max Video Size (1 MB)`,
		);
		expect(error?.description).toContain('It is more than 1 MB');
		expect(downloads).toHaveLength(1);
	});

	it('stores a real video', async () => {
		const { error, binary } = await generate();
		expect(error).toBeUndefined();
		expect(binary?.id?.split(':')[0] ?? 'default').toBe(
			mode === 'filesystem' ? 'filesystem-v2' : mode,
		);
		expect((await storedBytes(binary as IBinaryData)).equals(SAMPLE_MP4)).toBe(true);
	});
});

describe('downloads: Max Video Size never above what the mode holds', () => {
	it('caps a Max Video Size of 2048 MB at what the in-memory mode holds', async () => {
		await useBinaryDataMode('default');
		Object.assign(emulator.options, { downloadBytes: 400 * MB, announceLength: true });
		const { error } = await generate({ maxVideoSize: 2048 });
		expect(error?.message).toContain('in-memory ("default") binary data mode');
		expect(error?.description).toContain('It is 400 MB');
		expect(error?.description).toContain('which holds about 384 MB safely');
	});

	it('takes a mode it cannot learn (its empty probe file refused) as in-memory, the smallest', async () => {
		await useBinaryDataMode('filesystem');
		const service = Container.get(BinaryDataService);
		const store = service.store.bind(service);
		jest.spyOn(service, 'store').mockImplementation(async (location, data, metadata) => {
			if (Buffer.isBuffer(data) && data.length === 0) throw new Error('read-only file system');
			return await store(location, data, metadata);
		});
		Object.assign(emulator.options, { downloadBytes: 400 * MB, announceLength: true });
		try {
			const { error } = await generate({ maxVideoSize: 2048 });
			expect(error?.message).toContain('in-memory ("default") binary data mode');
		} finally {
			jest.restoreAllMocks();
		}
	});

	it('caps a Max Video Size of 2048 MB at what the database mode holds', async () => {
		await useBinaryDataMode('database');
		Object.assign(emulator.options, { downloadBytes: 1100 * MB, announceLength: true });
		const { error } = await generate({ maxVideoSize: 2048 });
		expect(error?.message).toContain('database binary data mode');
		expect(error?.description).toContain('It is 1100 MB');
		expect(error?.description).toContain('the limit here is 1024 MB');
	});

	it('takes a Max Video Size of exactly what the in-memory mode holds as it is', async () => {
		Object.assign(emulator.options, { downloadBytes: 400 * MB, announceLength: true });
		const { error, taskId } = await generate({ maxVideoSize: 384 });
		expect(error?.message).toBe(
			`The video of task ${taskId} is larger than the Max Video Size (384 MB)`,
		);
	});

	it.each([
		['announced', true],
		['counted as it arrives', false],
	])('stores a video of exactly Max Video Size, its size %s', async (_how, announceLength) => {
		Object.assign(emulator.options, { downloadBytes: MB, announceLength });
		const { error, binary } = await generate({ maxVideoSize: 1 });
		expect(error).toBeUndefined();
		expect(binary?.bytes ?? (await storedBytes(binary as IBinaryData)).length).toBe(MB);
	});

	it('takes a Max Video Size below the automatic size as it is', async () => {
		Object.assign(emulator.options, { downloadBytes: 3 * MB, announceLength: true });
		const { error, taskId } = await generate({ maxVideoSize: 1 });
		expect(error?.message).toBe(
			`The video of task ${taskId} is larger than the Max Video Size (1 MB)`,
		);
		expect(error?.description).toContain('It is 3 MB (3145728 bytes)');
	});
});

describe('downloads: what each failure tells the user', () => {
	afterEach(() => jest.restoreAllMocks());

	it('a download that breaks off three times names the tries, the last error and the way to fetch it', async () => {
		emulator.inject('download', { kind: 'cut' }, { kind: 'cut' }, { kind: 'cut' });
		// Time to spare for a fourth try: three is the limit, not the deadline.
		const { error, taskId, downloads } = await generate({ requestTimeout: 30 });
		expect(error?.message).toBe(`The download of the video of task ${taskId} broke off`);
		expect(error?.description).toContain(
			`The video is made and paid for. Fetch it again before its link expires: a Seedance Wait node with Download Video on, on task ID ${taskId}. The node tried 3 times; the last error: `,
		);
		expect(downloads).toHaveLength(3);
		// One second before the second try, two before the third (lower bounds: a busy machine adds).
		expect(downloads[1].at - downloads[0].at).toBeGreaterThanOrEqual(1000);
		expect(downloads[2].at - downloads[1].at).toBeGreaterThanOrEqual(2000);
	});

	it('a download that breaks off with no time left for a pause before the deadline is not tried again', async () => {
		emulator.inject('download', { kind: 'cut' }, { kind: 'cut' });
		const { error, taskId, downloads } = await generate({ requestTimeout: 1 });
		expect(error?.message).toBe(`The download of the video of task ${taskId} broke off`);
		expect(error?.description).toContain('The node tried 1 times');
		expect(downloads).toHaveLength(1);
	});

	it('redirects and tries share 6 requests: a third try is not started with none left', async () => {
		const hop = (location: string) => ({ kind: 'redirect' as const, location });
		emulator.inject(
			'download',
			hop('?hop=1'),
			hop('?hop=2'),
			{ kind: 'cut' },
			hop('?hop=3'),
			hop('?hop=4'),
			{ kind: 'cut' },
		);
		const { error, taskId, downloads } = await generate();
		expect(error?.message).toBe(`The download of the video of task ${taskId} broke off`);
		expect(error?.description).toContain('The node tried 2 times');
		expect(downloads).toHaveLength(6);
	});

	it('a video that arrived whole but that n8n could not store says so, not that the link failed', async () => {
		const service = Container.get(BinaryDataService);
		jest.spyOn(service, 'store').mockImplementation(async (_location, bufferOrStream) => {
			for await (const _chunk of bufferOrStream as AsyncIterable<Buffer>);
			throw new Error('no space left on device');
		});
		const { error, taskId, downloads } = await generate();
		expect(error?.message).toBe(`n8n could not store the video of task ${taskId}`);
		expect(error?.description).toBe(
			`The whole video arrived, but n8n's binary data storage refused it: no space left on device. Check n8n's binary data mode and its limits (N8N_DEFAULT_BINARY_DATA_MODE, N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE), then fetch it with a Seedance Wait node (Download Video on) or Get Status on task ID ${taskId} before its link expires. The video is made and paid for; it was not downloaded.`,
		);
		expect(downloads).toHaveLength(1);
	});
});

describe('downloads: the binary data mode is learnt once per node run, and only when needed', () => {
	afterEach(() => jest.restoreAllMocks());

	const probesDuring = async (announceLength: boolean) => {
		await useBinaryDataMode('filesystem');
		emulator.options.announceLength = announceLength;
		const store = jest.spyOn(Container.get(BinaryDataService), 'store');
		const node = seedanceNode({
			resource: 'video',
			operation: 'generate',
			prompt: 'A dancer',
			waitForCompletion: true,
			options: FAST,
		});
		const result = await runWorkflow([itemsNode([{ json: {} }, { json: {} }]), node], {
			credentials: credentials(),
		});
		expect(result.output('Seedance').map((item) => item.binary?.data?.bytes)).toEqual([
			SAMPLE_MP4.length,
			SAMPLE_MP4.length,
		]);
		return store.mock.calls.filter(([, data]) => Buffer.isBuffer(data) && data.length === 0).length;
	};

	it('two videos of unknown size: one empty file stored to learn it', async () => {
		expect(await probesDuring(false)).toBe(1);
	});

	it('two videos announced small: none', async () => {
		expect(await probesDuring(true)).toBe(0);
	});
});

describe('downloads: the video file name', () => {
	it('is the task ID, made safe for a file name', async () => {
		const { binary, taskId } = await generate();
		expect(binary?.fileName).toBe(`${taskId}.mp4`);
		expect(videoFileName('a/b c:d..e')).toBe('a_b_c_d..e.mp4');
		expect(videoFileName('x'.repeat(130))).toBe(`${'x'.repeat(120)}.mp4`);
		expect(videoFileName('')).toBe('seedance.mp4');
		expect(videoFileName('日本')).toBe('_.mp4');
	});
});
