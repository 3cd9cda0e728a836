/**
 * `npm run bench`: the package inside the real n8n of `n8n/`, against the sandbox set to 25 ms per
 * send and at most 20 sends in flight (429 beyond). Prints medians side by side:
 *   (a) OneMsg Send Template at default settings
 *   (b) n8n's HTTP Request node configured by hand for the same request, batching 20 items at a time
 *   (c) a bare client loop (undici, 20 at a time) from this process
 * plus n8n's peak memory, 10,000 items through (a), and one POST of 1,000 `ack[]` events into the
 * OneMsg Trigger against a plain Webhook node + Split Out, and the delivery report stream of
 * benchReports.mts (single and queue mode). Runs alternate; medians and ratios.
 *
 *   npm run bench -- [--items 1000] [--repeats 5] [--big 10000] [--reports-only]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { DEFAULT_NAMESPACE, FakeOneMsg } from '../sandbox/fakeOneMsg.mts';
import { sendLimit } from '../sandbox/sendLimit.mts';
import { benchParts, benchReportStream, median } from './benchReports.mts';
import { freePort, LocalN8n, packPackage, waitUntil, webhookNode, workflow } from './lib/localN8n.mts';

const { values: args } = parseArgs({
	options: {
		items: { type: 'string', default: '1000' },
		repeats: { type: 'string', default: '5' },
		big: { type: 'string', default: '10000' },
		events: { type: 'string', default: '1000' },
		// n8n's expression engine: 'vm' (n8n 2.40's default) or 'legacy'
		engine: { type: 'string', default: '' },
		// the delivery report stream (scripts/benchReports.mts)
		'stream-requests': { type: 'string', default: '1000' },
		'stream-clients': { type: 'string', default: '10' },
		'stream-rounds': { type: 'string', default: '2' },
		// e.g. 3,4: only those rows of the report stream table
		'stream-variants': { type: 'string', default: '' },
		'reports-only': { type: 'boolean', default: false },
	},
});
const ITEMS = Number(args.items);
const REPEATS = Number(args.repeats);
const BIG = Number(args.big);
const EVENTS = Number(args.events);
const LATENCY_MS = 25;
const MAX_IN_FLIGHT = 20;
const say = (line: string) => console.error(`[bench] ${line}`);
// Ctrl-C: exit normally, so that every n8n, Redis and Postgres it started is stopped with it
process.once('SIGINT', () => process.exit(130));

// ---- setup ----------------------------------------------------------------------------------
const dir = mkdtempSync(path.join(tmpdir(), 'onemsg-bench-'));
const sandbox = new FakeOneMsg({ token: 'bench-token' });
const limit = sendLimit(LATENCY_MS, MAX_IN_FLIGHT);
sandbox.intercept(limit);
await sandbox.start(await freePort());
const tarball = await packPackage(path.join(dir, 'pack'));
const reportStream = async () =>
	await benchReportStream({
		dir, tarball, sandbox, log: say,
		requests: Number(args['stream-requests']), clients: Number(args['stream-clients']), rounds: Number(args['stream-rounds']),
		variants: args['stream-variants'].split(',').filter(Boolean).map(Number),
	});
if (args['reports-only']) {
	console.log(await reportStream());
	await sandbox.stop();
	process.exit(0);
}

const { credentials, credential, trigger: triggerNode, done, triggerUrl: registeredTrigger, waitRoute } = benchParts(sandbox);
const webhook = (webhookPath: string, responseMode: 'lastNode' | 'onReceived') => webhookNode('Webhook', webhookPath, responseMode, { responseData: 'noData' });
const splitOut = (field: string) => ({ name: 'Split Out', type: 'n8n-nodes-base.splitOut', parameters: { fieldToSplitOut: field, options: {} } });

const oneMsgSend = {
	name: 'OneMsg', type: 'n8n-nodes-onemsg.oneMsgSendTemplate', credentials,
	parameters: {
		operation: 'ticketAccepted', phone: '={{ $json.phone }}', customerName: '={{ $json.name }}', ticketNumber: '={{ $json.ticket }}',
		nextStep: '={{ $json.nextStep }}', template: { __rl: true, mode: 'name', value: 'ticket_accepted' }, language: 'en', namespace: '', options: {},
	},
};
const httpRequestSend = {
	name: 'HTTP Request', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2,
	parameters: {
		method: 'POST',
		url: `${sandbox.baseUrl}/${sandbox.channelId}/sendTemplate`,
		sendHeaders: true,
		headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${sandbox.token}` }] },
		sendBody: true,
		specifyBody: 'json',
		jsonBody: `={{ JSON.stringify({ phone: String($json.phone).replace(/\\D/g, ''), template: 'ticket_accepted', namespace: '${DEFAULT_NAMESPACE}', language: { policy: 'deterministic', code: 'en' }, params: [{ type: 'body', parameters: [{ type: 'text', text: String($json.name) }, { type: 'text', text: String($json.ticket) }, { type: 'text', text: String($json.nextStep) }] }] }) }}`,
		// n8n sends a whole batch at once and starts the next one after batchInterval ms without
		// waiting for answers: the interval is tuned below to the smallest that causes no 429.
		options: { batching: { batch: { batchSize: MAX_IN_FLIGHT, batchInterval: "={{ $('Webhook').first().json.body.interval }}" } } },
	},
};
const workflows = [
	workflow('benchOneMsgNode1', 'bench (a) OneMsg node', [webhook('bench/node', 'lastNode'), splitOut('body.tickets'), oneMsgSend]),
	workflow('benchHttpRequest', 'bench (b) HTTP Request node', [webhook('bench/http', 'lastNode'), splitOut('body.tickets'), httpRequestSend]),
	// the same workflow without the send: what n8n itself needs for the items
	workflow('benchControlNoOp', 'bench control: Webhook + Split Out + No Op', [
		webhook('bench/noop', 'lastNode'),
		splitOut('body.tickets'),
		{ name: 'No Op', type: 'n8n-nodes-base.noOp', parameters: {} },
	]),
	workflow('benchOneMsgTrig1', 'bench trigger: OneMsg Trigger', [triggerNode('bcc0ffee-0000-4000-8000-00000000c0c1'), done]),
	workflow('benchPlainWebhk1', 'bench trigger: Webhook + Split Out', [webhook('bench/plain', 'onReceived'), splitOut('body.ack'), done]),
];
const local = await new LocalN8n({
	dir,
	tarball,
	credentials: [credential],
	workflows,
	env: args.engine ? { N8N_EXPRESSION_ENGINE: args.engine } : {},
	log: say,
}).start();
const n8n = local.main;
const rest = local.rest;
for (const { id } of workflows) await rest.publish(id);
say(`n8n pid ${n8n.pid} at ${n8n.baseUrl}; sandbox ${sandbox.baseUrl} (${LATENCY_MS} ms per send, ${MAX_IN_FLIGHT} in flight, 429 beyond)`);

// ---- measuring ------------------------------------------------------------------------------
const procStatus = (field: string) => {
	const match = readFileSync(`/proc/${n8n.pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`));
	return match ? Number(match[1]) / 1024 : NaN;
};
/** Resets the kernel's peak-RSS mark of the n8n process, so VmHWM is the peak of the next run. */
const resetPeak = () => writeFileSync(`/proc/${n8n.pid}/clear_refs`, '5');

const tickets = (n: number, run: number) =>
	Array.from({ length: n }, (_, i) => ({ phone: `+1 415 ${String(run).padStart(3, '0')} ${String(i).padStart(5, '0')}`, name: 'Maria', ticket: 10000 + i, nextStep: 'Expect a reply within 2 hours' }));

interface Sample { ms: number; sent: number; rateLimited: number; peakMb: number }

let httpInterval = 0;

async function viaWebhook(webhookPath: string, n: number, run: number): Promise<Sample> {
	const sentBefore = sandbox.sent.length;
	const limitedBefore = limit.rateLimited;
	resetPeak();
	const started = performance.now();
	const answer = await fetch(`${n8n.baseUrl}/webhook/${webhookPath}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ tickets: tickets(n, run), interval: httpInterval }),
	});
	await answer.arrayBuffer();
	const ms = performance.now() - started;
	if (answer.status !== 200) throw new Error(`${webhookPath}: HTTP ${answer.status} (${limit.rateLimited - limitedBefore} sends answered 429)`);
	return { ms, sent: sandbox.sent.length - sentBefore, rateLimited: limit.rateLimited - limitedBefore, peakMb: procStatus('VmHWM') };
}

const agent = new Agent({ connections: MAX_IN_FLIGHT });
async function bareLoop(n: number, run: number): Promise<Sample> {
	const sentBefore = sandbox.sent.length;
	const limitedBefore = limit.rateLimited;
	const list = tickets(n, run);
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: MAX_IN_FLIGHT }, async () => {
			while (next < list.length) {
				const t = list[next++];
				const answer = await request(`${sandbox.baseUrl}/${sandbox.channelId}/sendTemplate`, {
					method: 'POST',
					dispatcher: agent,
					headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'application/json' },
					body: JSON.stringify({
						phone: t.phone.replace(/\D/g, ''), template: 'ticket_accepted', namespace: DEFAULT_NAMESPACE, language: { policy: 'deterministic', code: 'en' },
						params: [{ type: 'body', parameters: [{ type: 'text', text: t.name }, { type: 'text', text: String(t.ticket) }, { type: 'text', text: t.nextStep }] }],
					}),
				});
				await answer.body.json();
			}
		}),
	);
	return { ms: performance.now() - started, sent: sandbox.sent.length - sentBefore, rateLimited: limit.rateLimited - limitedBefore, peakMb: NaN };
}

async function eventsInto(url: string, run: number): Promise<number> {
	const doneBefore = sandbox.teamChat.length;
	const ack = Array.from({ length: EVENTS }, (_, i) => ({ id: `wamid.BENCH${run}_${i}`, chatId: `1415555${String(i).padStart(4, '0')}@c.us`, status: 'delivered' }));
	const started = performance.now();
	const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instanceId: sandbox.channelId, ack }) });
	await answer.arrayBuffer();
	if (answer.status !== 200) throw new Error(`${url}: HTTP ${answer.status}`);
	await waitUntil('the last node', () => sandbox.teamChat.length > doneBefore, { intervalMs: 2 });
	return performance.now() - started;
}

// warm-up: routes live, first executions paid for
for (const [run, route] of ['node', 'http', 'noop'].entries()) await waitRoute(`${n8n.baseUrl}/webhook/bench/${route}`, { tickets: tickets(5, 997 + run) });
const triggerUrl = await registeredTrigger(`${n8n.baseUrl}/`);
await waitRoute(triggerUrl, { ack: [] });
await eventsInto(triggerUrl, 0);
await eventsInto(`${n8n.baseUrl}/webhook/bench/plain`, 0);

// (b) tuned by hand, as a builder would: the smallest batch interval that gives no 429 in three
// runs of 300 items (with 429s the HTTP Request node fails the run).
for (const interval of [1, 5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 80, 100, 150]) {
	httpInterval = interval;
	let clean = true;
	for (let trial = 0; trial < 3 && clean; trial++) {
		const result = await viaWebhook('bench/http', 300, 900 + interval * 3 + trial).catch(() => undefined);
		clean = result !== undefined && result.rateLimited === 0;
	}
	if (clean) break;
}
const tunedInterval = httpInterval;
say(`HTTP Request node: batches of ${MAX_IN_FLIGHT} every ${httpInterval} ms`);

// memory, before the timed rounds
say(`${BIG} items through (a)`);
await new Promise((resolve) => setTimeout(resolve, 2000));
const controlBaselineMb = procStatus('VmRSS');
const control = await viaWebhook('bench/noop', BIG, 501);
await new Promise((resolve) => setTimeout(resolve, 2000));
const baselineMb = procStatus('VmRSS');
const big = await viaWebhook('bench/node', BIG, 500);

const failedB: string[] = [];
httpInterval = tunedInterval;
const samples = { a: [] as Sample[], b: [] as Sample[], c: [] as Sample[], trigger: [] as number[], plain: [] as number[] };
for (let run = 1; run <= REPEATS; run++) {
	say(`round ${run}/${REPEATS}`);
	samples.a.push(await viaWebhook('bench/node', ITEMS, run));
	const b = await viaWebhook('bench/http', ITEMS, run + 100).catch((error: Error) => error);
	if (b instanceof Error) {
		failedB.push(`round ${run}: ${b.message}`);
		say(`(b) failed: ${b.message}`);
	} else samples.b.push(b);
	samples.c.push(await bareLoop(ITEMS, run + 200));
	samples.trigger.push(await eventsInto(triggerUrl, run));
	samples.plain.push(await eventsInto(`${n8n.baseUrl}/webhook/bench/plain`, run));
}


await local.stop();
const streamTable = await reportStream();
await sandbox.stop();
await agent.close();

// ---- report ---------------------------------------------------------------------------------
const ms = (xs: Sample[]) => median(xs.map((s) => s.ms));
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const a = ms(samples.a);
const b = ms(samples.b);
const c = ms(samples.c);
const trigger = median(samples.trigger);
const plain = median(samples.plain);
const row = (name: string, xs: Sample[]) =>
	`| ${name} | ${fmt(ms(xs))} | ${fmt(Math.min(...xs.map((s) => s.ms)))}–${fmt(Math.max(...xs.map((s) => s.ms)))} | ${fmt((ITEMS / ms(xs)) * 1000)} | ${xs.map((s) => s.sent).join(', ')} | ${xs.map((s) => s.rateLimited).join(', ')} | ${fmt(median(xs.map((s) => s.peakMb)))} |`;
const report = `
Sending ${ITEMS} ticket notifications, sandbox at ${LATENCY_MS} ms per send and ${MAX_IN_FLIGHT} in flight (429 beyond), ${REPEATS} alternating rounds; Node ${process.version}, n8n 2.40.7, expression engine ${args.engine || 'default (vm)'}.

| variant | median ms | min–max ms | sends/s (median) | sent per round | 429s per round | n8n peak RSS MB (median) |
| --- | ---: | ---: | ---: | --- | --- | ---: |
${row('(a) OneMsg Send Template, defaults', samples.a)}
${row(`(b) HTTP Request node, batches of ${MAX_IN_FLIGHT} every ${httpInterval} ms`, samples.b)}
${row(`(c) bare client loop, ${MAX_IN_FLIGHT} at a time`, samples.c)}

${failedB.length ? `(b) failed in ${failedB.length} of ${REPEATS} rounds (HTTP Request node stops on a 429): ${failedB.join('; ')}\n\n` : ''}| ratio | value | target |
| --- | ---: | --- |
| a / b | ${(a / b).toFixed(2)} | ≤ 1.00 |
| a / c | ${(a / c).toFixed(2)} | ≤ 1.25 |

${BIG} items, right after warm-up (n8n RSS before → peak during):

| workflow | ms | RSS before MB | peak MB | peak − before |
| --- | ---: | ---: | ---: | ---: |
| Webhook + Split Out + No Op (n8n alone, no send) | ${fmt(control.ms)} | ${fmt(controlBaselineMb)} | ${fmt(control.peakMb)} | +${fmt(control.peakMb - controlBaselineMb)} MB |
| Webhook + Split Out + (a), ${big.sent} sent, ${big.rateLimited} answered 429 | ${fmt(big.ms)} | ${fmt(baselineMb)} | ${fmt(big.peakMb)} | **+${fmt(big.peakMb - baselineMb)} MB** (target < 200 MB) |

One POST with ${EVENTS} \`ack[]\` events until the workflow's last node ran (${REPEATS} alternating rounds):

| variant | median ms | min–max ms |
| --- | ---: | ---: |
| OneMsg Trigger | ${fmt(trigger)} | ${fmt(Math.min(...samples.trigger))}–${fmt(Math.max(...samples.trigger))} |
| Webhook node + Split Out | ${fmt(plain)} | ${fmt(Math.min(...samples.plain))}–${fmt(Math.max(...samples.plain))} |

Trigger / plain: **${(trigger / plain).toFixed(2)}** (target ≤ 1.20).
${streamTable}`;
console.log(report);
