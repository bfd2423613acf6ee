import { failureToError, type Failure } from '../../../../nodes/shared/transport/errors';
import { seedanceNode } from '../../../harness/n8n';

const node = seedanceNode({}, { name: 'Generate' });
const KEY = 'aio_live_5ecret_key_0123456789';
const errorOf = (failure: Failure, purpose: 'create' | 'status' | 'download' = 'create') =>
	failureToError(node, failure, {
		purpose,
		subject: purpose === 'download' ? 'task t-1' : 'the new video',
		baseUrl: 'https://apiin.one',
		secrets: [KEY],
	});
const network = (said?: string): Failure => ({
	kind: 'network',
	code: 'UNKNOWN',
	timedOut: false,
	neverConnected: false,
	...(said === undefined ? {} : { said }),
});

describe('failureToError: a request that failed before any network code', () => {
	it("quotes what n8n said, so a failure inside n8n is not taken for the network's", () => {
		const error = errorOf(network("Node 'Generate' hasn't been executed"));
		expect(error.description).toContain(
			"Network error: UNKNOWN (Node 'Generate' hasn't been executed).",
		);
		// A create that may have been sent keeps its warning.
		expect(error.description).toContain('may or may not have been created');
	});

	it('says it for a download too', () => {
		expect(errorOf(network('socket hang up'), 'download').description).toContain(
			'Network error: UNKNOWN (socket hang up).',
		);
	});

	it('scrubs the key from it before cutting it short', () => {
		const error = errorOf(network(`${'x'.repeat(290)} Bearer ${KEY} ${'y'.repeat(500)}`));
		expect(error.description).not.toContain(KEY);
		expect(error.description).not.toContain(KEY.slice(0, 12));
		expect(error.description!.length).toBeLessThan(900);
		expect(error.description).not.toContain('y'.repeat(400));
	});

	it('says only the code when nothing more is known', () => {
		expect(errorOf(network()).description).toMatch(/^Network error: UNKNOWN\. /);
	});
});
