/**
 * Opening a video link (download/openVideo.ts) through a Wait node in n8n-core's engine against
 * the emulator: which answers are the video, which a redirect to follow, which the host's refusal,
 * and the type a video is stored with.
 */
import type { IBinaryData } from 'n8n-workflow';

import type { Fault } from '../../../emulator/server';
import { SAMPLE_MP4 } from '../../../emulator/server';
import { generatedTaskId, itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { FAST, useEmulator, waitFor } from '../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 0 });

let taskId = '';
beforeEach(async () => {
	taskId = await generatedTaskId(credentials());
	emulator.requests.length = 0;
});

/** Waits for the task and downloads its video, the link answering with `faults` first. */
async function download(...faults: Fault[]) {
	emulator.inject('download', ...faults);
	const node = seedanceNode({ resource: 'video', operation: 'wait', taskId, options: FAST });
	const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
		credentials: credentials(),
	});
	return {
		error: result.errorOf('Seedance'),
		binary: result.output('Seedance')[0]?.binary?.data as IBinaryData | undefined,
		requests: emulator.requests.filter((request) => request.route === 'download').length,
	};
}

const cdnFile = () => `${emulator.cdnUrl}/files/${taskId}.mp4?expires=later`;

describe.each([
	['on another host (no key)', false],
	["on the service's own origin (sent with the key)", true],
])('a video link %s: an answer given up has its connection closed', (_where, ownOrigin) => {
	// A body that would drip for a minute: the node closes it at once, not when the host is done.
	const endless = { kind: 'drip' as const, chunkBytes: 1, everyMs: 30, contentType: 'text/html' };
	beforeEach(() => (emulator.options.filesOnApiOrigin = ownOrigin));
	afterEach(() => (emulator.options.filesOnApiOrigin = false));

	it('a refusal whose body never ends', async () => {
		const { error } = await download({ ...endless, status: 403 });
		expect(error?.message).toContain('(HTTP 403)');
		await waitFor(() => emulator.dripsUnderWay === 0, 10_000, 'the refusal to be closed');
	});

	it('a redirect whose body never ends: the hop is followed', async () => {
		const { error, binary } = await download({
			...endless,
			status: 302,
			headers: { location: cdnFile() },
		});
		expect(error).toBeUndefined();
		expect(binary?.fileSize).toBeDefined();
		await waitFor(() => emulator.dripsUnderWay === 0, 10_000, 'the redirect to be closed');
	});

	it('a video that stalls after its first bytes ends at Request Timeout, not when the host does', async () => {
		emulator.inject('download', { kind: 'drip', chunkBytes: 64, everyMs: 120_000 });
		const node = seedanceNode({
			resource: 'video',
			operation: 'wait',
			taskId,
			options: { ...FAST, requestTimeout: 1 },
		});
		const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')?.message).toContain('The video host was too slow');
		await waitFor(() => emulator.dripsUnderWay === 0, 10_000, 'the stalled video to be closed');
	});
});

describe('what a video link answers', () => {
	it('HTTP 400 is the host refusing, not a redirect without an address: 1 request', async () => {
		const { error, requests } = await download({ kind: 'status', code: 400 });
		expect(error?.message).toBe(`The video host for task ${taskId} had a problem (HTTP 400)`);
		expect(requests).toBe(1);
	});

	it('a redirect without a Location says so: 1 request', async () => {
		const { error, requests } = await download({ kind: 'status', code: 302 });
		expect(error?.message).toBe(
			`The video link for task ${taskId} redirected without saying where to (HTTP 302)`,
		);
		expect(requests).toBe(1);
	});

	it('a Location that is no address at all reads as no Location: 1 request', async () => {
		const { error, requests } = await download({ kind: 'redirect', location: 'http://[bad' });
		expect(error?.message).toBe(
			`The video link for task ${taskId} redirected without saying where to (HTTP 302)`,
		);
		expect(requests).toBe(1);
	});

	it('HTTP 300 with a Location is followed like any redirect', async () => {
		const { error, binary, requests } = await download({
			kind: 'redirect',
			code: 300,
			location: cdnFile(),
		});
		expect(error).toBeUndefined();
		expect(binary?.mimeType).toBe('video/mp4');
		expect(requests).toBe(2);
	});

	it('a redirect once 6 requests are spent (a try that broke off, then 5 hops) says so', async () => {
		const hop = { kind: 'redirect' as const, location: cdnFile() };
		const { error, requests } = await download({ kind: 'cut' }, hop, hop, hop, hop, hop);
		expect(error?.message).toBe(
			`The video link for task ${taskId} took more than 6 requests (redirects and retries together) (HTTP 302)`,
		);
		expect(requests).toBe(6);
	});

	it('a host asking to wait past the deadline is refused at once, not waited for', async () => {
		const { error, requests } = await download({
			kind: 'status',
			code: 503,
			retryAfter: '30',
		});
		expect(error?.message).toBe(`The video host for task ${taskId} had a problem (HTTP 503)`);
		expect(requests).toBe(1);
	});

	it('a scheme that only ends in "http" is not a web address', async () => {
		const { error, requests } = await download({
			kind: 'redirect',
			location: 'xhttp://files.example.com/v.mp4',
		});
		expect(error?.message).toBe(
			`The video link for task ${taskId} redirected to a xhttp: address, which is not a web address (http, https) (HTTP 302)`,
		);
		expect(requests).toBe(1);
	});
});

describe('the link itself', () => {
	it('a link on the Base URL origin that broke off is tried again with the key: no redirect was taken', async () => {
		emulator.options.filesOnApiOrigin = true;
		try {
			taskId = await generatedTaskId(credentials());
			emulator.requests.length = 0;
			const { error } = await download({ kind: 'cut' });
			expect(error).toBeUndefined();
			const downloads = emulator.requests.filter((request) => request.route === 'download');
			expect(downloads.map((request) => request.sawAuthorizationHeader)).toEqual([true, true]);
		} finally {
			emulator.options.filesOnApiOrigin = false;
		}
	});

	it('an answer with no Content-Type is judged by its bytes: a real video is stored as MP4', async () => {
		const { error, binary } = await download({ kind: 'body', body: SAMPLE_MP4, contentType: null });
		expect(error).toBeUndefined();
		expect(binary?.mimeType).toBe('video/mp4');
	});

	it('a video without Content-Length is stored whole', async () => {
		const { error, binary } = await download({ kind: 'body', body: SAMPLE_MP4, announce: null });
		expect(error).toBeUndefined();
		expect(binary?.fileSize).toBeDefined();
	});
});

describe('the type a video is stored with', () => {
	it.each([
		['video/mp4; codecs="avc1.42E01E"', 'video/mp4'],
		['video/quicktime ; charset=binary', 'video/quicktime'],
	])('%s is stored as %s', async (contentType, mimeType) => {
		const { error, binary } = await download({ kind: 'body', body: SAMPLE_MP4, contentType });
		expect(error).toBeUndefined();
		expect(binary?.mimeType).toBe(mimeType);
	});
});
