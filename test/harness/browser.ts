import { chromium, selectors, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, as this machine runs it: no sandbox (root), and none of the
 * background connections that a closed network refuses. n8n's editor marks its elements with
 * `data-test-id`, which `getByTestId` then finds.
 */
export async function launchChromium(): Promise<Browser> {
	selectors.setTestIdAttribute('data-test-id');
	return await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
}
