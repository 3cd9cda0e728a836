/**
 * A real n8n on this machine, for `npm start` and the end-to-end suite: the pinned n8n of `n8n/`,
 * this package installed into a user folder the way Settings → Community Nodes installs it, the
 * CLI for imports, one `n8n start` process per user folder, and its REST API for publishing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const N8N_APP = path.join(ROOT, 'n8n');
export const N8N_BIN = path.join(N8N_APP, 'node_modules', 'n8n', 'bin', 'n8n');
export const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

type Log = (line: string) => void;

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
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

/** Installs the pinned n8n of `n8n/` once (about 3 minutes, most of it compiling sqlite3). */
export async function ensureN8n(log: Log = () => {}): Promise<void> {
	const stamp = path.join(N8N_APP, 'node_modules', '.onemsg-installed');
	const want = `${readFileSync(path.join(N8N_APP, 'package-lock.json'), 'utf8').length}:${process.version}`;
	if (existsSync(N8N_BIN) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
	log('installing n8n (pinned in n8n/package-lock.json) — once, about 3 minutes');
	// Scripts off: the optional Kafka module cannot build offline and n8n does not need it.
	await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: N8N_APP, quiet: true });
	log('compiling sqlite3 for this Node');
	await run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], { cwd: N8N_APP, quiet: true });
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

export interface N8nOptions {
	userFolder: string;
	port: number;
	/** The task runner broker's port; 5679 by default in n8n, so set one per process. */
	brokerPort: number;
	env?: NodeJS.ProcessEnv;
	logFile?: string;
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

/** An n8n CLI command (import:credentials, import:workflow, …) against a user folder. */
export async function n8nCli(options: N8nOptions, args: string[]): Promise<string> {
	return await run(process.execPath, [N8N_BIN, ...args], { env: n8nEnv(options), quiet: true });
}

/** One `n8n start`, stopped by the PID it started with. */
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

	start(): void {
		// Whatever way the starting process ends (an error in a benchmark, say), n8n ends with it.
		process.once('exit', () => {
			if (!this.exited) this.child?.kill('SIGKILL');
		});
		const log = this.options.logFile ? createWriteStream(this.options.logFile, { flags: 'a' }) : undefined;
		this.child = spawn(process.execPath, [N8N_BIN, 'start'], {
			cwd: this.options.userFolder,
			env: { ...process.env, ...n8nEnv(this.options) },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const collect = (chunk: Buffer) => {
			this.output += chunk.toString();
			log?.write(chunk);
		};
		this.child.stdout!.on('data', collect);
		this.child.stderr!.on('data', collect);
	}

	get exited(): boolean {
		return !this.child || this.child.exitCode !== null || this.child.signalCode !== null;
	}

	/** Polls until `ready` answers true; fails early if n8n exits. */
	async waitFor(what: string, ready: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.exited) throw new Error(`n8n exited (${this.child?.exitCode ?? this.child?.signalCode}) while waiting for ${what}:\n${this.output.slice(-4000)}`);
			if (await ready().catch(() => false)) return;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		throw new Error(`timed out waiting for ${what}:\n${this.output.slice(-4000)}`);
	}

	async waitUntilUp(): Promise<void> {
		// /healthz and some routes answer before the REST controllers are mounted: wait for the login route
		await this.waitFor('n8n to answer', async () => (await fetch(`${this.baseUrl}/rest/login`)).status === 401);
	}

	async stop(): Promise<void> {
		const child = this.child;
		if (!child || this.exited) return;
		const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
		await gone;
		clearTimeout(timer);
	}
}

/** n8n's own REST API, as the editor uses it: owner setup, workflows, executions. */
export class N8nRest {
	private cookie = '';
	readonly baseUrl: string;

	constructor(baseUrl: string) {
		this.baseUrl = baseUrl;
	}

	async request<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const answer = await fetch(`${this.baseUrl}/rest${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': 'onemsg-local',
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = answer.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (setCookie) this.cookie = setCookie.split(';')[0];
		const text = await answer.text();
		if (!answer.ok) throw new Error(`${method} /rest${urlPath}: HTTP ${answer.status} ${text.slice(0, 500)}`);
		const json = text ? JSON.parse(text) : {};
		return (json && typeof json === 'object' && 'data' in json ? json.data : json) as T;
	}

	async setupOwner(email = 'owner@example.com', password = 'Onemsg-local-1'): Promise<void> {
		await this.request('POST', '/owner/setup', { email, password, firstName: 'Local', lastName: 'Owner' });
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
		const flatted = createRequire(path.join(N8N_APP, 'node_modules', 'n8n', 'package.json'))('flatted') as { parse: (s: string) => unknown };
		const data = flatted.parse(execution.data) as { resultData: { runData: never } };
		return data.resultData.runData;
	}
}
