/**
 * Generated download attacks: random redirect chains, status codes, drip rates, body prefixes
 * and sizes, announced lengths that lie, thrown at a Wait node in n8n-core's engine. Every
 * download either stores a real video within the size limit or fails with a clear error naming
 * the task; it never costs more than 6 requests, never runs much past its deadline, and never
 * sends the key to another origin.
 */
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData } from 'n8n-workflow';

import { SAMPLE_MP4, type Fault } from '../../../emulator/server';
import { generatedTaskId, itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { leaks, useEmulator } from '../../../helpers';
import { checkProperty, fc } from '../../../property';

const { emulator, credentials } = useEmulator({ latencyMs: 0 });
const MB = 1048576;
const DEADLINE_MS = 1000;
/** What the engine adds after the download (ending the run), on a busy machine. */
const MARGIN_MS = 1000;

/** The sample followed by a "free" box: a valid MP4 of 1.5 MB. */
const BIG = (() => {
	const free = Buffer.alloc(1.5 * MB - SAMPLE_MP4.length);
	free.writeUInt32BE(free.length);
	free.write('free', 4, 'latin1');
	return Buffer.concat([SAMPLE_MP4, free]);
})();

const BODIES: Record<string, Buffer> = {
	sample: SAMPLE_MP4,
	big: BIG,
	polyglot12: Buffer.concat([
		Buffer.from('0000000c6674797069736f6d', 'hex'),
		Buffer.from('<html>hi</html>'),
	]),
	ftypThenHtml: Buffer.concat([
		SAMPLE_MP4.subarray(0, 32),
		Buffer.from('<html><body>x</body></html>'),
	]),
	html: Buffer.from('<!doctype html><html><body>Link expired</body></html>'),
	truncated: SAMPLE_MP4.subarray(0, 1200),
	ebmlJunk: Buffer.concat([Buffer.from('1a45dfa39f4282847765626d', 'hex'), Buffer.alloc(40, 0x41)]),
	tiny: Buffer.from('ftyp'),
};
const REAL_VIDEOS = [SAMPLE_MP4, BIG];

type Step =
	| { kind: 'redirect'; to: 'relative' | 'cdn' | 'api' | 'ftp' | 'data' | 'nowhere' }
	| { kind: 'status'; code: number }
	| { kind: 'drip'; chunkBytes: number; everyMs: number; headersAfterMs: number; body: string }
	| { kind: 'body'; body: string; announce: 'exact' | 'shorter' | 'longer' | 'none' }
	| { kind: 'cut' }
	| { kind: 'reset' };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
	fc.record({
		kind: fc.constant('redirect' as const),
		to: fc.constantFrom('relative', 'cdn', 'api', 'ftp', 'data', 'nowhere'),
	}),
	fc.record({
		kind: fc.constant('status' as const),
		code: fc.constantFrom(200, 403, 404, 410, 429, 500, 503),
	}),
	fc.record({
		kind: fc.constant('drip' as const),
		chunkBytes: fc.integer({ min: 64, max: 8192 }),
		everyMs: fc.integer({ min: 0, max: 120 }),
		headersAfterMs: fc.constantFrom(0, 0, 0, 1500),
		body: fc.constantFrom('sample', 'html', 'truncated'),
	}),
	fc.record({
		kind: fc.constant('body' as const),
		body: fc.constantFrom(...Object.keys(BODIES)),
		announce: fc.constantFrom('exact', 'shorter', 'longer', 'none'),
	}),
	fc.constant({ kind: 'cut' as const }),
	fc.constant({ kind: 'reset' as const }),
);

function faultOf(step: Step, index: number, taskId: string): Fault {
	const file = `/files/${taskId}.mp4?h=${index}`;
	if (step.kind === 'redirect') {
		const location = {
			relative: `?h=${index}`,
			cdn: `${emulator.cdnUrl}${file}`,
			api: `${emulator.url}${file}`,
			ftp: 'ftp://files.example.com/v.mp4',
			data: 'data:text/html,<b>hi</b>',
			nowhere: '',
		}[step.to];
		return location ? { kind: 'redirect', location } : { kind: 'status', code: 302, body: '' };
	}
	if (step.kind === 'drip') return { ...step, body: BODIES[step.body] };
	if (step.kind === 'body') {
		const body = BODIES[step.body];
		const announce = {
			exact: body.length,
			shorter: Math.max(0, body.length - 100),
			longer: body.length + 100,
			none: null,
		}[step.announce];
		return { kind: 'body', body, announce };
	}
	return step;
}

let taskId = '';
beforeEach(async () => {
	// After the emulator's own reset, which forgets its tasks.
	taskId = await generatedTaskId(credentials());
});

function waitNode(options: Record<string, unknown> = {}) {
	return seedanceNode({
		resource: 'video',
		operation: 'wait',
		taskId,
		options: { pollInterval: 0.1, maxWaitTime: 20, requestTimeout: DEADLINE_MS / 1000, ...options },
	});
}

it("a download stores a real video within its limit or fails clearly, within 6 requests, the deadline, and the key's origin", async () => {
	// One plain download first: what n8n loads on its first use is not the download's time.
	const warm = await runWorkflow([itemsNode([{ json: {} }]), waitNode()], {
		credentials: credentials(),
	});
	expect(warm.errorOf('Seedance')).toBeUndefined();
	await checkProperty(
		'downloads are bounded',
		fc.asyncProperty(
			fc.array(stepArbitrary, { maxLength: 8 }),
			fc.boolean(),
			fc.constantFrom(0, 1),
			async (steps, filesOnApiOrigin, maxVideoSize) => {
				emulator.requests.length = 0;
				emulator.faults.download.length = 0;
				emulator.options.filesOnApiOrigin = filesOnApiOrigin;
				emulator.inject('download', ...steps.map((step, index) => faultOf(step, index, taskId)));
				const node = waitNode({ maxVideoSize });
				// A download that never ends fails the case (with its replay) instead of the whole test.
				let timer: NodeJS.Timeout | undefined;
				const result = await Promise.race([
					runWorkflow([itemsNode([{ json: {} }]), node], { credentials: credentials() }),
					new Promise<never>((_, reject) => {
						timer = setTimeout(() => reject(new Error('the download never ended')), 10_000);
					}),
				]).finally(() => clearTimeout(timer));
				const ended = Date.now();
				const downloads = emulator.requests.filter((request) => request.route === 'download');
				const error = result.errorOf('Seedance');
				const binary = result.output('Seedance')[0]?.binary?.data as IBinaryData | undefined;

				expect(downloads.length).toBeGreaterThanOrEqual(1);
				expect(downloads.length).toBeLessThanOrEqual(6);
				expect(ended - downloads[0].at).toBeLessThan(DEADLINE_MS + MARGIN_MS);
				for (const request of downloads)
					if (request.origin === 'cdn') expect(request.sawAuthorizationHeader).toBe(false);
				if (error) {
					expect(error.message).toContain(taskId);
					expect(error.description).toBeTruthy();
					expect(`${error.message} ${error.description}`).not.toContain('Base URL');
					expect(leaks(error, emulator.apiKey)).toBe(false);
				} else {
					const stored = await Container.get(BinaryDataService).getAsBuffer(binary as IBinaryData);
					expect(REAL_VIDEOS.some((video) => video.equals(stored))).toBe(true);
					if (maxVideoSize) expect(stored.length).toBeLessThanOrEqual(maxVideoSize * MB);
				}
			},
		),
		25,
	);
});

/** A valid MP4 of `bytes` whose last box runs "to the end of the file": nothing declares its size. */
function openEndedVideo(bytes: number): Buffer {
	const video = Buffer.concat([SAMPLE_MP4.subarray(0, 941), Buffer.alloc(bytes - 941)]);
	video.write('mdat', 945, 'latin1');
	return video;
}

it('a video that declares no size is held to Max Video Size as its bytes arrive, however they are cut', async () => {
	await checkProperty(
		'sizes counted as bytes arrive',
		fc.asyncProperty(
			fc.integer({ min: MB / 2, max: 3 * MB }),
			fc.constantFrom(1, 2),
			fc.option(fc.integer({ min: 16 * 1024, max: 512 * 1024 }), { nil: undefined }),
			async (bytes, maxVideoSize, chunkBytes) => {
				emulator.requests.length = 0;
				emulator.faults.download.length = 0;
				const body = openEndedVideo(bytes);
				emulator.inject(
					'download',
					chunkBytes === undefined
						? { kind: 'body', body, announce: null }
						: { kind: 'drip', body, chunkBytes, everyMs: 0, headersAfterMs: 0 },
				);
				const result = await runWorkflow([itemsNode([{ json: {} }]), waitNode({ maxVideoSize })], {
					credentials: credentials(),
				});
				const error = result.errorOf('Seedance');
				if (bytes > maxVideoSize * MB) {
					expect(error?.message).toBe(
						`The video of task ${taskId} is larger than the Max Video Size (${maxVideoSize} MB)`,
					);
				} else {
					expect(error).toBeUndefined();
					const binary = result.output('Seedance')[0]?.binary?.data as IBinaryData;
					const stored = await Container.get(BinaryDataService).getAsBuffer(binary);
					expect(stored.equals(body)).toBe(true);
				}
			},
		),
		15,
	);
});
