/**
 * `npm run bench`: sending through (a) OneMsg Send Template, (b) the HTTP Request node and (c) a bare
 * client loop, n8n's memory, and reports into the OneMsg Trigger against a Webhook node + Split Out,
 * in the real n8n of `n8n/` against the sandbox; docs/BENCHMARKS.md explains every table.
 *
 *   npm run bench -- [--items 1000] [--repeats 5] [--big 10000] [--events 1000] [--engine legacy]
 *                    [--reports-only] [--stream-requests 1000] [--stream-rounds 2] [--stream-variants 3,4]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { parseWebhookUrls } from '../nodes/OneMsgTrigger/webhookUrls.ts';
import { DEFAULT_NAMESPACE, FakeOneMsg } from '../sandbox/fakeOneMsg.mts';
import { sendLimit } from '../sandbox/sendLimit.mts';
import { EXAMPLE_CREDENTIAL, exampleCredential, LocalN8n, packPackage, webhookNode, workflow } from './lib/localN8n.mts';
import { freePort, waitUntil } from './lib/processes.mts';

const { values: args } = parseArgs({
	options: {
		items: { type: 'string', default: '1000' },
		repeats: { type: 'string', default: '5' },
		big: { type: 'string', default: '10000' },
		events: { type: 'string', default: '1000' },
		// n8n's expression engine for the sending rounds: 'vm' (n8n 2.40's default) or 'legacy'
		engine: { type: 'string', default: '' },
		'reports-only': { type: 'boolean', default: false },
		'stream-requests': { type: 'string', default: '1000' },
		'stream-clients': { type: 'string', default: '10' },
		'stream-rounds': { type: 'string', default: '2' },
		// e.g. 3,4: only those rows of the report stream table
		'stream-variants': { type: 'string', default: '' },
	},
});
const [ITEMS, REPEATS, BIG, EVENTS] = [args.items, args.repeats, args.big, args.events].map(Number);
const STREAM = { requests: Number(args['stream-requests']), clients: Number(args['stream-clients']), rounds: Number(args['stream-rounds']) };
const LATENCY_MS = 25;
const MAX_IN_FLIGHT = 20;
const say = (line: string) => console.error(`[bench] ${line}`);
// Ctrl-C: exit normally, so that every n8n, Redis and Postgres it started is stopped with it
process.once('SIGINT', () => process.exit(130));

/** A single n8n with `env`, or queue mode with `webhookProcesses` webhook processes and one worker. */
type Setup = { env?: NodeJS.ProcessEnv; webhookProcesses?: number };
const STREAM_VARIANTS: Array<Setup & { name: string }> = [
	{ name: 'single n8n, defaults (engine vm, pool size 1)' },
	{ name: 'single n8n, N8N_EXPRESSION_ENGINE_POOL_SIZE=4', env: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' } },
	{ name: 'single n8n, N8N_EXPRESSION_ENGINE=legacy', env: { N8N_EXPRESSION_ENGINE: 'legacy' } },
	{ name: 'queue mode, 1 webhook process, 1 worker', webhookProcesses: 1 },
	{ name: 'queue mode, 2 webhook processes, 1 worker', webhookProcesses: 2 },
	{ name: 'queue mode, 2 webhook processes, 1 worker, pool size 4', webhookProcesses: 2, env: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' } },
];

// ---- the sandbox and the workflows every n8n gets ---------------------------------------------
const dir = mkdtempSync(path.join(tmpdir(), 'onemsg-bench-'));
const sandbox = new FakeOneMsg({ token: 'bench-token' });
const limit = sendLimit(LATENCY_MS, MAX_IN_FLIGHT);
sandbox.intercept(limit);
await sandbox.start(await freePort());
const tarball = await packPackage(path.join(dir, 'pack'));

const credentials = { oneMsgChannelApi: EXAMPLE_CREDENTIAL };
const credential = exampleCredential(sandbox.credential);
const webhook = (route: string, responseMode: 'lastNode' | 'onReceived') => webhookNode('Webhook', `bench/${route}`, responseMode, { responseData: 'noData' });
const splitOut = (field: string) => ({ name: 'Split Out', type: 'n8n-nodes-base.splitOut', parameters: { fieldToSplitOut: field, options: {} } });
/** Posts to the sandbox's team chat once per execution: a run has finished when its post arrived. */
const done = {
	name: 'Done', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, executeOnce: true,
	parameters: { method: 'POST', url: `${sandbox.baseUrl}/team-chat`, sendBody: true, specifyBody: 'json', jsonBody: '{"text":"done"}', options: {} },
};
const oneMsgSend = {
	name: 'OneMsg', type: 'n8n-nodes-onemsg.oneMsgSendTemplate', credentials,
	parameters: {
		operation: 'ticketAccepted', phone: '={{ $json.phone }}', customerName: '={{ $json.name }}', ticketNumber: '={{ $json.ticket }}',
		nextStep: '={{ $json.nextStep }}', template: { __rl: true, mode: 'name', value: 'ticket_accepted' }, language: 'en', namespace: '', options: {},
	},
};
const sendUrl = `${sandbox.baseUrl}/${sandbox.channelId}/sendTemplate`;
const httpRequestSend = {
	name: 'HTTP Request', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2,
	parameters: {
		method: 'POST', url: sendUrl, sendHeaders: true, headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${sandbox.token}` }] },
		sendBody: true, specifyBody: 'json',
		jsonBody: `={{ JSON.stringify({ phone: String($json.phone).replace(/\\D/g, ''), template: 'ticket_accepted', namespace: '${DEFAULT_NAMESPACE}', language: { policy: 'deterministic', code: 'en' }, params: [{ type: 'body', parameters: [{ type: 'text', text: String($json.name) }, { type: 'text', text: String($json.ticket) }, { type: 'text', text: String($json.nextStep) }] }] }) }}`,
		// n8n sends a whole batch at once and starts the next one after batchInterval ms without
		// waiting for answers: the interval is tuned below to the smallest that causes no 429.
		options: { batching: { batch: { batchSize: MAX_IN_FLIGHT, batchInterval: "={{ $('Webhook').first().json.body.interval }}" } } },
	},
};
const workflows = [
	workflow('benchOneMsgNode1', 'bench (a) OneMsg node', [webhook('node', 'lastNode'), splitOut('body.tickets'), oneMsgSend]),
	workflow('benchHttpRequest', 'bench (b) HTTP Request node', [webhook('http', 'lastNode'), splitOut('body.tickets'), httpRequestSend]),
	// the same workflow without the send: what n8n itself needs for the items
	workflow('benchControlNoOp', 'bench control: Webhook + Split Out + No Op', [webhook('noop', 'lastNode'), splitOut('body.tickets'), { name: 'No Op', type: 'n8n-nodes-base.noOp', parameters: {} }]),
	workflow('benchOneMsgTrig1', 'bench trigger: OneMsg Trigger', [
		{ name: 'OneMsg Trigger', type: 'n8n-nodes-onemsg.oneMsgTrigger', webhookId: 'bcc0ffee-0000-4000-8000-00000000c0c1', credentials, parameters: { options: {} } },
		done,
	]),
	workflow('benchPlainWebhk1', 'bench trigger: Webhook + Split Out', [webhook('plain', 'onReceived'), splitOut('body.ack'), done]),
];

// ---- posting and measuring --------------------------------------------------------------------
const agent = new Agent();
/** POSTs `body` as JSON over a kept-alive connection, reads the answer, and answers its status. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
	const answer = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
	await answer.body.text();
	return answer.statusCode;
}

/** Runs `job(0)` … `job(count - 1)`, `concurrency` at a time. */
async function pool(count: number, concurrency: number, job: (i: number) => Promise<unknown>): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < count) await job(next++);
		}),
	);
}

let sequence = 0;
/** A delivery report as 1MSG posts it, with `events` ack events never seen before (the trigger drops repeats). */
const acks = (events: number) => ({
	instanceId: sandbox.channelId,
	ack: Array.from({ length: events }, (_, i) => ({ id: `wamid.BENCH${++sequence}`, chatId: `1415555${String(i).padStart(4, '0')}@c.us`, status: 'delivered' })),
});

/**
 * POSTs `posts` reports of `events` events each to `url`, `clients` at a time (each waits for its
 * answer), then waits until every execution answered 200 has run its last node (`done`).
 */
async function reports(url: string, posts: number, events: number, clients: number) {
	const before = sandbox.teamChat.length;
	let errors = 0;
	const started = performance.now();
	await pool(posts, clients, async () => {
		if ((await post(url, acks(events))) !== 200) errors++;
	});
	const answeredMs = performance.now() - started;
	await waitUntil('every execution to finish', () => sandbox.teamChat.length - before >= posts - errors, { timeoutMs: 900_000, intervalMs: 2 });
	return { answeredMs, finishedMs: performance.now() - started, errors };
}

const waitRoute = async (url: string, body: unknown) => await waitUntil(`route ${url}`, async () => (await post(url, body)) === 200);

interface N8n {
	pid?: number;
	/** Where webhooks are reached: n8n itself, or in queue mode the proxy. */
	webhookBase: string;
	triggerUrl: string;
	plainUrl: string;
}

/**
 * Runs `measure` against an n8n with the workflows published and both report routes live: a single
 * n8n, or queue mode (Postgres, Redis, a worker, the webhook processes behind a round-robin proxy).
 * Stops everything it started afterwards.
 */
async function withN8n<T>(label: string, setup: Setup, measure: (n8n: N8n) => Promise<T>): Promise<T> {
	const queue = setup.webhookProcesses ? { webhookProcesses: setup.webhookProcesses, workers: 1 } : undefined;
	const local = new LocalN8n({ dir: path.join(dir, label), tarball, credentials: [credential], workflows, env: setup.env, queue, log: say });
	try {
		// The n8n before was stopped, not unpublished: its trigger's URL is still on the channel's list,
		// which takes at most 5. A fresh list for each n8n.
		sandbox.webhookUrl = '';
		await local.start();
		for (const { id } of workflows) await local.rest.publish(id);
		const webhookBase = `${local.proxy?.baseUrl ?? local.main.baseUrl}/`;
		const triggerUrl = await waitUntil('the trigger to register', () => parseWebhookUrls(sandbox.webhookUrl).find((u) => u.startsWith(webhookBase)));
		const plainUrl = `${webhookBase}webhook/bench/plain`;
		for (const url of [triggerUrl, plainUrl]) await waitRoute(url, { ack: [] });
		return await measure({ pid: local.main.pid, webhookBase, triggerUrl, plainUrl });
	} finally {
		await local.stop().catch(() => undefined);
	}
}

// ---- sending and one big report ---------------------------------------------------------------
const tickets = (n: number, run: number) =>
	Array.from({ length: n }, (_, i) => ({ phone: `+1 415 ${String(run).padStart(3, '0')} ${String(i).padStart(5, '0')}`, name: 'Maria', ticket: 10000 + i, nextStep: 'Expect a reply within 2 hours' }));
/** What (b)'s expression builds, for the bare loop. */
const templateBody = (t: ReturnType<typeof tickets>[number]) => ({
	phone: t.phone.replace(/\D/g, ''), template: 'ticket_accepted', namespace: DEFAULT_NAMESPACE, language: { policy: 'deterministic', code: 'en' },
	params: [{ type: 'body', parameters: [{ type: 'text', text: t.name }, { type: 'text', text: String(t.ticket) }, { type: 'text', text: t.nextStep }] }],
});

interface Sample { ms: number; sent: number; rateLimited: number; peakMb: number }

async function sending({ pid, webhookBase, triggerUrl, plainUrl }: N8n): Promise<string> {
	say(`sandbox ${sandbox.baseUrl}: ${LATENCY_MS} ms per send, ${MAX_IN_FLIGHT} in flight, 429 beyond`);
	const procMb = (field: 'VmRSS' | 'VmHWM') => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1] ?? NaN) / 1024;
	let interval = 0;
	/**
	 * Sends `n` tickets through the workflow at bench/`route`, or from the bare loop: the time, the
	 * sends and 429s the sandbox saw, and n8n's peak memory.
	 */
	async function send(route: 'node' | 'http' | 'noop' | 'bare loop', n: number, run: number): Promise<Sample> {
		const list = tickets(n, run);
		const [sentBefore, limitedBefore] = [sandbox.sent.length, limit.rateLimited];
		// resets the kernel's peak-RSS mark of the n8n process, so VmHWM is the peak of this run
		writeFileSync(`/proc/${pid}/clear_refs`, '5');
		const started = performance.now();
		let status = 200;
		if (route === 'bare loop') await pool(n, MAX_IN_FLIGHT, async (i) => await post(sendUrl, templateBody(list[i]), { authorization: `Bearer ${sandbox.token}` }));
		else status = await post(`${webhookBase}webhook/bench/${route}`, { tickets: list, interval });
		const ms = performance.now() - started;
		const rateLimited = limit.rateLimited - limitedBefore;
		if (status !== 200) throw new Error(`bench/${route}: HTTP ${status} (${rateLimited} sends answered 429)`);
		return { ms, sent: sandbox.sent.length - sentBefore, rateLimited, peakMb: route === 'bare loop' ? NaN : procMb('VmHWM') };
	}
	const oneBigReport = async (url: string) => {
		const { finishedMs, errors } = await reports(url, 1, EVENTS, 1);
		if (errors) throw new Error(`${url}: the report of ${EVENTS} events was not answered 200`);
		return finishedMs;
	};

	// warm-up: first executions paid for
	for (const [run, route] of ['node', 'http', 'noop'].entries()) await waitRoute(`${webhookBase}webhook/bench/${route}`, { tickets: tickets(5, 997 + run) });
	for (const url of [triggerUrl, plainUrl]) await oneBigReport(url);

	// (b) tuned by hand, as a builder would: the smallest batch interval that gives no 429 in three
	// runs of 300 items (with 429s the HTTP Request node fails the run).
	for (interval of [1, 5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 80, 100, 150]) {
		let clean = true;
		for (let trial = 0; trial < 3 && clean; trial++) clean = (await send('http', 300, 900 + interval * 3 + trial).catch(() => undefined))?.rateLimited === 0;
		if (clean) break;
	}
	say(`HTTP Request node: batches of ${MAX_IN_FLIGHT} every ${interval} ms`);

	// memory, before the timed rounds
	say(`${BIG} items through (a)`);
	const settle = async () => await new Promise((resolve) => setTimeout(resolve, 2000));
	await settle();
	const controlBaselineMb = procMb('VmRSS');
	const control = await send('noop', BIG, 501);
	await settle();
	const baselineMb = procMb('VmRSS');
	const big = await send('node', BIG, 500);

	const failedB: string[] = [];
	const samples = { a: [] as Sample[], b: [] as Sample[], c: [] as Sample[], trigger: [] as number[], plain: [] as number[] };
	for (let run = 1; run <= REPEATS; run++) {
		say(`round ${run}/${REPEATS}`);
		samples.a.push(await send('node', ITEMS, run));
		const b = await send('http', ITEMS, run + 100).catch((error: Error) => error);
		if (b instanceof Error) {
			failedB.push(`round ${run}: ${b.message}`);
			say(`(b) failed: ${b.message}`);
		} else samples.b.push(b);
		samples.c.push(await send('bare loop', ITEMS, run + 200));
		samples.trigger.push(await oneBigReport(triggerUrl));
		samples.plain.push(await oneBigReport(plainUrl));
	}

	const ms = (xs: Sample[]) => xs.map((s) => s.ms);
	const [a, b, c, trigger, plain] = [ms(samples.a), ms(samples.b), ms(samples.c), samples.trigger, samples.plain].map(median);
	const row = (name: string, xs: Sample[]) =>
		`| ${name} | ${fmt(median(ms(xs)))} | ${range(ms(xs))} | ${fmt((ITEMS / median(ms(xs))) * 1000)} | ${xs.map((s) => s.sent).join(', ')} | ${xs.map((s) => s.rateLimited).join(', ')} | ${fmt(median(xs.map((s) => s.peakMb)))} |`;
	return `
Sending ${ITEMS} ticket notifications, sandbox at ${LATENCY_MS} ms per send and ${MAX_IN_FLIGHT} in flight (429 beyond), ${REPEATS} alternating rounds; Node ${process.version}, n8n 2.40.7, expression engine ${args.engine || 'default (vm)'}.

| variant | median ms | min–max ms | sends/s (median) | sent per round | 429s per round | n8n peak RSS MB (median) |
| --- | ---: | ---: | ---: | --- | --- | ---: |
${row('(a) OneMsg Send Template, defaults', samples.a)}
${row(`(b) HTTP Request node, batches of ${MAX_IN_FLIGHT} every ${interval} ms`, samples.b)}
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
| OneMsg Trigger | ${fmt(trigger)} | ${range(samples.trigger)} |
| Webhook node + Split Out | ${fmt(plain)} | ${range(samples.plain)} |

Trigger / plain: **${(trigger / plain).toFixed(2)}** (target ≤ 1.20).`;
}

// ---- the report stream ------------------------------------------------------------------------
/** Single-event POSTs answered per second, and executions finished per second from the first POST on. */
async function streamRates(target: string, url: string) {
	const { answeredMs, finishedMs, errors } = await reports(url, STREAM.requests, 1, STREAM.clients);
	say(`  ${target}: ${STREAM.requests} POSTs answered in ${(answeredMs / 1000).toFixed(1)} s, executions finished in ${(finishedMs / 1000).toFixed(1)} s`);
	return { answered: (STREAM.requests / answeredMs) * 1000, finished: ((STREAM.requests - errors) / finishedMs) * 1000, errors };
}

async function streamRow(name: string, { triggerUrl, plainUrl }: N8n): Promise<string> {
	const rounds = { trigger: [] as Array<Awaited<ReturnType<typeof streamRates>>>, plain: [] as Array<Awaited<ReturnType<typeof streamRates>>> };
	for (let round = 0; round < STREAM.rounds; round++) {
		rounds.trigger.push(await streamRates('OneMsg Trigger', triggerUrl));
		rounds.plain.push(await streamRates('Webhook node', plainUrl));
	}
	const [t, p] = [rounds.trigger, rounds.plain].map((rates) => ({ answered: median(rates.map((r) => r.answered)), finished: median(rates.map((r) => r.finished)) }));
	const errors = [...rounds.trigger, ...rounds.plain].reduce((n, r) => n + r.errors, 0);
	const row = `| ${name} | ${t.answered.toFixed(0)} | ${p.answered.toFixed(0)} | **${(t.answered / p.answered).toFixed(2)}** | ${t.finished.toFixed(0)} | ${p.finished.toFixed(0)} | ${(t.finished / p.finished).toFixed(2)} | ${errors} |`;
	say(row);
	return row;
}

// ---- the run ----------------------------------------------------------------------------------
function median(xs: number[]): number {
	const sorted = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;

if (!args['reports-only']) console.log(await withN8n('send', { env: args.engine ? { N8N_EXPRESSION_ENGINE: args.engine } : {} }, sending));
const variants = args['stream-variants'].split(',').filter(Boolean).map(Number);
const rows: string[] = [];
for (const [index, variant] of STREAM_VARIANTS.entries()) {
	if (variants.length && !variants.includes(index)) continue;
	say(`report stream: ${variant.name}`);
	rows.push(await withN8n(`stream-${index}`, variant, async (n8n) => await streamRow(variant.name, n8n)));
}
console.log(`
Delivery reports: ${STREAM.requests} POSTs of one \`ack\` event each, ${STREAM.clients} clients posting at once (each waits for its answer), ${STREAM.rounds} alternating rounds per variant, medians. *Answered*: POSTs answered per second. *Finished*: executions finished per second, from the first POST until the last execution's last node ran. In queue mode the POSTs go through a round-robin proxy to the webhook processes.

| variant | OneMsg Trigger answered/s | Webhook node answered/s | ratio | OneMsg Trigger finished/s | Webhook node finished/s | ratio | non-200 answers |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`);
await sandbox.stop();
await agent.close();
// the n8n user folders, 100–350 MB; kept when a run fails, for the n8n logs in them
rmSync(dir, { recursive: true, force: true });
