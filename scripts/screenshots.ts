/**
 * Regenerates the README's pictures: a real n8n (cached) with this package installed, the
 * example workflows imported, and headless Chromium (Debian's /usr/bin/chromium) driven by
 * playwright-core opening the editor on loopback. Saves small PNGs into docs/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Page } from 'playwright-core';

import { launchChromium } from '../test/harness/browser';

import { NEWEST_N8N, RealN8n, freePort, installN8n, packPackage } from '../test/harness/realN8n';

const root = path.resolve(__dirname, '../..');
const VERSION = process.env.SCREENSHOT_N8N_VERSION ?? NEWEST_N8N;
const OWNER = {
	email: 'demo@example.com',
	firstName: 'Demo',
	lastName: 'User',
	password: 'Seedance-demo-2026',
};
const say = (line: string) => console.log(`==> ${line}`);

function example(name: string): Record<string, unknown> {
	return JSON.parse(readFileSync(path.join(root, 'examples', name), 'utf8')) as Record<
		string,
		unknown
	>;
}

/** Opens a node's panel by double-clicking its icon, just above its label on the canvas. */
async function openNode(page: Page, label: string): Promise<void> {
	const box = await page.getByText(label, { exact: true }).first().boundingBox();
	if (!box) throw new Error(`Node "${label}" is not on the canvas`);
	await page.mouse.dblclick(box.x + box.width / 2, box.y - 60);
}

async function main(): Promise<void> {
	const out = path.join(root, 'docs');
	mkdirSync(out, { recursive: true });
	say(`Preparing n8n ${VERSION} with the package`);
	const n8n = new RealN8n(VERSION, installN8n(VERSION));
	const browser = await launchChromium();

	try {
		n8n.installPackage(packPackage(tmpdir()));
		await n8n.importCredential({
			id: 'seedanceCred01',
			name: 'Seedance (API in One)',
			type: 'seedanceApi',
			data: { apiKey: 'aio_screenshot_key', baseUrl: 'https://apiin.one' },
		});
		await n8n.importWorkflow(example('generate-and-download.json'));
		await n8n.importWorkflow(example('callback-trigger.json'));
		await n8n.importWorkflow(example('scheduled-csv-pipeline.json'));
		await n8n.start(await freePort());
		say('Creating the owner account and logging in');
		const setup = await fetch(`${n8n.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		if (!setup.ok) throw new Error(`Owner setup failed: ${setup.status} ${await setup.text()}`);
		const context = await browser.newContext({
			viewport: { width: 1280, height: 760 },
			deviceScaleFactor: 1,
		});
		const page = await context.newPage();
		const login = await page.request.post(`${n8n.baseUrl}/rest/login`, {
			data: { emailOrLdapLoginId: OWNER.email, email: OWNER.email, password: OWNER.password },
		});
		if (!login.ok()) throw new Error(`Login failed: ${login.status()} ${await login.text()}`);

		say('The example workflow in the editor');
		await page.goto(`${n8n.baseUrl}/workflow/seedanceDemo0001`);
		await page.getByText('Generate video').first().waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1500);
		await page.keyboard.press('Escape');
		await page.screenshot({ path: path.join(out, 'workflow.png') });

		say('The scheduled pipeline example, and its Seedance node (version 1.1)');
		await page.goto(`${n8n.baseUrl}/workflow/seedanceCsvPipe1`);
		await page.getByText('Generate videos').first().waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1500);
		await page.keyboard.press('Escape');
		await page.screenshot({ path: path.join(out, 'pipeline.png') });
		await openNode(page, 'Generate videos');
		await page.getByText('Prompt', { exact: true }).first().waitFor({ timeout: 30_000 });
		await page.waitForTimeout(1000);
		await page.screenshot({ path: path.join(out, 'generate-parameters.png') });

		say("The Seedance Trigger's panel");
		await page.goto(`${n8n.baseUrl}/workflow/seedanceTrigger1`);
		await page.getByText('Seedance Trigger').first().waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1000);
		await openNode(page, 'Seedance Trigger');
		await page.getByText('Trigger On').first().waitFor({ timeout: 30_000 });
		await page.waitForTimeout(1000);
		await page.screenshot({ path: path.join(out, 'trigger-parameters.png') });
		say(
			'Saved docs/workflow.png, docs/pipeline.png, docs/generate-parameters.png and docs/trigger-parameters.png',
		);
	} finally {
		await browser.close();
		await n8n.stop();
		n8n.remove();
	}
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
