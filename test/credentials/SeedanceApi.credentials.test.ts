/** The credential test, run as n8n's CredentialsTester runs it, against the emulator. */
import { SeedanceApi } from '../../credentials/SeedanceApi.credentials';
import { testCredential } from '../harness/credentialTest';
import { useEmulator } from '../helpers';

const { emulator } = useEmulator();

describe('Seedance credential test', () => {
	it('accepts a good key', async () => {
		expect(await testCredential({ apiKey: emulator.apiKey, baseUrl: `${emulator.url}/` })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		const [request] = emulator.requests;
		expect(request).toMatchObject({ authorized: true, path: '/api/v1/tasks/n8n-credential-test' });
	});

	it('tells a wrong key apart', async () => {
		expect(await testCredential({ apiKey: 'aio_wrong', baseUrl: emulator.url })).toEqual({
			status: 'Error',
			message:
				'API in One rejected the API key (HTTP 401). Check the key in your API in One dashboard.',
		});
	});

	it('tells a wrong key apart on n8n 1.x too, which accepts every status, by the answer envelope', async () => {
		expect(
			await testCredential({ apiKey: 'aio_wrong', baseUrl: emulator.url }, { asN8n1: true }),
		).toEqual({
			status: 'Error',
			message:
				'API in One refused the API key (code 401). Check the key in your API in One dashboard.',
		});
		expect(
			await testCredential({ apiKey: emulator.apiKey, baseUrl: emulator.url }, { asN8n1: true }),
		).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('fails for an unreachable base URL', async () => {
		expect(
			(await testCredential({ apiKey: emulator.apiKey, baseUrl: 'http://127.0.0.1:9' })).status,
		).toBe('Error');
	});
});

describe('Seedance credential test: the Base URL door', () => {
	const port = () => new URL(emulator.url).port;

	it.each([
		['user:password@', (p: string) => `http://user:hunter2@127.0.0.1:${p}`],
		['http:// off this machine', (p: string) => `http://0.0.0.0:${p}`],
		['http:// on a name that is not loopback', (p: string) => `http://127.1:${p}`],
	])('sends no key for a Base URL with %s', async (_, url) => {
		const result = await testCredential({ apiKey: emulator.apiKey, baseUrl: url(port()) });
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain('hunter2');
		expect(result.message).not.toContain(emulator.apiKey);
		expect(emulator.requests).toEqual([]);
	});

	it('sends the key to http:// off this machine when the credential allows it', async () => {
		const result = await testCredential({
			apiKey: emulator.apiKey,
			baseUrl: `http://0.0.0.0:${port()}`,
			allowUnencryptedHttp: true,
		});
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(emulator.requests).toHaveLength(1);
	});

	it('describes the Allow Unencrypted HTTP field as sending the key in clear, off by default', () => {
		const field = new SeedanceApi().properties.find((p) => p.name === 'allowUnencryptedHttp');
		expect(field).toMatchObject({ type: 'boolean', default: false });
		expect(field?.description).toContain('in clear');
	});
});
