/**
 * Every bad parameter of every operation is refused before the first request: the node fails with
 * a message naming the field, and the emulator receives nothing (in n8n-core's real engine).
 */
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { FAST, useEmulator } from '../../../helpers';

const { emulator, credentials } = useEmulator();

type Operation = 'generate' | 'getStatus' | 'wait';
/** Operation, parameters, options, the field the message must name. */
type Case = [Operation, Record<string, unknown>, Record<string, unknown>, string];

const textImage = { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain' };
/** A web page dressed as a picture: its label says PNG, its bytes say HTML. */
const htmlAsPng = {
	data: Buffer.from('<!doctype html><html><body>not an image</body></html>').toString('base64'),
	mimeType: 'image/png',
};

const generateParameters: Array<[Record<string, unknown>, string]> = [
	[{ prompt: '' }, 'Prompt'],
	[{ prompt: '   ' }, 'Prompt'],
	[{ prompt: '={{ $json.missing }}' }, 'Prompt'],
	[{ model: 'custom', customModel: '' }, 'Model'],
	[{ model: 'custom', customModel: '   ' }, 'Model'],
	[{ aspectRatio: '2:1' }, 'Aspect Ratio'],
	[{ aspectRatio: '16x9' }, 'Aspect Ratio'],
	[{ aspectRatio: '' }, 'Aspect Ratio'],
	[{ resolution: '1080p' }, 'Resolution'],
	[{ resolution: '4k' }, 'Resolution'],
	[{ resolution: '' }, 'Resolution'],
	[{ duration: '5' }, 'Duration'],
	[{ duration: '0' }, 'Duration'],
	[{ duration: '-4' }, 'Duration'],
	[{ duration: 'eight' }, 'Duration'],
	[{ generateAudio: 'yes' }, 'Generate Audio'],
	[{ generateAudio: '1' }, 'Generate Audio'],
	[{ fixedLens: 'maybe' }, 'Fixed Lens'],
	[{ imageSource: 'ftp' }, 'Reference Image'],
	[{ imageSource: 'url', imageUrl: '' }, 'Image URL'],
	[{ imageSource: 'url', imageUrl: 'not a url' }, 'Image URL'],
	[{ imageSource: 'url', imageUrl: 'ftp://x/y.png' }, 'Image URL'],
	[{ imageSource: 'url', imageUrl: 'javascript:alert(1)' }, 'Image URL'],
	[{ imageSource: 'url', imageUrl: 'file:///etc/passwd' }, 'Image URL'],
	[{ imageSource: 'url', imageUrl: 'data:image/png;base64,AAAA' }, 'Image URL'],
	[{ imageSource: 'binary', imageBinaryProperty: 'photo' }, 'Input Binary Field'],
	[{ imageSource: 'binary', imageBinaryProperty: 'text' }, 'Input Binary Field'],
	[{ imageSource: 'binary', imageBinaryProperty: 'html' }, 'Input Binary Field'],
	[{ prompt: 'x'.repeat(10_001) }, 'Prompt'],
	[{ prompt: '={{ 42 }}' }, 'Prompt'],
	[{ prompt: '={{ { text: "a dancer" } }}' }, 'Prompt'],
	[{ generateAudio: '={{ 1 }}' }, 'Generate Audio'],
	[{ duration: '={{ 8.5 }}' }, 'Duration'],
	[{ callbackUrl: 'javascript:alert(1)' }, 'Callback URL'],
	[{ callbackUrl: 'not a url' }, 'Callback URL'],
	[{ callbackUrl: 'ftp://host/x' }, 'Callback URL'],
	[{ callbackUrl: 'https://n8n.example/webhook/x', waitMode: '={{ "resume" }}' }, 'Callback URL'],
	[{ waitForCompletion: '={{ 0 }}' }, 'Wait for Completion'],
	[{ waitForCompletion: '={{ null }}' }, 'Wait for Completion'],
	[{ waitForCompletion: '={{ "no" }}' }, 'Wait for Completion'],
	[{ waitForCompletion: '={{ $itemIndex === 0 }}' }, 'Wait for Completion'],
];

const generateOptions: Array<[Record<string, unknown>, string]> = [
	[{ extraBodyFields: '{oops' }, 'Extra Body Fields'],
	[{ extraBodyFields: '[1,2]' }, 'Extra Body Fields'],
	[{ extraBodyFields: '"text"' }, 'Extra Body Fields'],
	...[
		'model',
		'prompt',
		'image',
		'aspect_ratio',
		'aspectRatio',
		'resolution',
		'duration',
		'generateAudio',
		'generate_audio',
		'fixedLens',
		'fixed_lens',
		'callback_url',
		'callbackUrl',
		'Model',
		// Look-alikes of owned names: long s, full-width letters, Cyrillic а, dotless ı, zero width.
		'reſolution',
		'ｒｅｓｏｌｕｔｉｏｎ',
		'dur\u0430tion',
		'fıxedLens',
		'resolution\u200b',
		'ＤＵＲＡＴＩＯＮ',
	].map((key): [Record<string, unknown>, string] => [
		{ extraBodyFields: JSON.stringify({ [key]: 'x' }) },
		'Extra Body Fields',
	]),
	[{ maxCredits: -5 }, 'Max Credits per Execution'],
	[{ maxCredits: 'abc' }, 'Max Credits per Execution'],
	[{ maxCredits: 1e18 }, 'Max Credits per Execution'],
	[{ maxCredits: null }, 'Max Credits per Execution'],
	[{ maxCredits: '' }, 'Max Credits per Execution'],
	[{ maxCredits: '={{ $json.budget }}' }, 'Max Credits per Execution'],
	[{ maxCredits: '={{ null }}' }, 'Max Credits per Execution'],
	[{ maxCredits: '={{ "" }}' }, 'Max Credits per Execution'],
	[{ maxCredits: '={{ true }}' }, 'Max Credits per Execution'],
	[{ maxCredits: '={{ "1e3" }}' }, 'Max Credits per Execution'],
	[{ maxCredits: '={{ $itemIndex === 0 ? 50 : 100 }}' }, 'Max Credits per Execution'],
	[{ existingTaskId: '.' }, 'Existing Task ID'],
	[{ existingTaskId: '..' }, 'Existing Task ID'],
	[{ existingTaskId: 'x?y=1#' }, 'Existing Task ID'],
	[{ existingTaskId: 'a/b' }, 'Existing Task ID'],
	[{ existingTaskId: 'has space' }, 'Existing Task ID'],
];

/** The wait options, shared by Generate and Wait. */
const waitOptions: Array<[Record<string, unknown>, string]> = [
	[{ pollInterval: 0 }, 'Poll Interval'],
	[{ pollInterval: -1 }, 'Poll Interval'],
	[{ pollInterval: 5000 }, 'Poll Interval'],
	[{ pollInterval: 'abc' }, 'Poll Interval'],
	[{ maxWaitTime: 0 }, 'Max Wait Time'],
	[{ maxWaitTime: -5 }, 'Max Wait Time'],
	[{ maxWaitTime: 1e13 }, 'Max Wait Time'],
	[{ requestTimeout: 0 }, 'Request Timeout'],
	[{ requestTimeout: 1e18 }, 'Request Timeout'],
	[{ requestTimeout: 'x' }, 'Request Timeout'],
	[{ concurrency: 0 }, 'Concurrency'],
	[{ concurrency: 51 }, 'Concurrency'],
	[{ concurrency: 2.5 }, 'Concurrency'],
	[{ binaryPropertyName: ' ' }, 'Put Output File in Field'],
	[{ downloadVideo: 'yes' }, 'Download Video'],
	[{ downloadVideo: '={{ 0 }}' }, 'Download Video'],
	[{ pollInterval: '={{ null }}' }, 'Poll Interval'],
	[{ maxWaitTime: '={{ "" }}' }, 'Max Wait Time'],
	[{ concurrency: '={{ $itemIndex + 1 }}' }, 'Concurrency'],
];

/** Wait Mode sits at the top of the panel of both; other settings in Options. */
const waitParameters: Array<[Record<string, unknown>, Record<string, unknown>, string]> = [
	[{ waitMode: 'resume' }, { maxWaitTime: 1e13 }, 'Max Wait Time'],
	[{ waitMode: 'sometimes' }, {}, 'Wait Mode'],
];

const badTaskIds = [
	'',
	' ',
	'.',
	'..',
	'x?y=1#',
	'a/b',
	'%2e%2e',
	'#x',
	'tab\tid',
	'é',
	'a'.repeat(201),
];

const cases: Case[] = [
	...generateParameters.map(([parameters, field]): Case => {
		const { options, ...rest } = parameters as { options?: Record<string, unknown> };
		return ['generate', rest, options ?? {}, field];
	}),
	...generateOptions.map(([options, field]): Case => ['generate', {}, options, field]),
	...waitOptions.map(([options, field]): Case => ['generate', {}, options, field]),
	...waitOptions.map(([options, field]): Case => [
		'wait',
		{ taskId: 'n1_seedance' },
		options,
		field,
	]),
	...waitParameters.map(([parameters, options, field]): Case => [
		'generate',
		parameters,
		options,
		field,
	]),
	...waitParameters.map(([parameters, options, field]): Case => [
		'wait',
		{ taskId: 'n1_seedance', ...parameters },
		options,
		field,
	]),
	...badTaskIds.map((taskId): Case => ['wait', { taskId }, {}, 'Task ID']),
	...badTaskIds.map((taskId): Case => ['getStatus', { taskId }, {}, 'Task ID']),
];

const refused: string[] = [];

afterAll(() => {
	console.log(
		`Bad inputs refused with 0 requests and a message naming the field: ${refused.length} of ${cases.length}`,
	);
});

describe('bad inputs: refused before anything is sent', () => {
	it('covers at least 80 distinct bad inputs', () => {
		const distinct = new Set(cases.map((item) => JSON.stringify(item.slice(0, 3))));
		expect(distinct.size).toBe(cases.length);
		expect(cases.length).toBeGreaterThanOrEqual(80);
	});

	it.each(cases)('%s %j %j names "%s"', async (operation, parameters, options, field) => {
		const node = seedanceNode({
			resource: 'video',
			operation,
			prompt: 'A dancer',
			...(operation === 'getStatus' ? {} : { options: { ...FAST, ...options } }),
			...parameters,
		});
		const input = { json: {}, binary: { text: textImage, html: htmlAsPng } };
		// n8n itself refuses an empty required field before the node runs: that names the field too.
		const message = await runWorkflow([itemsNode([input, input]), node], {
			credentials: credentials(),
		}).then(
			(result) => result.errorOf('Seedance')?.message,
			(error: Error) => error.message,
		);
		expect(message).toContain(field);
		expect(emulator.requests).toHaveLength(0);
		refused.push(`${operation} ${field}`);
	});
});
