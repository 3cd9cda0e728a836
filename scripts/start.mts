/**
 * `npm start`: the package inside a real n8n, with a local 1MSG sandbox, in one command.
 * project.sh has already brought Node 24, the dev dependencies and a fresh build.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeOneMsg } from '../sandbox/fakeOneMsg.mts';
import { SANDBOX, sandboxGuide } from '../sandbox/sandboxScript.mts';
import { exampleCredential, exampleWorkflows, LocalN8n, OWNER, packPackage } from './lib/localN8n.mts';
import { ROOT } from './lib/processes.mts';

const DATA = path.join(ROOT, '.n8n-local');
const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.ONEMSG_SANDBOX_PORT ?? 8899);
const STATE = path.join(DATA, 'sandbox-state.json');
const time = () => new Date().toISOString().slice(11, 19);
const say = (line: string) => console.log(`\u001b[1m[onemsg]\u001b[0m ${line}`);

mkdirSync(DATA, { recursive: true });
const started = Date.now();

const sandbox = new FakeOneMsg({ ...SANDBOX, delivery: { stepMs: 2500 }, log: (line) => console.log(`${time()} sandbox ${line}`) });
// n8n does not re-register webhooks on restart, so the sandbox keeps its channel settings across runs
if (existsSync(STATE)) Object.assign(sandbox, JSON.parse(readFileSync(STATE, 'utf8')));
sandbox.onChange = () =>
	writeFileSync(STATE, JSON.stringify({ webhookUrl: sandbox.webhookUrl, ackNotificationsOn: sandbox.ackNotificationsOn }));
await sandbox.start(SANDBOX_PORT);

// the examples once: later runs keep what the user changed in them
const examplesStamp = path.join(DATA, 'main', '.examples-imported');
const examples = exampleWorkflows(sandbox.baseUrl);
say('installing the packed package into the local n8n, as Settings → Community Nodes does, and starting it');
const n8n = new LocalN8n({
	dir: DATA,
	tarball: await packPackage(path.join(DATA, 'pack')),
	port: N8N_PORT,
	credentials: [exampleCredential(sandbox.credential)],
	workflows: existsSync(examplesStamp) ? [] : examples,
	log: say,
});
let stopping = false;
async function stopAll(code: number) {
	if (stopping) return;
	stopping = true;
	say('stopping n8n and the sandbox');
	await n8n.stop();
	await sandbox.stop();
	// n8n copies its editor's 46 MB of JavaScript here at each start; left in the project, `eslint .`
	// (npm run lint) would read all of it
	rmSync(path.join(DATA, 'main', '.cache'), { recursive: true, force: true });
	process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
try {
	await n8n.start();
	writeFileSync(examplesStamp, new Date().toISOString());
} catch (error) {
	console.error(String(error));
	await stopAll(1);
}

say(`ready in ${Math.round((Date.now() - started) / 1000)} s
  n8n          http://localhost:${N8N_PORT}   owner ${OWNER.email}, password ${OWNER.password} (log in .n8n-local/main/n8n.log)
  1MSG sandbox ${sandbox.baseUrl}   channel ${SANDBOX.channelId}, token ${SANDBOX.token}
               ${sandboxGuide(sandbox).join('\n               ')}
  credential   "OneMsg sandbox" (points at the sandbox)
  examples     ${examples.map((w) => `"${w.name}"`).join('\n               ')}
  Ctrl-C stops everything`);

const watchdog = setInterval(() => {
	if (n8n.main.exited && !stopping) {
		clearInterval(watchdog);
		console.error(n8n.main.output.slice(-3000));
		say('n8n stopped on its own');
		void stopAll(1);
	}
}, 1000);
