import { callbackToken } from '../../../../../nodes/shared/domain/callbackToken';
import { runWorkflow, seedanceNode, itemsNode } from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';
import { SAMPLE_MP4 } from '../../../../emulator/server';
import { IMAGES } from '../../domain/images';

const { emulator, credentials } = useEmulator();

function generate(parameters: Record<string, unknown> = {}, options: Record<string, unknown> = {}) {
	return seedanceNode({
		resource: 'video',
		operation: 'generate',
		prompt: 'A dancer spinning in the rain',
		options: { ...FAST, ...options },
		...parameters,
	});
}

describe('Generate', () => {
	it('creates a task, waits for it and downloads the MP4 into binary data', async () => {
		const result = await runWorkflow([itemsNode([{ json: {} }]), generate()], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')).toBeUndefined();
		const [item] = result.output('Seedance');
		expect(item.json).toMatchObject({
			state: 'succeeded',
			rawStatus: 'COMPLETED',
			estimatedCredits: 28,
			progress: 100,
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		const binary = item.binary?.data;
		expect(binary).toMatchObject({
			mimeType: 'video/mp4',
			fileName: `${String(item.json.taskId)}.mp4`,
		});
		const bytes = Buffer.from(binary!.data, 'base64');
		expect(bytes.length).toBe(SAMPLE_MP4.length);
		expect(bytes.equals(SAMPLE_MP4)).toBe(true);
		expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
		expect(emulator.count('create')).toBe(1);
		const sent = emulator.requests.find((request) => request.route === 'create')?.body;
		expect(sent).toEqual({
			model: 'seedance-1-5-pro',
			prompt: 'A dancer spinning in the rain',
			aspect_ratio: '16:9',
			resolution: '720p',
			duration: '8',
			generateAudio: false,
			fixedLens: false,
		});
		// The CDN origin must never see the API key.
		expect(
			emulator.requests
				.filter((request) => request.route === 'download')
				.every((request) => !request.sawAuthorizationHeader),
		).toBe(true);
	});
});

describe('Generate: parameters are checked before anything is sent', () => {
	it.each([
		[{ prompt: '={{ $json.missing ?? "" }}' }, 'Prompt is empty'],
		[{ resolution: '1080p' }, 'Resolution "1080p" is not allowed. Use one of: 480p, 720p.'],
		[
			{ aspectRatio: '2:1' },
			'Aspect Ratio "2:1" is not allowed. Use one of: 16:9, 9:16, 4:3, 3:4, 1:1.',
		],
		[{ duration: '5' }, 'Duration "5" is not allowed. Use one of: 4, 8, 12.'],
		[
			{ imageSource: 'url', imageUrl: 'not a url' },
			'Image URL "not a url" is not a valid web address',
		],
		[
			{ imageSource: 'url', imageUrl: 'ftp://x/y.png' },
			'Image URL "ftp://x/y.png" is not a valid web address',
		],
		[
			{ imageSource: 'binary', imageBinaryProperty: 'photo' },
			'Input Binary Field "photo" is not in item 1',
		],
		[
			{ callbackUrl: 'javascript:alert(1)' },
			'Callback URL "javascript:alert(1)" is not a valid web address',
		],
		[{ options: { ...FAST, extraBodyFields: '{oops' } }, 'Extra Body Fields is not valid JSON'],
		[
			{ options: { ...FAST, pollInterval: 0 } },
			'Poll Interval (Seconds) must be a number from 0.1 to 3600',
		],
		[
			{ options: { ...FAST, maxWaitTime: -5 } },
			'Max Wait Time (Seconds) must be a number from 1 to 604800',
		],
		[
			{ options: { ...FAST, binaryPropertyName: ' ' } },
			'Option "Put Output File in Field" is empty',
		],
		[
			// Plain resume hides Callback URL; an expression choosing it leaves a URL typed before.
			{
				callbackUrl: 'https://n8n.example/webhook/x',
				waitMode: '={{ "resume" }}',
				options: { ...FAST },
			},
			'Callback URL must be empty when Wait Mode is "Resume on Callback"',
		],
	])('%p fails with a clear message and sends nothing', async (parameters, message) => {
		const result = await runWorkflow(
			[itemsNode([{ json: {} }, { json: {} }]), generate(parameters)],
			{ credentials: credentials() },
		);
		const error = result.errorOf('Seedance');
		expect(error?.message).toContain(message);
		expect(emulator.requests).toHaveLength(0);
	});

	it('checks every item before the first request: a bad second item stops the whole batch', async () => {
		const node = generate({ resolution: '={{ $json.resolution }}' });
		const result = await runWorkflow(
			[itemsNode([{ json: { resolution: '720p' } }, { json: { resolution: '4k' } }]), node],
			{ credentials: credentials() },
		);
		expect(result.errorOf('Seedance')?.message).toContain('Resolution "4k" is not allowed');
		expect(emulator.requests).toHaveLength(0);
	});

	it('makes what fits the credit budget in input order; the rest are over budget and cost nothing', async () => {
		const items = Array.from({ length: 4 }, () => ({ json: {} }));
		const node = generate({}, { maxCredits: 100, downloadVideo: false });
		node.onError = 'continueErrorOutput';
		const result = await runWorkflow([itemsNode(items), node], { credentials: credentials() });
		const [made, refused] = result.outputs('Seedance');
		expect(made.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(made.map((item) => item.json.executionCredits)).toEqual([84, 84, 84]);
		expect(refused).toHaveLength(1);
		expect(refused[0].pairedItem).toEqual({ item: 3 });
		expect(refused[0].json.error).toBe(
			'Over budget: the video of item 4 (about 28 credits) was not made; this execution already uses 84 of its 100 credits',
		);
		expect(emulator.count('create')).toBe(3);
	});

	it('with Continue On Fail, a bad item becomes an error item and the good ones still run', async () => {
		const node = generate({ duration: '={{ $json.duration }}' }, { downloadVideo: false });
		node.onError = 'continueRegularOutput';
		const result = await runWorkflow(
			[itemsNode([{ json: { duration: '4' } }, { json: { duration: '7' } }]), node],
			{ credentials: credentials() },
		);
		const [ok, bad] = result.output('Seedance');
		expect(ok.json).toMatchObject({ state: 'succeeded', estimatedCredits: 14 });
		expect(bad.json.error).toContain('Duration "7" is not allowed');
		expect(bad.pairedItem).toEqual({ item: 1 });
		expect(emulator.count('create')).toBe(1);
	});
});

describe('Generate: inputs and options', () => {
	it('sends an image from a binary property as a data URI', async () => {
		const png = IMAGES.png.bytes;
		const items = [
			{
				json: {},
				binary: {
					photo: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'p.png' },
				},
			},
		];
		const result = await runWorkflow(
			[
				itemsNode(items),
				generate({
					imageSource: 'binary',
					imageBinaryProperty: 'photo',
					waitForCompletion: false,
				}),
			],
			{ credentials: credentials() },
		);
		expect(result.errorOf('Seedance')).toBeUndefined();
		const sent = emulator.requests.find((request) => request.route === 'create')?.body as Record<
			string,
			unknown
		>;
		expect(sent.image).toBe(`data:image/png;base64,${png.toString('base64')}`);
	});

	it('refuses a binary property that is not an image', async () => {
		const items = [
			{
				json: {},
				binary: { data: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain' } },
			},
		];
		const result = await runWorkflow([itemsNode(items), generate({ imageSource: 'binary' })], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')?.message).toContain(
			'does not hold a JPEG, PNG, WebP or GIF image (it is labelled text/plain)',
		);
		expect(emulator.requests).toHaveLength(0);
	});

	it('sends an image URL, the callback URL and every Seedance field', async () => {
		const parameters = {
			imageSource: 'url',
			imageUrl: 'https://example.com/a.jpg',
			aspectRatio: '9:16',
			resolution: '480p',
			duration: '12',
			generateAudio: true,
			fixedLens: true,
			callbackUrl: 'https://n8n.example/webhook/x',
		};
		const result = await runWorkflow(
			[itemsNode([{ json: {} }]), generate({ ...parameters, waitForCompletion: false })],
			{ credentials: credentials(), webhookBase: 'https://n8n.example/' },
		);
		expect(result.output('Seedance')[0].json).toMatchObject({
			state: 'running',
			rawStatus: 'IN_PROGRESS',
			estimatedCredits: 48,
		});
		expect(emulator.requests[0].body).toEqual({
			model: 'seedance-1-5-pro',
			prompt: 'A dancer spinning in the rain',
			image: 'https://example.com/a.jpg',
			aspect_ratio: '9:16',
			resolution: '480p',
			duration: '12',
			generateAudio: true,
			fixedLens: true,
			callback_url: `https://n8n.example/webhook/x?seedance_token=${callbackToken(emulator.apiKey, 'https://n8n.example/webhook/x')}`,
		});
	});

	it('lets another model id through with its own fields', async () => {
		const result = await runWorkflow(
			[
				itemsNode([{ json: {} }]),
				generate({
					model: 'custom',
					customModel: 'kling-3',
					duration: '={{ 10 }}',
					waitForCompletion: false,
					options: { ...FAST, extraBodyFields: '{"mode":"pro"}' },
				}),
			],
			{ credentials: credentials() },
		);
		expect(result.errorOf('Seedance')).toBeUndefined();
		expect(emulator.requests[0].body).toMatchObject({
			model: 'kling-3',
			duration: '10',
			mode: 'pro',
		});
		expect(result.output('Seedance')[0].json.estimatedCredits).toBeNull();
	});

	it('picks up an existing task instead of paying for a new one', async () => {
		const first = await runWorkflow(
			[itemsNode([{ json: {} }]), generate({ waitForCompletion: false })],
			{ credentials: credentials() },
		);
		const taskId = String(first.output('Seedance')[0].json.taskId);
		const again = await runWorkflow(
			[itemsNode([{ json: {} }]), generate({}, { existingTaskId: taskId })],
			{ credentials: credentials() },
		);
		expect(again.output('Seedance')[0].json).toMatchObject({ taskId, state: 'succeeded' });
		expect(emulator.count('create')).toBe(1);
	});

	it('an existing task that cannot be read fails its item, naming the task; nothing is created', async () => {
		emulator.inject('status', { kind: 'status', code: 400 });
		const node = generate({}, { existingTaskId: 'task-from-yesterday' });
		node.onError = 'continueRegularOutput';
		const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
			credentials: credentials(),
		});
		expect(result.output('Seedance')[0].json).toMatchObject({ taskId: 'task-from-yesterday' });
		expect(result.output('Seedance')[0].json.error).toEqual(expect.any(String));
		expect(emulator.count('create')).toBe(0);
	});

	it("downloads with the key only when the file is on the service's own origin", async () => {
		emulator.options.filesOnApiOrigin = true;
		const result = await runWorkflow([itemsNode([{ json: {} }]), generate()], {
			credentials: credentials(),
		});
		expect(result.output('Seedance')[0].binary?.data.mimeType).toBe('video/mp4');
		expect(
			emulator.requests
				.filter((request) => request.route === 'download')
				.every((request) => request.authorized),
		).toBe(true);
	});

	it('runs a batch in parallel: every item keeps its order and pairing', async () => {
		const items = Array.from({ length: 12 }, (_, index) => ({ json: { n: index } }));
		const node = generate(
			{ prompt: '=Dancer number {{ $json.n }} [latency={{ 300 + ($json.n % 4) * 200 }}]' },
			{ downloadVideo: false, concurrency: 5 },
		);
		const started = Date.now();
		const result = await runWorkflow([itemsNode(items), node], { credentials: credentials() });
		const output = result.output('Seedance');
		expect(output.map((item) => item.pairedItem)).toEqual(
			items.map((_, index) => ({ item: index })),
		);
		const prompts = output.map((item) =>
			String((emulator.tasks.get(String(item.json.taskId))?.body.prompt as string).split(' [')[0]),
		);
		expect(prompts).toEqual(items.map((_, index) => `Dancer number ${index}`));
		// Twelve jobs of up to 0.9 s each: far less than their sum (6.6 s) when awaited together.
		expect(Date.now() - started).toBeLessThan(5000);
	});
});
