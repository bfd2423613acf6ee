import { runWorkflow, seedanceNode, itemsNode } from '../../harness/n8n';
import { FAST, useEmulator } from '../../helpers';
import { SAMPLE_MP4 } from '../../emulator/server';

const { emulator, credentials } = useEmulator();

function generate(parameters: Record<string, unknown> = {}, options: Record<string, unknown> = {}) {
	return seedanceNode({ resource: 'video', operation: 'generate', prompt: 'A dancer spinning in the rain', options: { ...FAST, ...options }, ...parameters });
}

describe('Generate', () => {
	it('creates a task, waits for it and downloads the MP4 into binary data', async () => {
		const result = await runWorkflow([itemsNode([{ json: {} }]), generate()], { credentials: credentials() });
		expect(result.errorOf('Seedance')).toBeUndefined();
		const [item] = result.output('Seedance');
		expect(item.json).toMatchObject({ state: 'succeeded', rawStatus: 'COMPLETED', estimatedCredits: 28, progress: 100 });
		expect(item.pairedItem).toEqual({ item: 0 });
		const binary = item.binary?.data;
		expect(binary).toMatchObject({ mimeType: 'video/mp4', fileName: `${String(item.json.taskId)}.mp4` });
		const bytes = Buffer.from(binary!.data, 'base64');
		expect(bytes.length).toBe(SAMPLE_MP4.length);
		expect(bytes.equals(SAMPLE_MP4)).toBe(true);
		expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
		expect(emulator.count('create')).toBe(1);
		const sent = emulator.requests.find((request) => request.route === 'create')?.body;
		expect(sent).toEqual({ model: 'seedance-1-5-pro', prompt: 'A dancer spinning in the rain', aspect_ratio: '16:9', resolution: '720p', duration: '8', generateAudio: false, fixedLens: false });
		// The CDN origin must never see the API key.
		expect(emulator.requests.filter((request) => request.route === 'download').every((request) => !request.sawAuthorizationHeader)).toBe(true);
	});
});
