/**
 * The API key never leaves the service's origin: a Base URL that answers with a redirect to
 * another origin (loopback, another port) gets no authenticated request followed there, for every
 * redirect status, from Generate, Get Status and the credential test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { testCredential } from '../../../harness/credentialTest';

// No 8-letter word in it: any run of 8 characters of a key is redacted from messages.
const KEY = 'aio_rdr_7f3k2q9x_123456';

/** Records what reaches it, and answers like the service would, so that following "works". */
class Target {
	server = http.createServer((request, response) => {
		this.seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
		response.writeHead(200, { 'content-type': 'application/json' });
		response.end(
			JSON.stringify({ code: 200, data: { task_id: 'elsewhere_1', status: 'IN_PROGRESS' } }),
		);
	});
	seen: Array<{ path: string; authorization?: string }> = [];
	url = '';
}

/** The credential's Base URL: every request is answered with `status` and a Location on the target. */
class Redirector {
	status = 302;
	server = http.createServer((request, response) => {
		response.writeHead(this.status, { location: `${target.url}${request.url ?? '/'}` });
		response.end();
	});
	url = '';
}

const target = new Target();
const redirector = new Redirector();

async function listen(server: http.Server): Promise<string> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
	target.url = await listen(target.server);
	redirector.url = await listen(redirector.server);
});
afterAll(async () => {
	await new Promise((resolve) => target.server.close(resolve));
	await new Promise((resolve) => redirector.server.close(resolve));
});
beforeEach(() => {
	target.seen.length = 0;
});

const credentials = () => ({ seedanceApi: { apiKey: KEY, baseUrl: redirector.url } });
const STATUSES = [301, 302, 303, 307, 308];

describe.each(STATUSES)('a Base URL answering %d', (status) => {
	beforeEach(() => {
		redirector.status = status;
	});

	it('Generate does not follow it: an error that says the task may exist, and the key stays home', async () => {
		const node = seedanceNode({
			resource: 'video',
			operation: 'generate',
			prompt: 'A dancer',
			waitForCompletion: false,
		});
		const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
			credentials: credentials(),
		});
		const error = result.errorOf('Seedance');
		expect(error?.message).toBe(
			`API in One answered with a redirect (HTTP ${status}) to ${target.url}`,
		);
		expect(error?.description).toContain('may or may not have been created');
		expect(target.seen).toEqual([]);
	});

	it('Get Status does not follow it, and the key stays home', async () => {
		const node = seedanceNode({ resource: 'video', operation: 'getStatus', taskId: 'n1_seedance' });
		const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
			credentials: credentials(),
		});
		expect(result.errorOf('Seedance')?.message).toContain(`redirect (HTTP ${status})`);
		expect(target.seen).toEqual([]);
	});

	it('the credential test fails, and the key stays home', async () => {
		const result = await testCredential({ apiKey: KEY, baseUrl: redirector.url });
		expect(result.status).toBe('Error');
		expect(result.message).toContain('redirect');
		expect(target.seen.filter((request) => request.authorization)).toEqual([]);
	});
});
