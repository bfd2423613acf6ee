/**
 * What every real-n8n journey file shares: the emulator on loopback, the package packed as npm
 * would publish it, and for each version of N8N_VERSIONS a fresh n8n with the package and the
 * API in One credential installed (plus any credential the journey needs).
 */
import { tmpdir } from 'node:os';

import type { Emulator } from '../emulator/server';
import { N8N_VERSIONS, RealN8n, installN8n, packPackage } from '../harness/realN8n';
import { CREDENTIAL } from './workflows';

type Credential = Parameters<RealN8n['importCredential']>[0];

/**
 * Runs `body` once per n8n version, inside its `describe`; `current()` is that version's n8n
 * (ready in the body's own `beforeAll`). The emulator is reset before each test.
 */
export function eachRealN8n(
	emulator: Emulator,
	body: (version: string, current: () => RealN8n) => void,
	moreCredentials: () => Credential[] = () => [],
): void {
	let tarball = '';
	beforeAll(async () => {
		await emulator.start();
		tarball = packPackage(tmpdir());
	});
	afterAll(async () => await emulator.stop());

	describe.each(N8N_VERSIONS)('n8n %s', (version) => {
		let n8n: RealN8n | undefined;
		beforeAll(async () => {
			n8n = new RealN8n(version, installN8n(version));
			n8n.installPackage(tarball);
			await n8n.importCredential({
				...CREDENTIAL,
				data: { apiKey: emulator.apiKey, baseUrl: emulator.url },
			});
			for (const credential of moreCredentials()) await n8n.importCredential(credential);
		});
		afterAll(async () => {
			await n8n?.stop();
			n8n?.remove();
		});
		beforeEach(() => emulator.reset());
		body(version, () => n8n!);
	});
}
