/**
 * A create that the service accepted (2xx, a task id) is paid, whatever goes wrong in reading
 * the rest of its answer: no try may send it again.
 */
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';

const { emulator, credentials } = useEmulator({ latencyMs: 100 });

const depth = 200_000;
const deepAnswer = `{"data":{"task_id":"n1_seedance","status":"IN_PROGRESS","meta":${'['.repeat(depth)}${']'.repeat(depth)}}}`;

describe('Pay once: an accepted create whose answer cannot be read', () => {
	it('HTTP 200 with a task id and a body nested 200,000 deep is not sent again by Retry On Fail', async () => {
		emulator.inject('create', { kind: 'status', code: 200, body: deepAnswer });
		const node = seedanceNode(
			{
				resource: 'video',
				operation: 'generate',
				prompt: 'A lighthouse',
				options: { ...FAST, downloadVideo: false },
			},
			{ retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
		);
		const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
			credentials: credentials(),
		});
		expect(emulator.count('create')).toBe(1);
		expect(result.errorOf('Seedance')?.message).not.toContain('call stack');
	});
});
