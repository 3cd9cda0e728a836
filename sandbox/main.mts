/**
 * The local 1MSG sandbox on its own, as `npm start` runs it beside n8n (README, "Play a customer").
 *
 *   node sandbox/main.mts [--port 8899]
 */
import { parseArgs } from 'node:util';
import { FakeOneMsg } from './fakeOneMsg.mts';
import { SANDBOX, sandboxGuide } from './sandboxScript.mts';

const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.ONEMSG_SANDBOX_PORT ?? '8899' } } });
const time = () => new Date().toISOString().slice(11, 19);
const sandbox = new FakeOneMsg({ ...SANDBOX, delivery: { stepMs: 2500 }, log: (line) => console.log(`${time()} ${line}`) });
await sandbox.start(Number(values.port));
console.log(`${time()} 1MSG sandbox on ${sandbox.baseUrl}: channel ${sandbox.channelId}, token ${sandbox.token}`);
for (const line of sandboxGuide(sandbox)) console.log(`${time()} ${line}`);
