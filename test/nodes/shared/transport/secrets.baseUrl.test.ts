/**
 * The Base URL door: a Base URL with `user:password@` and an http:// Base URL off this machine are
 * refused before any request carries the key; loopback http and an explicit allowance pass.
 */
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { FAST, leaks, useEmulator } from '../../../helpers';
import { checkProperty, fc } from '../../../property';
import { testCredential } from '../../../harness/credentialTest';

const { emulator } = useEmulator({ latencyMs: 200, callbacks: 'none' });

const getStatus = seedanceNode({ resource: 'video', operation: 'getStatus', taskId: 't1' });
const generate = seedanceNode({
	resource: 'video',
	operation: 'generate',
	prompt: 'A dancer',
	waitForCompletion: false,
	options: { ...FAST },
});

async function run(baseUrl: string, extra: Record<string, unknown> = {}, node = getStatus) {
	const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
		credentials: { seedanceApi: { apiKey: emulator.apiKey, baseUrl, ...extra } },
	});
	return { result, error: result.errorOf('Seedance') };
}

const port = () => new URL(emulator.url).port;

describe('the Base URL door', () => {
	it.each([
		['user:password@', (p: string) => `http://user:hunter2-password@127.0.0.1:${p}`],
		['a user name only', (p: string) => `http://hunter2-password@127.0.0.1:${p}`],
		['https with a password', () => 'https://user:hunter2-password@apiin.one'],
	])(
		'refuses a Base URL with %s, names the field, shows no password, sends nothing',
		async (_, url) => {
			for (const node of [getStatus, generate]) {
				const { error } = await run(url(port()), {}, node);
				expect(error?.message).toBe(
					'The Base URL in the Seedance credential contains a user name or password',
				);
				expect(error?.description).toContain('Remove the "user:password@" part');
				expect(leaks(error, 'hunter2-password')).toBe(false);
				expect(leaks(error, emulator.apiKey)).toBe(false);
			}
			expect(emulator.requests).toEqual([]);
		},
	);

	it('refuses http:// off this machine, saying the key would travel in clear', async () => {
		const { error } = await run(`http://0.0.0.0:${port()}`, {}, generate);
		expect(error?.message).toBe('The Base URL in the Seedance credential uses unencrypted http://');
		expect(error?.description).toContain('Allow Unencrypted HTTP');
		expect(error?.description).toContain('in clear');
		expect(emulator.requests).toEqual([]);
	});

	it('takes http:// off this machine when the credential allows it explicitly', async () => {
		const { result, error } = await run(
			`http://0.0.0.0:${port()}`,
			{ allowUnencryptedHttp: true },
			generate,
		);
		expect(error).toBeUndefined();
		expect(result.output('Seedance')[0].json.taskId).toEqual(expect.any(String));
		expect(emulator.count('create')).toBe(1);
	});

	it.each([
		(p: string) => `http://127.0.0.1:${p}`,
		(p: string) => `http://localhost:${p}/`,
		(p: string) => `http://127.1:${p}`,
	])('takes http:// on loopback (%#)', async (url) => {
		emulator.inject('status', {
			kind: 'status',
			code: 200,
			body: { data: { task_id: 't1', status: 'IN_PROGRESS' } },
		});
		const { error } = await run(url(port()));
		expect(error).toBeUndefined();
		expect(emulator.count('status')).toBe(1);
	});

	it.each(['ftp://apiin.one', 'apiin.one', 'file:///etc/passwd'])(
		'refuses %s as not a web address',
		async (url) => {
			const { error } = await run(url);
			expect(error?.message).toBe('The Base URL in the Seedance credential is not a web address');
		},
	);

	it('refuses any Base URL with a query or a fragment, naming them; nothing reaches the service, not even the credential test', async () => {
		await checkProperty(
			'Base URL with ? or #',
			fc.asyncProperty(
				fc.constantFrom('', '/', '/api'),
				fc.constantFrom('?', '#'),
				fc.string({ maxLength: 12 }),
				fc.constantFrom(getStatus, generate),
				async (path, mark, rest, node) => {
					emulator.requests.length = 0;
					const url = `${emulator.url}${path}${mark}${rest}`;
					const { error } = await run(url, {}, node);
					expect(error?.message).toBe(
						'The Base URL in the Seedance credential contains "?" or "#"',
					);
					expect(error?.description).toContain('Nothing was sent');
					const tested = await testCredential({ apiKey: emulator.apiKey, baseUrl: url });
					expect(tested.status).toBe('Error');
					expect(emulator.requests).toEqual([]);
				},
			),
			25,
		);
	}, 60_000);
});
