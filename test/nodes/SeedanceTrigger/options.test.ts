import type { INode } from 'n8n-workflow';

import { readTriggerOptions } from '../../../nodes/SeedanceTrigger/options';

function reader(parameters: Record<string, unknown>) {
	return {
		getNode: () => ({ name: 'Seedance Trigger' }) as INode,
		getNodeParameter: (name: string, fallback: unknown) => parameters[name] ?? fallback,
	};
}

describe('readTriggerOptions', () => {
	it('downloads the video into "data" when Download Video is not set: a new trigger starts with the file', () => {
		expect(readTriggerOptions(reader({})).binaryProperty).toBe('data');
		expect(readTriggerOptions(reader({ options: {} })).binaryProperty).toBe('data');
		expect(
			readTriggerOptions(reader({ options: { binaryPropertyName: 'video' } })).binaryProperty,
		).toBe('video');
	});

	it('starts with the link only when Download Video is off, and reads on/off strictly', () => {
		expect(
			readTriggerOptions(reader({ options: { downloadVideo: false } })).binaryProperty,
		).toBeUndefined();
		expect(() => readTriggerOptions(reader({ options: { downloadVideo: 'false' } }))).toThrow(
			'Download Video must be true or false',
		);
	});
});
