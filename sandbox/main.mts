/**
 * The local 1MSG sandbox: the test suites' fake 1MSG API as a small tool. Answers like the real API
 * and, after each accepted message, POSTs delivery reports to the channel's webhooks: sent, then
 * delivered, then read; phones ending in 0000 get failed instead. Free-form replies (sendMessage,
 * sendFile, sendButton) go through while the customer's 24-hour window is open, and
 * `POST /sandbox/customer {"text":"…"}` (or `{"document":true}`) plays a customer writing in.
 *
 *   node sandbox/main.mts [--port 8899] [--channel 371267300] [--token sandbox-token] [--step-ms 2500]
 */
import { parseArgs } from 'node:util';
import { CUSTOMER_PATH, FAILING_PHONE_SUFFIX, FakeOneMsg } from './fakeOneMsg.mts';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: process.env.ONEMSG_SANDBOX_PORT ?? '8899' },
		channel: { type: 'string', default: '371267300' },
		token: { type: 'string', default: 'sandbox-token' },
		'step-ms': { type: 'string', default: '2500' },
		host: { type: 'string', default: '127.0.0.1' },
	},
});

const time = () => new Date().toISOString().slice(11, 19);
const sandbox = new FakeOneMsg({
	channelId: values.channel,
	token: values.token,
	delivery: { stepMs: Number(values['step-ms']) },
	log: (line) => console.log(`${time()} ${line}`),
});
await sandbox.start(Number(values.port), values.host);
console.log(`${time()} 1MSG sandbox on ${sandbox.baseUrl}: channel ${sandbox.channelId}; templates ${sandbox.templates.map((t) => t.name).join(', ')}; phones ending in ${FAILING_PHONE_SUFFIX} fail`);
console.log(`${time()} play a customer: curl -d '{"text":"Hi, my order did not arrive"}' ${sandbox.baseUrl}${CUSTOMER_PATH}   (or '{"document":true}')`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		void sandbox.stop().then(() => process.exit(0));
	});
}
