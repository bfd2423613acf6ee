/**
 * n8n in queue mode on loopback, as users scale it out: Redis (the queue) and PostgreSQL (the
 * database) from Debian's packages, started here with their data in a temporary folder; an
 * `n8n start` main process, `n8n worker` processes and `n8n webhook` processes, all sharing one
 * user folder with the package installed. scripts/e2e.sh installs the two servers when missing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { RealN8n, STARTUP_LIMIT_MS, freePort } from './realN8n';

/** Where Debian's PostgreSQL keeps its server programs (initdb, pg_ctl). */
function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root) ? readdirSync(root).sort() : [];
	const found = versions
		.reverse()
		.find((version) => existsSync(path.join(root, version, 'bin/initdb')));
	if (!found) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql');
	return path.join(root, found, 'bin');
}

const isRoot = () => process.getuid?.() === 0;

/** A PostgreSQL program's command line: through `runuser -u postgres` when this runs as root. */
function asPostgresUser(program: string, args: string[]): [string, string[]] {
	return isRoot() ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
}

/**
 * Whether process `pid` itself holds the listening socket of `port` (Linux /proc): a process that
 * lost its port to another still sees the other's answers.
 */
function listensOn(pid: number, port: number): boolean {
	const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
	const listening = new Set<string>();
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
			const columns = line.trim().split(/\s+/);
			// local address, state 0A (LISTEN), inode
			if (columns[1]?.endsWith(hexPort) && columns[3] === '0A') listening.add(columns[9]);
		}
	}
	return readdirSync(`/proc/${pid}/fd`).some((fd) => {
		try {
			const [, inode] = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`)) ?? [];
			return inode !== undefined && listening.has(inode);
		} catch {
			return false;
		}
	});
}

async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await probe().catch(() => false)) return;
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
	throw new Error(`${what} did not become ready in ${ms / 1000} s`);
}

function isFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const probe = createNetServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

/** Redis and PostgreSQL servers of this test run only. */
export class QueueServices {
	readonly dir = mkdtempSync(path.join(tmpdir(), 'seedance-queue-'));
	redisPort = 0;
	postgresPort = 0;
	private redis?: ChildProcess;

	async start(): Promise<void> {
		this.redisPort = await freePort();
		this.redis = spawn(
			'redis-server',
			[
				'--port',
				String(this.redisPort),
				'--bind',
				'127.0.0.1',
				'--save',
				'',
				'--appendonly',
				'no',
				'--dir',
				this.dir,
			],
			{ stdio: 'ignore' },
		);
		await until(
			async () =>
				execFileSync('redis-cli', ['-p', String(this.redisPort), 'ping'], {
					encoding: 'utf8',
				}).trim() === 'PONG',
			20_000,
			'Redis',
		);

		// PostgreSQL refuses to run as root: as root its folder belongs to the postgres user; anyone
		// else (a CI runner) runs it as themselves.
		this.postgresPort = await freePort();
		const data = path.join(this.dir, 'postgres');
		const bin = postgresBin();
		const asPostgres = (program: string, args: string[]) =>
			execFileSync(...asPostgresUser(path.join(bin, program), args), {
				stdio: ['ignore', 'pipe', 'pipe'],
			});
		if (isRoot()) execFileSync('chown', ['postgres:postgres', this.dir]);
		asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
		asPostgres('pg_ctl', [
			'-D',
			data,
			'-l',
			path.join(data, 'server.log'),
			'-o',
			`-p ${this.postgresPort} -k ${data} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`,
			'-w',
			'start',
		]);
		execFileSync('psql', [
			'-h',
			'127.0.0.1',
			'-p',
			String(this.postgresPort),
			'-U',
			'postgres',
			'-c',
			'CREATE DATABASE n8n',
		]);
	}

	async stop(): Promise<void> {
		this.redis?.kill('SIGTERM');
		const data = path.join(this.dir, 'postgres');
		if (existsSync(path.join(data, 'postmaster.pid')))
			execFileSync(
				...asPostgresUser(path.join(postgresBin(), 'pg_ctl'), [
					'-D',
					data,
					'-m',
					'fast',
					'-w',
					'stop',
				]),
				{ stdio: 'ignore' },
			);
		rmSync(this.dir, { recursive: true, force: true });
	}
}

/**
 * A round-robin HTTP proxy in front of the webhook processes, as users put one: the URL n8n hands
 * out (WEBHOOK_URL: trigger URLs, resume URLs) points here.
 */
export class LoadBalancer {
	readonly targets: number[] = [];
	port = 0;
	private next = 0;
	private server?: Server;

	async start(): Promise<string> {
		this.port = await freePort();
		this.server = createServer((incoming, outgoing) => {
			const target = this.targets[this.next++ % this.targets.length];
			const forwarded = request(
				{
					host: '127.0.0.1',
					port: target,
					method: incoming.method,
					path: incoming.url,
					headers: incoming.headers,
				},
				(answer) => {
					outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(outgoing);
				},
			);
			forwarded.on('error', () => outgoing.writeHead(502).end());
			incoming.pipe(forwarded);
		});
		await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
		return this.url;
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	async stop(): Promise<void> {
		await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
	}
}

interface Process {
	label: string;
	child: ChildProcess;
	port: number;
	log: string;
}

/** Ends a process: SIGTERM, then SIGKILL if it has not exited within 20 s. */
async function stopProcess({ child }: Process): Promise<void> {
	if (child.exitCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
	await exited;
	clearTimeout(timer);
}

/** One n8n in queue mode: main (`start`), workers and webhook processes, one database, one queue. */
export class QueueN8n extends RealN8n {
	private readonly others: Process[] = [];

	constructor(
		version: string,
		dir: string,
		private readonly services: QueueServices,
	) {
		super(version, dir);
	}

	/** Where the service and users reach the webhook processes. */
	readonly balancer = new LoadBalancer();

	get environment(): NodeJS.ProcessEnv {
		return {
			...super.environment,
			...(this.balancer.port ? { WEBHOOK_URL: `${this.balancer.url}/` } : {}),
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.services.redisPort),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.services.postgresPort),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			// Every process must decrypt the same credentials.
			N8N_ENCRYPTION_KEY: 'seedance-queue-mode-e2e-key',
			// Production webhooks are served by the webhook processes only, as behind a load balancer.
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		};
	}

	private readonly portsGiven = new Set<number>();

	/**
	 * A free port below Linux's ephemeral range (32768 up), given to no process of this n8n yet.
	 * n8n's processes open listeners of their own on ephemeral ports (task runners, brokers): a
	 * port from that range could be taken between choosing it and the process binding it.
	 */
	private async uniquePort(): Promise<number> {
		for (;;) {
			const port = 20_000 + Math.floor(Math.random() * 12_000);
			if (this.portsGiven.has(port) || !(await isFree(port))) continue;
			this.portsGiven.add(port);
			return port;
		}
	}

	/** Which worker started which execution, in order (a resumed execution starts again). */
	private readonly starts = new Map<number, string[]>();

	/** The workers that started this execution, from their logs ("Worker started execution N"). */
	workersThatStarted(executionId: number): string[] {
		return this.starts.get(executionId) ?? [];
	}

	private async spawnProcess(label: string, args: string[], probe: string): Promise<Process> {
		const port = await this.uniquePort();
		const worker = args[0] === 'worker';
		const child = spawn(path.join(this.dir, 'node_modules/.bin/n8n'), args, {
			env: {
				...this.environment,
				N8N_PORT: String(port),
				QUEUE_HEALTH_CHECK_PORT: String(port),
				N8N_RUNNERS_BROKER_PORT: String(await this.uniquePort()),
				// A worker logs each execution it starts at the info level.
				...(worker ? { N8N_LOG_LEVEL: 'info' } : {}),
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const process: Process = { label, child, port, log: '' };
		let partial = '';
		const keep = (chunk: Buffer) => {
			process.log = (process.log + chunk.toString()).slice(-20_000);
			if (!worker) return;
			const lines = (partial + chunk.toString()).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines) {
				const [, id] = /Worker started execution (\d+)/.exec(line) ?? [];
				if (id) this.starts.set(Number(id), [...this.workersThatStarted(Number(id)), label]);
			}
		};
		child.stdout!.on('data', keep);
		child.stderr!.on('data', keep);
		this.others.push(process);
		await until(
			async () => {
				if (child.exitCode !== null) throw new Error(`${label} exited:\n${process.log}`);
				const answered = (await fetch(`http://127.0.0.1:${port}${probe}`)).ok;
				return answered && listensOn(child.pid!, port);
			},
			STARTUP_LIMIT_MS,
			label,
		).catch((error: Error) => {
			throw new Error(`${error.message}\n${process.log}`);
		});
		return process;
	}

	/**
	 * Starts the whole topology: the load balancer first (its URL is every process's WEBHOOK_URL),
	 * main, the workers running `concurrency` jobs each, then the webhook processes behind the
	 * balancer. Returns the webhook processes' own base URLs.
	 */
	async startAll(options: {
		workers: number;
		concurrency: number;
		webhookProcesses: number;
		webhookPaths?: string[];
	}): Promise<string[]> {
		this.portsGiven.add(await this.balancer.start().then(() => this.balancer.port));
		const mainPort = await this.uniquePort();
		// Main's task broker listens on the next port (see RealN8n's environment).
		this.portsGiven.add(mainPort + 1);
		await this.start(mainPort, options.webhookPaths);
		for (let index = 0; index < options.workers; index++)
			await this.spawnProcess(
				`worker ${index + 1}`,
				['worker', `--concurrency=${options.concurrency}`],
				'/healthz',
			);
		const urls: string[] = [];
		for (let index = 0; index < options.webhookProcesses; index++) {
			const { port } = await this.spawnProcess(`webhook ${index + 1}`, ['webhook'], '/healthz');
			this.balancer.targets.push(port);
			urls.push(`http://127.0.0.1:${port}`);
		}
		return urls;
	}

	/**
	 * Stops every webhook process (SIGTERM, as a deploy does) and starts new ones behind the
	 * balancer: what they knew in memory is gone, what they saved is in the database. Returns
	 * their base URLs.
	 */
	async restartWebhookProcesses(): Promise<string[]> {
		const old = this.others.filter((process) => process.label.startsWith('webhook'));
		for (const process of old) this.others.splice(this.others.indexOf(process), 1);
		await Promise.all(old.map(async (process) => await stopProcess(process)));
		this.balancer.targets.length = 0;
		const urls: string[] = [];
		for (const [index] of old.entries()) {
			const { port } = await this.spawnProcess(`webhook ${index + 1}`, ['webhook'], '/healthz');
			this.balancer.targets.push(port);
			urls.push(`http://127.0.0.1:${port}`);
		}
		return urls;
	}

	/** Which worker ran an execution is not recorded; which process logged what is. */
	logs(): string {
		return this.others.map((process) => `--- ${process.label}\n${process.log}`).join('\n');
	}

	async stop(): Promise<void> {
		await Promise.all(this.others.splice(0).map(async (process) => await stopProcess(process)));
		await super.stop();
		await this.balancer.stop();
	}

	/** The sqlite statements of RealN8n, spoken to PostgreSQL (quoted camelCase names, $n). */
	protected async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
		let index = 0;
		const text = sql
			.replace(/\b(webhookPath|workflowId|executionId|fileId|staticData)\b/g, '"$1"')
			.replace(/\?/g, () => `$${++index}`);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const pg = require(path.join(this.dir, 'node_modules/pg')) as {
			Client: new (config: Record<string, unknown>) => {
				connect(): Promise<void>;
				query(text: string, values: unknown[]): Promise<{ rows: T[] }>;
				end(): Promise<void>;
			};
		};
		const client = new pg.Client({
			host: '127.0.0.1',
			port: this.services.postgresPort,
			user: 'postgres',
			database: 'n8n',
		});
		await client.connect();
		try {
			return (await client.query(text, params)).rows;
		} finally {
			await client.end();
		}
	}
}
