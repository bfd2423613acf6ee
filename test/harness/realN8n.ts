/**
 * A real n8n (installed by scripts/install-n8n.sh into the cache), with this package installed as
 * a community package in a throw-away user folder: import credentials and workflows, run a
 * workflow with `n8n execute`, or serve webhooks with `n8n start` on loopback, and read what n8n
 * recorded from its own database. Used by the e2e suite and the demo.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..').replace(/\/\.build$/, '');
const PACKAGE_NAME = 'n8n-nodes-seedance';

const versionList = (text: string) =>
	text
		.replace(/#.*/g, '')
		.split(/[\s,]+/)
		.filter(Boolean);

/** The e2e matrix, in one place: test/harness/n8n-versions.txt (newest 2.x first, then the last 1.x). */
export const MATRIX_N8N_VERSIONS = versionList(
	readFileSync(path.join(ROOT, 'test/harness/n8n-versions.txt'), 'utf8'),
);

/** The newest n8n of the matrix: the default of the demo, the screenshots and the benchmarks. */
export const NEWEST_N8N = MATRIX_N8N_VERSIONS[0];

/** The versions this run tests: N8N_VERSIONS (scripts/e2e.sh resolves dist-tags), else the matrix. */
export const N8N_VERSIONS = process.env.N8N_VERSIONS?.trim()
	? versionList(process.env.N8N_VERSIONS)
	: MATRIX_N8N_VERSIONS;

export interface ExecutionRow {
	id: number;
	workflowId: string;
	status: string;
	mode: string;
	finished: number;
}

/** An execution as n8n stored it: its run data (flatted in the database, parsed here). */
export interface StoredRun {
	resultData: {
		runData: Record<
			string,
			Array<{
				data?: {
					main: Array<
						Array<{
							json: Record<string, unknown>;
							binary?: Record<string, Record<string, unknown>>;
						}>
					>;
				};
				error?: { message: string; description?: string };
			}>
		>;
		error?: { message: string; description?: string };
		lastNodeExecuted?: string;
	};
}

type Database = {
	all(sql: string, params: unknown[], done: (error: Error | null, rows: unknown[]) => void): void;
	close(): void;
};

/** How long an n8n process may take to start (and 1.x to mount its REST routes). */
export const STARTUP_LIMIT_MS = 300_000;

/** A loopback port nothing listens on, for `n8n start`. */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** Installs n8n `version` into the cache on a miss (minutes), returns its directory. */
export function installN8n(version: string): string {
	return execFileSync('bash', [path.join(ROOT, 'scripts/install-n8n.sh'), version], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	})
		.trim()
		.split('\n')
		.at(-1)!;
}

/** Packs the built package (as npm would publish it) and returns the tarball's path. */
export function packPackage(outDir: string): string {
	const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], {
		cwd: ROOT,
		encoding: 'utf8',
	})
		.trim()
		.split('\n')
		.at(-1)!;
	return path.join(outDir, name);
}

export class RealN8n {
	readonly userFolder = mkdtempSync(path.join(tmpdir(), 'seedance-n8n-'));

	/** The folder workflows may read and write files in (the examples' `/home/node/.n8n-files`). */
	get filesFolder(): string {
		return path.join(this.userFolder, 'files');
	}

	readonly major: number;

	protected server?: ChildProcess;

	protected serverLog = '';

	port = 0;

	constructor(
		readonly version: string,
		readonly dir: string,
	) {
		// The installed n8n's own version: `version` may be a dist-tag such as `latest`.
		const installed = JSON.parse(
			readFileSync(path.join(dir, 'node_modules/n8n/package.json'), 'utf8'),
		) as { version: string };
		this.major = Number(installed.version.split('.')[0]);
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** n8n settings (environment variables) of the commands started from now on. */
	readonly settings: NodeJS.ProcessEnv = {};

	/** The environment every n8n command of this instance runs with. */
	get environment(): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {
			...process.env,
			// Under jest NODE_ENV is "test", which makes n8n behave as in its own unit tests.
			NODE_ENV: 'production',
			N8N_USER_FOLDER: this.userFolder,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_RUNNERS_ENABLED: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PORT: String(this.port || 5678),
			// n8n 2.x opens its task broker even with runners off: next to the server's port, so two
			// instances (the suite's and a developer's) do not collide on the default 5679.
			N8N_RUNNERS_BROKER_PORT: String((this.port || 5678) + 1),
			N8N_LOG_LEVEL: 'warn',
			DB_SQLITE_POOL_SIZE: '2',
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			// Read/Write Files from Disk may use this folder only (n8n 2.x's default is ~/.n8n-files).
			N8N_RESTRICT_FILE_ACCESS_TO: this.filesFolder,
			...this.settings,
		};
		// The URLs n8n shows and hands out (trigger URLs, resume URLs) point at this loopback server.
		if (this.port) env.WEBHOOK_URL = `${this.baseUrl}/`;
		return env;
	}

	/**
	 * Installs the package tarball the way n8n keeps community packages:
	 * ~/.n8n/nodes/node_modules/<name>.
	 */
	installPackage(tarball: string): void {
		const target = path.join(this.userFolder, '.n8n/nodes/node_modules', PACKAGE_NAME);
		mkdirSync(target, { recursive: true });
		execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
		const { version } = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as {
			version: string;
		};
		writeFileSync(
			path.join(this.userFolder, '.n8n/nodes/package.json'),
			JSON.stringify({
				name: 'installed-nodes',
				private: true,
				dependencies: { [PACKAGE_NAME]: version },
			}),
		);
	}

	/**
	 * Runs an n8n CLI command. Asynchronous on purpose: the emulator often lives in this same
	 * process, and a blocked event loop would leave n8n's requests to it unanswered.
	 */
	async cli(...args: string[]): Promise<{ code: number; output: string }> {
		const child = spawn(path.join(this.dir, 'node_modules/.bin/n8n'), args, {
			env: this.environment,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const code = await new Promise<number>((resolve) =>
			child.on('close', (exitCode) => resolve(exitCode ?? 1)),
		);
		return { code, output };
	}

	private async mustRun(...args: string[]): Promise<string> {
		const { code, output } = await this.cli(...args);
		if (code !== 0)
			throw new Error(`n8n ${args.join(' ')} failed (${code}):\n${output.slice(-3000)}`);
		return output;
	}

	private async importFile(kind: 'credentials' | 'workflow', content: unknown): Promise<void> {
		const file = path.join(
			this.userFolder,
			`import-${kind}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`,
		);
		writeFileSync(file, JSON.stringify(content));
		await this.mustRun(`import:${kind}`, `--input=${file}`);
	}

	async importCredential(credential: {
		id: string;
		name: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<void> {
		await this.importFile('credentials', [credential]);
	}

	async importWorkflow(workflow: Record<string, unknown>): Promise<void> {
		await this.importFile('workflow', { ...workflow, active: false });
	}

	/** Activates (n8n 2.x: publishes) a workflow; takes effect when n8n starts. */
	async activate(workflowId: string): Promise<void> {
		if (this.major >= 2) await this.mustRun('publish:workflow', `--id=${workflowId}`);
		else await this.mustRun('update:workflow', `--id=${workflowId}`, '--active=true');
	}

	/** Deactivates (n8n 2.x: unpublishes) a workflow; takes effect when n8n starts. */
	async deactivate(workflowId: string): Promise<void> {
		if (this.major >= 2) await this.mustRun('unpublish:workflow', `--id=${workflowId}`);
		else await this.mustRun('update:workflow', `--id=${workflowId}`, '--active=false');
	}

	/**
	 * Runs a workflow with `n8n execute` and returns the run as n8n stored it. (What `execute`
	 * prints differs between versions and between success and failure; the database does not.)
	 */
	async execute(workflowId: string): Promise<{ status: string; data: StoredRun }> {
		const before = (await this.executions(workflowId)).length;
		// A failed execution exits non-zero; its run is in the database all the same.
		const { output } = await this.cli('execute', `--id=${workflowId}`);
		const rows = await this.executions(workflowId);
		if (rows.length === before)
			throw new Error(
				`n8n execute recorded no execution of ${workflowId}:\n${output.slice(-3000)}`,
			);
		const last = rows.at(-1)!;
		return { status: last.status, data: await this.runOf(last.id) };
	}

	/**
	 * Starts `n8n start` on loopback. n8n reports ready before it has activated the workflows, so
	 * this also waits until the given webhook paths are registered.
	 */
	async start(port: number, webhookPaths: string[] = [], probePath?: string): Promise<void> {
		this.port = port;
		this.server = spawn(path.join(this.dir, 'node_modules/.bin/n8n'), ['start'], {
			env: this.environment,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const keep = (chunk: Buffer) =>
			(this.serverLog = (this.serverLog + chunk.toString()).slice(-20_000));
		this.server.stdout!.on('data', keep);
		this.server.stderr!.on('data', keep);
		// Minutes, not seconds: n8n starts in ~20 s on a quiet machine and several times that on 2
		// busy cores.
		const end = Date.now() + STARTUP_LIMIT_MS;
		while (Date.now() < end) {
			if (this.server.exitCode !== null)
				throw new Error(`n8n exited (${this.server.exitCode}):\n${this.serverLog}`);
			const ready = await fetch(`${this.baseUrl}/healthz/readiness`).then(
				(response) => response.ok,
				() => false,
			);
			if (ready) {
				const registered = new Set(
					(await this.query<{ webhookPath: string }>('SELECT webhookPath FROM webhook_entity')).map(
						(row) => row.webhookPath,
					),
				);
				// After a restart the rows are there already (n8n 1.x keeps them): a probe of a trigger path
				// that answers without starting anything (401 without a token) shows it is live.
				const live =
					!probePath ||
					(await fetch(this.webhookUrl(probePath), { method: 'POST' }).then(
						(response) => response.status !== 404,
						() => false,
					));
				if (live && webhookPaths.every((webhookPath) => registered.has(webhookPath))) return;
			}
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(
			`n8n did not become ready (or register ${webhookPaths.join(', ')}) in ${STARTUP_LIMIT_MS / 1000} s:\n${this.serverLog}`,
		);
	}

	private cookie?: string;

	private loggingIn?: Promise<void>;

	/**
	 * Sets up the owner account of the running server (once) and logs in; REST calls then use it.
	 * Calls at once share one login (n8n refuses a burst of logins with 429).
	 */
	async loginAsOwner(): Promise<void> {
		if (this.cookie) return;
		this.loggingIn ??= this.setUpAndLogIn().finally(() => (this.loggingIn = undefined));
		await this.loggingIn;
	}

	private async setUpAndLogIn(): Promise<void> {
		const owner = {
			email: 'owner@example.com',
			firstName: 'E2E',
			lastName: 'Owner',
			password: 'E2e-Passw0rd!',
		};
		// n8n 1.x reports ready before its REST routes are mounted: a 404 here, or a connection it
		// resets while it mounts them (busy cores), means "not yet".
		let setup: Response | undefined;
		for (let tries = 0; ; tries++) {
			setup = await fetch(`${this.baseUrl}/rest/owner/setup`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(owner),
			}).catch(() => undefined);
			if ((setup && setup.status !== 404) || tries >= STARTUP_LIMIT_MS / 1000) break;
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
		if (!setup?.ok) throw new Error(`Owner setup failed: ${setup?.status} ${await setup?.text()}`);
		const login = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				emailOrLdapLoginId: owner.email,
				email: owner.email,
				password: owner.password,
			}),
		});
		if (!login.ok) throw new Error(`Login failed: ${login.status} ${await login.text()}`);
		this.cookie = login.headers
			.getSetCookie()
			.map((cookie) => cookie.split(';')[0])
			.join('; ');
	}

	/** The owner's session as browser cookies (after `loginAsOwner`). */
	sessionCookies(): Array<{ name: string; value: string; url: string }> {
		return (this.cookie ?? '')
			.split('; ')
			.filter(Boolean)
			.map((pair) => {
				const at = pair.indexOf('=');
				return { name: pair.slice(0, at), value: pair.slice(at + 1), url: this.baseUrl };
			});
	}

	/** A call to n8n's REST API as the owner (what the editor does). */
	async rest(
		method: string,
		pathPart: string,
		body?: unknown,
	): Promise<{ status: number; body: unknown }> {
		await this.loginAsOwner();
		const response = await fetch(`${this.baseUrl}/rest/${pathPart}`, {
			method,
			headers: { 'content-type': 'application/json', cookie: this.cookie ?? '' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
	}

	/**
	 * Runs a saved workflow from its trigger as the editor's Execute workflow button does
	 * (`POST /rest/workflows/:id/run`) and returns the execution's id. n8n 2.x runs the saved
	 * workflow from `triggerToStartFrom`; 1.x runs the `workflowData` it is sent.
	 */
	async runManually(workflowId: string, trigger = 'Start'): Promise<number> {
		const saved = await this.rest('GET', `workflows/${workflowId}`);
		const workflowData = (saved.body as { data: unknown }).data;
		const run = await this.rest('POST', `workflows/${workflowId}/run`, {
			workflowData,
			triggerToStartFrom: { name: trigger },
		});
		const id = (run.body as { data?: { executionId?: string } } | null)?.data?.executionId;
		if (run.status !== 200 || !id)
			throw new Error(
				`Manual run of ${workflowId} refused: ${run.status} ${JSON.stringify(run.body).slice(0, 500)}`,
			);
		return Number(id);
	}

	/** The process id of the running `n8n start` (its node process). */
	get pid(): number | undefined {
		return this.running ? this.server!.pid : undefined;
	}

	/** Whether n8n says it is ready: it answers 503 to everything while its database ping fails. */
	async ready(): Promise<boolean> {
		return await fetch(`${this.baseUrl}/healthz/readiness`).then(
			(response) => response.ok,
			() => false,
		);
	}

	get running(): boolean {
		return this.server !== undefined && this.server.exitCode === null;
	}

	get log(): string {
		return this.serverLog;
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server || server.exitCode !== null) return;
		const exited = new Promise((resolve) => server.once('exit', resolve));
		server.kill('SIGTERM');
		const timer = setTimeout(() => server.kill('SIGKILL'), 20_000);
		await exited;
		clearTimeout(timer);
	}

	remove(): void {
		rmSync(this.userFolder, { recursive: true, force: true });
	}

	/** A production webhook URL of this n8n. */
	webhookUrl(pathPart: string): string {
		return `${this.baseUrl}/webhook/${pathPart}`;
	}

	protected async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
		// n8n's own sqlite3, built for the Node that runs n8n (the same Node 24 runs this).
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const sqlite3 = require(path.join(this.dir, 'node_modules/sqlite3')) as {
			Database: new (file: string, mode: number) => Database;
			OPEN_READONLY: number;
		};
		const db = new sqlite3.Database(
			path.join(this.userFolder, '.n8n/database.sqlite'),
			sqlite3.OPEN_READONLY,
		);
		try {
			return await new Promise<T[]>((resolve, reject) =>
				db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))),
			);
		} finally {
			db.close();
		}
	}

	/** The workflow's static data as n8n saved it: what a restart starts from. */
	async staticData(workflowId: string): Promise<Record<string, Record<string, unknown>>> {
		const [row] = await this.query<{ staticData: string | object | null }>(
			'SELECT staticData FROM workflow_entity WHERE id = ?',
			[workflowId],
		);
		// sqlite gives the JSON text, PostgreSQL the parsed value.
		const data = typeof row?.staticData === 'string' ? JSON.parse(row.staticData) : row?.staticData;
		return (data ?? {}) as never;
	}

	async executions(workflowId: string): Promise<ExecutionRow[]> {
		return await this.query<ExecutionRow>(
			'SELECT id, workflowId, status, mode, finished FROM execution_entity WHERE workflowId = ? ORDER BY id',
			[workflowId],
		);
	}

	async runOf(executionId: number): Promise<StoredRun> {
		const [row] = await this.query<{ data: string }>(
			'SELECT data FROM execution_data WHERE executionId = ?',
			[executionId],
		);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const flatted = require(path.join(this.dir, 'node_modules/flatted')) as {
			parse(text: string): unknown;
		};
		return flatted.parse(row.data) as StoredRun;
	}

	/** The execution's custom data (n8n's execution metadata table). */
	async customDataOf(executionId: number): Promise<Record<string, string>> {
		const rows = await this.query<{ key: string; value: string }>(
			'SELECT key, value FROM execution_metadata WHERE executionId = ?',
			[executionId],
		);
		return Object.fromEntries(rows.map((row) => [row.key, row.value]));
	}

	/** Where n8n stored a binary item on disk (filesystem mode). */
	binaryPath(binary: Record<string, unknown>): string {
		const [mode, relative] = String(binary.id ?? '').split(/:(.*)/s);
		return path.join(
			this.userFolder,
			// n8n 2.x keeps its files under storage/, 1.x under binaryData/ (for either id layout).
			mode === 'filesystem-v2' && this.major >= 2 ? '.n8n/storage' : '.n8n/binaryData',
			relative,
		);
	}

	/**
	 * The bytes of a binary item and the mode n8n stored them in: `database` (a row of its
	 * database), `filesystem`/`filesystem-v2` (a file), or `default` (inline base64, 1.x).
	 */
	async storedBinary(binary: Record<string, unknown>): Promise<{ mode: string; bytes: Buffer }> {
		if (typeof binary.id !== 'string' || !binary.id)
			return { mode: 'default', bytes: this.binaryBytes(binary) };
		const [mode, fileId] = binary.id.split(/:(.*)/s);
		if (mode !== 'database') return { mode, bytes: this.binaryBytes(binary) };
		const [row] = await this.query<{ data: Buffer }>(
			'SELECT data FROM binary_data WHERE fileId = ?',
			[fileId],
		);
		if (!row) throw new Error(`No binary_data row for ${binary.id}`);
		return { mode, bytes: row.data };
	}

	/**
	 * The bytes of a binary item as n8n stored them (filesystem mode, or inline base64 in 1.x's
	 * default mode).
	 */
	binaryBytes(binary: Record<string, unknown>): Buffer {
		if (typeof binary.id !== 'string' || !binary.id)
			return Buffer.from(String(binary.data ?? ''), 'base64');
		const file = this.binaryPath(binary);
		if (!existsSync(file)) throw new Error(`Binary file ${file} not found`);
		return readFileSync(file);
	}
}
