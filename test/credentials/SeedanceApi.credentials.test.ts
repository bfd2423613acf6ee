/** The credential test, run as n8n's CredentialsTester runs it, against the emulator. */
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
