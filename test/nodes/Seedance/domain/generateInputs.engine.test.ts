/**
 * The reference-image and prompt rules (domain/image.ts, domain/generation.ts) as Generate applies
 * them in n8n-core's engine against the emulator: a real image of each type is sent as a data URI
 * of its true type; a truncated or garbled one is refused naming the field, and nothing is sent; a
 * prompt is measured in characters (code points), so 10,000 emoji are sent and 10,001 are not.
 */
import { MAX_PROMPT_CHARACTERS } from '../../../../nodes/Seedance/domain/generation';
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { useEmulator } from '../../../helpers';
import { checkProperty, fc } from '../../../property';
import { IMAGES } from './images';

const { emulator, credentials } = useEmulator({ latencyMs: 100, callbacks: 'none' });

async function generate(prompt: string, image?: Buffer, label = 'image/png') {
	const binary = image
		? { photo: { data: image.toString('base64'), mimeType: label, fileName: 'photo' } }
		: undefined;
	const node = seedanceNode({
		resource: 'video',
		operation: 'generate',
		prompt,
		waitForCompletion: false,
		...(image ? { imageSource: 'binary', imageBinaryProperty: 'photo' } : {}),
	});
	const result = await runWorkflow([itemsNode([{ json: {}, binary }]), node], {
		credentials: credentials(),
	});
	const create = emulator.requests.find((request) => request.route === 'create');
	return { error: result.errorOf('Seedance'), sent: create?.body as Record<string, unknown> };
}

describe('Generate: reference images are judged whole', () => {
	it.each(Object.entries(IMAGES))(
		'sends the %s sample as a data URI of its true type',
		async (_name, sample) => {
			const { error, sent } = await generate('A dancer', sample.bytes, 'application/octet-stream');
			expect(error).toBeUndefined();
			expect(sent.image).toBe(`data:${sample.mimeType};base64,${sample.bytes.toString('base64')}`);
		},
	);

	it('any sample cut short, or with an HTML page after its first bytes, is refused and nothing is sent', async () => {
		const samples = Object.values(IMAGES);
		await checkProperty(
			'Generate: truncated reference images',
			fc.asyncProperty(
				fc.constantFrom(...samples),
				fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
				fc.boolean(),
				async (sample, where, html) => {
					emulator.requests.length = 0;
					const cut = 12 + Math.floor(where * (sample.bytes.length - 12));
					const file = Buffer.concat([
						sample.bytes.subarray(0, cut),
						Buffer.from(html ? '<html><body>Not found</body></html>' : ''),
					]);
					fc.pre(sample.mimeType !== 'image/webp' || file.length !== sample.bytes.length);
					const { error } = await generate('A dancer', file, sample.mimeType);
					expect(error?.message).toContain(
						'Input Binary Field "photo" does not hold a JPEG, PNG, WebP or GIF image',
					);
					expect(emulator.requests).toEqual([]);
				},
			),
			30,
		);
	}, 60_000);
});

describe('Generate: the prompt limit is in characters', () => {
	it('sends 10,000 emoji (20,000 UTF-16 units) and refuses 10,001 with nothing sent', async () => {
		const most = '😀'.repeat(MAX_PROMPT_CHARACTERS);
		const sent = await generate(most);
		expect(sent.error).toBeUndefined();
		expect(sent.sent.prompt).toBe(most);
		emulator.requests.length = 0;
		const { error } = await generate(`${most}a`);
		expect(error?.message).toContain('Prompt is 10001 characters long');
		expect(emulator.requests).toEqual([]);
	});
});
