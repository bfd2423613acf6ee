/**
 * Through the user's door: a person in the real n8n editor, 2.x and 1.x (headless Chromium,
 * playwright-core), finds both nodes in the node search (blank canvas and after a Manual Trigger), adds
 * Seedance > Generate from the creator, creates the credential in the credential modal (its test
 * fails with a wrong key and passes with the right one, against the emulator), fills the
 * prompt, runs the workflow with the Execute workflow button and reads the node's output panel;
 * then adds Seedance as an AI Agent's tool from the Tools picker, its prompt left to the model.
 * Each step's screenshot lands in docs/editor-*.png.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { Emulator } from '../emulator/server';
import { until } from './workflows';
import { launchChromium } from '../harness/browser';
import { N8N_VERSIONS, RealN8n, freePort, installN8n, packPackage } from '../harness/realN8n';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'docs');
/** The README shows n8n 2.x's pictures; the other versions' go to the test output. */
const PICTURED = N8N_VERSIONS.find((version) => version.startsWith('2.'));

const emulator = new Emulator({ latencyMs: 1500 });
let tarball = '';
let browser: Browser;

beforeAll(async () => {
	await emulator.start();
	tarball = packPackage(tmpdir());
	browser = await launchChromium();
});

afterAll(async () => {
	await browser?.close();
	await emulator.stop();
});

describe.each(N8N_VERSIONS)('the editor of n8n %s', (version) => {
	let n8n: RealN8n;
	let page: Page;
	const shotDir =
		version === PICTURED ? SHOTS : path.join(ROOT, 'test-output', `editor-${version}`);
	const shot = async (name: string) => {
		mkdirSync(shotDir, { recursive: true });
		await page.screenshot({ path: path.join(shotDir, `editor-${name}.png`) });
	};
	// Each step waits for the state it needs (an element, a value, a row in n8n's database), never
	// for a time: the suite runs on 2 loaded cores too.
	const search = async (text: string) => {
		const bar = page.getByTestId('node-creator-search-bar');
		await bar.waitFor({ state: 'visible', timeout: 30_000 });
		await bar.fill(text);
	};
	/** Opens a page of the editor once it has loaded everything it asks for. */
	const open = async (pathPart: string) => {
		await page.goto(`${n8n.baseUrl}${pathPart}`);
		// A click while the editor is still loading its parts is lost.
		await page.waitForLoadState('networkidle');
	};
	/** Clicks whichever of these buttons this version shows, and waits for the node creator. */
	const openCreator = async (testIds: string[]) => {
		const button = testIds
			.map((id) => page.getByTestId(id))
			.reduce((either, other) => either.or(other))
			.filter({ visible: true })
			.first();
		await button.click({ timeout: 60_000 });
		await page
			.getByTestId('node-creator-search-bar')
			.waitFor({ state: 'visible', timeout: 30_000 });
	};
	const items = () => page.getByTestId('node-creator').getByTestId('item-iterator-item');
	/** From the open trigger list: adds a Manual Trigger, then opens the creator for the next node. */
	const addManualTriggerAndOpenCreator = async () => {
		await search('manual');
		await items()
			.filter({ hasText: /Manual Trigger|Trigger manually/i })
			.first()
			.click();
		await page.keyboard.press('Escape');
		await openCreator(['node-creator-plus-button', 'canvas-plus-button']);
	};
	/**
	 * Searches the trigger list of a blank canvas for Seedance Trigger: n8n 2.x lists it with its
	 * description; 1.x lists the app, whose page shows the description and the trigger's events.
	 */
	const findTrigger = async (text: string) => {
		const described = 'Seedance video task finishes';
		await search(text);
		const listed = items().filter({ hasText: described }).first();
		const app = items().filter({ hasText: 'Seedance' }).first();
		await listed.or(app).first().waitFor({ timeout: 30_000 });
		if (await listed.count()) return;
		await app.click();
		const creator = page.getByTestId('node-creator');
		await creator.getByText(described).first().waitFor({ timeout: 30_000 });
		await creator.getByText('On video ready').first().waitFor({ timeout: 30_000 });
		// Back to the search (the app page has no search bar).
		await page.keyboard.press('Escape');
		await openCreator(['canvas-plus-button', 'canvas-add-button', 'node-creator-plus-button']);
	};

	beforeAll(async () => {
		emulator.reset();
		n8n = new RealN8n(version, installN8n(version));
		n8n.installPackage(tarball);
		await n8n.start(await freePort());
		await n8n.loginAsOwner();
		const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		await context.addCookies(n8n.sessionCookies());
		page = await context.newPage();
	});

	afterAll(async () => {
		await page?.context().close();
		await n8n?.stop();
		n8n?.remove();
	});

	// What the page showed when a step failed: test-output/editor-<version>/last.png and the
	// test ids on it.
	afterEach(async () => {
		const failed = (expect.getState() as { assertionCalls: number }).assertionCalls === 0;
		if (!failed || !page) return;
		const out = path.join(ROOT, 'test-output', `editor-${version}`);
		mkdirSync(out, { recursive: true });
		await page.screenshot({ path: path.join(out, 'last.png') }).catch(() => undefined);
		const ids = await page
			.locator('[data-test-id]')
			.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-test-id')))
			.catch(() => [] as Array<string | null>);
		writeFileSync(path.join(out, 'last-test-ids.txt'), [...new Set(ids)].join('\n'));
	});

	it("lists the nodes under categories n8n's own nodes use, and none the search hides", () => {
		const own = new Set<string>();
		const walk = (folder: string): string[] =>
			readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
				entry.isDirectory()
					? walk(path.join(folder, entry.name))
					: entry.name.endsWith('.node.json')
						? [path.join(folder, entry.name)]
						: [],
			);
		const base = path.join(installN8n(version), 'node_modules/n8n-nodes-base/dist/nodes');
		for (const file of walk(base)) {
			const codex = JSON.parse(readFileSync(file, 'utf8')) as { categories?: string[] };
			for (const category of codex.categories ?? []) own.add(category);
		}
		expect(own.size).toBeGreaterThan(5);
		for (const file of [
			'nodes/Seedance/Seedance.node.json',
			'nodes/SeedanceTrigger/SeedanceTrigger.node.json',
		]) {
			const codex = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as {
				categories: string[];
			};
			for (const category of codex.categories) expect([...own]).toContain(category);
			expect(codex.categories).not.toContain('AI');
		}
	});

	it('finds the nodes in the node search and builds Seedance > Generate with a new, tested credential', async () => {
		await open('/workflow/new');
		// A blank canvas: the creator offers triggers.
		await openCreator(['canvas-plus-button', 'canvas-add-button', 'node-creator-plus-button']);
		// The trigger list shows Seedance Trigger as "Seedance", with the trigger's description.
		await findTrigger('Seedance');
		await shot('1-search-blank-canvas');
		await findTrigger('video');

		// A Manual Trigger, then the creator again: the regular node and its actions.
		await addManualTriggerAndOpenCreator();
		const seedance = items()
			.filter({ has: page.getByText('Seedance', { exact: true }) })
			.first();
		await search('video');
		await seedance.waitFor({ timeout: 30_000 });
		await search('Seedance');
		await seedance.waitFor({ timeout: 30_000 });
		await shot('2-search-after-trigger');
		await seedance.click();
		const generate = page.getByTestId('node-creator').getByText('Generate a video').first();
		await generate.waitFor({ timeout: 30_000 });
		await shot('3-actions');
		await generate.click();

		// The credential modal: opened by n8n for a node without a credential, or from the picker.
		// Whichever n8n shows first decides; a click is never raced against the modal opening.
		const modal = page.getByTestId('editCredential-modal');
		const picker = page
			.getByText(/Connect to Seedance|Select Credential/)
			.or(page.getByTestId('node-credentials-select'))
			.first();
		const createNew = page
			.getByTestId('node-credentials-select-item-new')
			.or(page.getByText('Create new credential'))
			.first();
		for (const next of [picker, createNew]) {
			await modal.or(next).first().waitFor({ timeout: 30_000 });
			if (await modal.isVisible()) break;
			await Promise.race([next.click(), modal.waitFor({ timeout: 30_000 })]);
		}
		await modal.waitFor({ timeout: 30_000 });
		// n8n asks the server for the new credential's name: a Save before the answer sends none
		// ("Problem creating credential: String must contain at least 1 character(s)"). The name
		// is drawn once n8n has it.
		await modal.getByTestId('credential-name').waitFor({ timeout: 30_000 });
		const field = (name: string) =>
			modal.getByTestId(`parameter-input-${name}`).locator('input, textarea').first();
		/**
		 * Types the API key and waits until the form holds it: n8n takes typed text 200 ms later
		 * (debounced), and a Save before that sends the old value. Once the field has been left,
		 * n8n says "This field is required" exactly while the form holds no key.
		 */
		const enterKey = async (key: string) => {
			const keyIsMissing = modal
				.getByTestId('credential-connection-parameter')
				.filter({ has: page.getByTestId('parameter-input-apiKey') })
				.getByText('This field is required');
			await field('apiKey').fill('');
			await field('apiKey').blur();
			await keyIsMissing.waitFor({ state: 'visible', timeout: 30_000 });
			await field('apiKey').fill(key);
			await keyIsMissing.waitFor({ state: 'hidden', timeout: 30_000 });
		};
		// The Base URL is typed first: n8n takes it before the key's two changes.
		await field('baseUrl').fill(emulator.url);
		await enterKey('aio_wrong_key');
		await modal.getByTestId('credential-save-button').click();
		await modal
			.getByText(/Couldn.t connect|(rejected|refused) the API key/)
			.first()
			.waitFor({ timeout: 30_000 });
		await shot('4-credential-wrong-key');
		await enterKey(emulator.apiKey);
		await modal.getByTestId('credential-save-button').click();
		// A passing test: n8n says so, or saves and closes the modal with the credential selected.
		await Promise.race([
			modal
				.getByText(/tested successfully/i)
				.first()
				.waitFor({ timeout: 30_000 }),
			modal.waitFor({ state: 'hidden', timeout: 30_000 }),
		]);
		if (await modal.isVisible()) await modal.locator('.el-dialog__close').first().click();
		expect(await page.getByText(/Couldn.t connect/).count()).toBe(0);
		const saved = (await n8n.rest('GET', 'credentials')).body as { data: Array<{ type: string }> };
		expect(saved.data.map((credential) => credential.type)).toEqual(['seedanceApi']);
		await shot('5-credential-saved');

		// The prompt, typed as a person does, then the panel's Execute button.
		const prompt = page.getByPlaceholder(/A dancer performing contemporary ballet/).first();
		await prompt.click();
		await prompt.fill('A paper boat sailing through a rainy street, cinematic');
		await page.getByText('Prompt', { exact: true }).first().click();
		await shot('6-prompt');
		expect(await prompt.inputValue()).toBe(
			'A paper boat sailing through a rainy street, cinematic',
		);
		// Nothing was paid for while building the workflow: only the credential test's read.
		expect(emulator.count('create')).toBe(0);

		// Run it as a person does: the canvas's Execute workflow button, then the node's output.
		await page.keyboard.press('Escape');
		await page.getByTestId('execute-workflow-button').filter({ visible: true }).first().click();
		// The run has the video once the node has downloaded it (one create, one download).
		await until(
			async () => [emulator.count('create'), emulator.count('download')],
			([creates, downloads]) => creates === 1 && downloads === 1,
			120_000,
			'the create and the download',
		);
		// The node's output panel: the video in binary data, named after the task, and the task.
		// The Generate node is the last on the canvas, after the Manual Trigger; its panel shows the
		// output as soon as the editor has the run.
		const [taskId] = [...emulator.tasks.keys()];
		await page.getByTestId('canvas-node').filter({ visible: true }).last().dblclick();
		await page
			.getByText(`${taskId}.mp4`)
			.filter({ visible: true })
			.first()
			.waitFor({ timeout: 60_000 });
		await page
			.getByText('video/mp4')
			.filter({ visible: true })
			.first()
			.waitFor({ timeout: 30_000 });
		await shot('7-output');
		await page.getByText('JSON', { exact: true }).filter({ visible: true }).last().click();
		await page
			.getByText('succeeded')
			.filter({ visible: true })
			.first()
			.waitFor({ timeout: 30_000 });
		expect(emulator.count('create')).toBe(1);
		expect(emulator.count('download')).toBe(1);
	});

	it("adds Seedance as an AI Agent's tool from the Tools picker, its prompt left to the model", async () => {
		await open('/workflow/new');
		await openCreator(['canvas-plus-button', 'canvas-add-button', 'node-creator-plus-button']);
		await addManualTriggerAndOpenCreator();
		await search('AI Agent');
		await items().filter({ hasText: 'AI Agent' }).first().click();
		await page.keyboard.press('Escape');

		// The "+" under the agent's Tool input opens the Tools picker.
		await page
			.locator(
				'[data-test-id="canvas-node-input-handle"][data-connection-type="ai_tool"] [data-test-id="canvas-handle-plus"]',
			)
			.first()
			.click();
		await search('Seedance');
		const tool = items().filter({ hasText: 'Seedance Tool' }).first();
		await tool.waitFor({ timeout: 30_000 });
		await shot('8-agent-tools-search');
		await tool.click();
		// n8n opens the tool's panel (1.x may list its actions first).
		const generate = page.getByTestId('node-creator').getByText('Generate a video');
		const prompt = page.getByPlaceholder(/A dancer performing contemporary ballet/).first();
		await prompt.or(generate.first()).first().waitFor({ timeout: 30_000 });
		if (!(await prompt.isVisible())) await generate.first().click();
		await prompt.waitFor({ timeout: 30_000 });
		// "Let the model define this parameter" on the prompt.
		await page
			.getByTestId('parameter-input-prompt')
			.or(page.locator('[data-test-id="parameter-input-prompt"]'))
			.first()
			.hover()
			.catch(() => undefined);
		await page.getByTestId('from-ai-override-button').filter({ visible: true }).first().click();
		await page
			.getByText(/Defined automatically by the model/i)
			.first()
			.waitFor({ timeout: 30_000 });
		await shot('9-agent-tool-prompt-from-ai');
		await page.keyboard.press('Escape');

		// Saved once n8n's answer to the save request has come (its body is the saved workflow); the
		// panel must be closed first, or the shortcut goes to it.
		await page
			.getByTestId('ndv')
			.filter({ visible: true })
			.waitFor({ state: 'hidden', timeout: 30_000 });
		type Saved = {
			nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }>;
			connections: Record<string, Record<string, Array<Array<{ node: string }>>>>;
		};
		const saving = page.waitForResponse(
			(response) =>
				/\/rest\/workflows(\/[^/?]+)?$/.test(new URL(response.url()).pathname) &&
				['POST', 'PATCH'].includes(response.request().method()),
			{ timeout: 60_000 },
		);
		await page.keyboard.press('Control+s');
		const answer = await saving;
		expect(answer.status()).toBe(200);
		const { id } = ((await answer.json()) as { data: { id: string } }).data;
		// What n8n stored, read back.
		const saved = ((await n8n.rest('GET', `workflows/${id}`)).body as { data: Saved }).data;
		const seedanceTool = saved.nodes.find(
			(entry) => entry.type === 'n8n-nodes-seedance.seedanceTool',
		)!;
		// n8n saves only the parameters that differ from their defaults (Generate is the default).
		expect(seedanceTool.parameters.operation ?? 'generate').toBe('generate');
		expect(String(seedanceTool.parameters.prompt)).toMatch(/\$fromAI\(/);
		const agent = saved.nodes.find((entry) => entry.type === '@n8n/n8n-nodes-langchain.agent')!;
		expect(saved.connections[seedanceTool.name].ai_tool[0]).toEqual([
			expect.objectContaining({ node: agent.name }),
		]);
	});
});
