import type { INode } from 'n8n-workflow';

import { readTriggerOptions } from '../../../nodes/SeedanceTrigger/options';

/** As n8n's getNodeParameter: a dotted path into the parameters, the fallback when not set. */
function reader(parameters: Record<string, unknown>) {
	return {
		getNode: () => ({ name: 'Seedance Trigger' }) as INode,
		getNodeParameter(name: string, fallback: unknown) {
			const value = name
				.split('.')
				.reduce<unknown>(
					(parent, key) => (parent as Record<string, unknown> | undefined)?.[key],
					parameters,
				);
			return value === undefined ? fallback : value;
		},
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
		// One policy with Generate: true/false (also as text from an expression), nothing else.
		expect(
			readTriggerOptions(reader({ options: { downloadVideo: 'false' } })).binaryProperty,
		).toBeUndefined();
		for (const value of ['yes', null, '', 0])
			expect(() => readTriggerOptions(reader({ options: { downloadVideo: value } }))).toThrow(
				'Download Video must be true or false',
			);
	});
});
