/**
 * End to end in n8n's queue mode: Postgres and Redis on loopback, a main with production webhooks
 * off, two `n8n webhook` processes behind a round-robin proxy (n8n's WEBHOOK_URL points at it, as at
 * a load balancer), and a worker; the packed package installed into every process's user folder.
 * Which process sent a request to the fake 1MSG is read from the kernel's socket table while the
 * request is open.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeOneMsg, type RecordedRequest } from '../../sandbox/fakeOneMsg.mts';
import { EXAMPLE_CREDENTIAL, exampleCredential, exampleWorkflows, LocalN8n, packPackage, webhookNode, workflow } from '../../scripts/lib/localN8n.mts';
import { waitUntil } from '../../scripts/lib/processes.mts';
import { queueModeUnavailable, socketOwner, type RoundRobinProxy } from '../../scripts/lib/queueMode.mts';
import { postJson, postWhenLive, scenarioBody } from '../support/fixtures.mts';
import { parseWebhookUrls } from '../../nodes/OneMsgTrigger/webhookUrls.ts';

const unavailable = queueModeUnavailable();
if (unavailable) console.warn(`\n[queue e2e] SKIPPED: ${unavailable}\n`);

const TICKET = 'onemsgExTicketAc';
const AGENT = 'onemsgExAgentAsg';
const WATCHER = 'onemsgQueueWatch';
const BULK = 'onemsgQueueBulk1';
const CONCURRENCY = 20;
const BULK_SIZE = 300;
/** The bulk send is cut after this many messages were accepted and answered. */
const ANSWERED_BEFORE_CRASH = 100;

const sandbox = new FakeOneMsg({ token: `queue-token-${Date.now().toString(36)}-do-not-leak` });
const credentials = { oneMsgChannelApi: EXAMPLE_CREDENTIAL };
const dir = mkdtempSync(path.join(tmpdir(), 'onemsg-queue-'));
let local: LocalN8n;
let proxy: RoundRobinProxy;
/** The process that opened each request's connection, looked up while the request was open. */
const sender = new Map<RecordedRequest, string>();

/** OneMsg Trigger → the recipe for repeats across processes (Remove Duplicates on messageId + status) → team chat. */
function watcherWorkflow() {
	return workflow(WATCHER, 'queue watcher', [
		{ name: 'OneMsg Trigger', type: 'n8n-nodes-onemsg.oneMsgTrigger', webhookId: '9a1d3c55-2b1e-4c3d-8e4f-5a6b7c8d9e02', credentials, parameters: { options: {} } },
		{
			name: 'Drop repeats',
			type: 'n8n-nodes-base.removeDuplicates',
			typeVersion: 2,
			parameters: {
				operation: 'removeItemsSeenInPreviousExecutions',
				logic: 'removeItemsWithAlreadySeenKeyValues',
				dedupeValue: '={{ $json.messageId }}:{{ $json.status }}',
				options: {},
			},
		},
		{
			name: 'Team chat',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: { method: 'POST', url: `${sandbox.baseUrl}/team-chat`, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify({ text: $json.messageId + " " + $json.status }) }}', options: {} },
		},
	]);
}

/** Webhook → Split Out → ticket accepted for each, with Skip Items Already Sent; answers every item. */
function bulkWorkflow() {
	return workflow(BULK, 'queue bulk', [
		webhookNode('Bulk', 'queue/bulk', 'lastNode', { responseData: 'allEntries' }),
		{ name: 'Tickets', type: 'n8n-nodes-base.splitOut', parameters: { fieldToSplitOut: 'body.tickets', options: {} } },
		{
			name: 'Send',
			type: 'n8n-nodes-onemsg.oneMsgSendTemplate',
			credentials,
			onError: 'continueRegularOutput',
			parameters: {
				operation: 'ticketAccepted', phone: '={{ $json.phone }}', customerName: '={{ $json.name }}', ticketNumber: '={{ $json.ticket }}',
				nextStep: 'Expect a reply within 2 hours', template: { __rl: true, mode: 'name', value: 'ticket_accepted' }, language: 'en', namespace: '',
				options: { concurrency: CONCURRENCY, skipAlreadySent: true },
			},
		},
	]);
}

const registeredUrls = () => parseWebhookUrls(sandbox.webhookUrl);
const teamChatTexts = () => sandbox.teamChat.map((m) => (m as { text: string }).text);
const finished = async (workflowId: string) => (await local.rest.executions(workflowId)).filter((e) => !['running', 'new', 'waiting'].includes(e.status));

describe.skipIf(unavailable !== undefined)('OneMsg in n8n queue mode (main, 2 webhook processes behind a proxy, 1 worker)', () => {
	let triggerUrl = '';

	beforeAll(async () => {
		await sandbox.start();
		sandbox.intercept((request) => {
			const owner = socketOwner(request.remotePort ?? 0, local.all.map((p) => p.pid!));
			sender.set(request, local.all.find((p) => p.pid === owner)?.name ?? 'unknown');
			return undefined;
		});
		const examples = exampleWorkflows(sandbox.baseUrl, ['ticket-accepted', 'agent-assigned']);
		local = new LocalN8n({
			dir,
			tarball: await packPackage(path.join(dir, 'pack')),
			credentials: [exampleCredential(sandbox.credential)],
			workflows: [...examples, watcherWorkflow(), bulkWorkflow()],
			queue: { webhookProcesses: 2, workers: 1 },
			log: (line) => process.stderr.write(`[queue e2e] ${line}\n`),
		});
		await local.start();
		proxy = local.proxy!;
	}, 900_000);

	afterAll(async () => {
		// everything this suite started, by its process, whatever happened above
		await local?.stop();
		await sandbox.stop();
		rmSync(dir, { recursive: true, force: true });
	}, 120_000);

	test('publishing registers the trigger’s URL, at the proxy, through main', async () => {
		await local.rest.publish(WATCHER);
		triggerUrl = await waitUntil('the registration', () => registeredUrls()[0]);
		expect(triggerUrl).toMatch(new RegExp(`^${proxy.baseUrl}/webhook/9a1d3c55-2b1e-4c3d-8e4f-5a6b7c8d9e02/onemsg\\?secret=[\\w-]{22,}$`));
		const writes = sandbox.requests.filter((r) => r.apiMethod === 'webhook' && r.method === 'POST');
		expect(writes.map((r) => sender.get(r))).toEqual(['main']);
		// every webhook process serves the route once it answers a request without the secret with the node's 401
		for (const p of local.webhookProcesses) {
			await waitUntil(`the route on ${p.name}`, async () => (await postJson(`${p.baseUrl}${new URL(triggerUrl).pathname}`, {})).status === 401);
		}
	});

	test('both send operations: the exact requests, sent by the worker', async () => {
		await local.rest.publish(TICKET);
		await local.rest.publish(AGENT);
		const ticket = { customer: { name: 'Maria', phone: '+1 (415) 555-2671' }, ticket: { id: 12345, nextStep: 'Expect a reply within 2 hours' } };
		const accepted = await postWhenLive(`${proxy.baseUrl}/webhook/helpdesk/ticket-accepted`, ticket);
		const assigned = await postWhenLive(`${proxy.baseUrl}/webhook/helpdesk/agent-assigned`, { ...ticket, assignee: { name: 'Alexey Petrov' } });
		const sends = sandbox.requestsTo('sendTemplate');
		expect(sends.map((r) => r.body)).toStrictEqual([
			scenarioBody('ticket_accepted', ['Maria', '12345', 'Expect a reply within 2 hours']),
			scenarioBody('agent_assigned', ['Maria', '12345', 'Alexey Petrov']),
		]);
		expect(sends.map((r) => sender.get(r))).toEqual(['worker-1', 'worker-1']);
		expect(accepted.json).toMatchObject({ sent: true, messageId: sandbox.sent[0].id });
		expect(assigned.json).toMatchObject({ sent: true, messageId: sandbox.sent[1].id });
	});

	test('reports posted through the proxy reach the workflow whichever webhook process takes them', async () => {
		const servedBefore = proxy.served.length;
		for (let i = 1; i <= 4; i++) {
			const answer = await postJson(triggerUrl, { instanceId: sandbox.channelId, ack: [{ id: `wamid.PROXY_${i}`, chatId: '14155552671@c.us', status: 'delivered' }] });
			expect(answer.status).toBe(200);
		}
		expect(new Set(proxy.served.slice(servedBefore))).toEqual(new Set([0, 1]));
		const texts = await waitUntil('four team chat posts', () => (teamChatTexts().length >= 4 ? teamChatTexts() : undefined));
		expect(texts.sort()).toEqual([1, 2, 3, 4].map((i) => `wamid.PROXY_${i} delivered`));
	});

	test('a forged or missing secret gets 401 from every webhook process and runs nothing', async () => {
		const before = (await local.rest.executions(WATCHER)).length;
		const forged = triggerUrl.replace(/secret=./, (m) => (m.endsWith('A') ? 'secret=B' : 'secret=A'));
		const event = { ack: [{ id: 'wamid.FORGED', status: 'read' }] };
		for (const p of local.webhookProcesses) {
			const url = new URL(forged);
			expect((await postJson(`${p.baseUrl}${url.pathname}${url.search}`, event)).status, p.name).toBe(401);
			expect((await postJson(`${p.baseUrl}${url.pathname}`, event)).status, p.name).toBe(401);
		}
		expect((await local.rest.executions(WATCHER)).length).toBe(before);
	});

	test('the recipe: the same report through both webhook processes runs the rest of the workflow once', async () => {
		const before = (await finished(WATCHER)).length;
		const chatBefore = teamChatTexts().length;
		const report = { instanceId: sandbox.channelId, ack: [{ id: 'wamid.TWICE', chatId: '14155552671@c.us', status: 'read' }] };
		const url = new URL(triggerUrl);
		for (const p of local.webhookProcesses) {
			expect((await postJson(`${p.baseUrl}${url.pathname}${url.search}`, report)).status).toBe(200);
			// one after the other, as 1MSG repeats a report: each process's own memory has not seen it
			await waitUntil('the execution to finish', async () => (await finished(WATCHER)).length > before + local.webhookProcesses.indexOf(p));
		}
		expect((await finished(WATCHER)).length).toBe(before + 2);
		expect(teamChatTexts().slice(chatBefore)).toEqual(['wamid.TWICE read']);
	});

	test(`nothing sent twice: the worker killed during a ${BULK_SIZE}-item batch, a new worker, the same batch again`, async () => {
		await local.rest.publish(BULK);
		const tickets = Array.from({ length: BULK_SIZE }, (_, i) => ({ phone: `+1 415 7${String(i).padStart(6, '0')}`, name: 'Maria', ticket: 50_000 + i }));
		const phones = new Set(tickets.map((t) => t.phone.replace(/\D/g, '')));
		// The fake answers the first sends, then takes the rest in (it sends them) and never answers:
		// the worker dies with every one of its Concurrent Requests in that state.
		let answered = 0;
		let cut = true;
		const unanswered: Array<() => void> = [];
		sandbox.intercept(async (request, proceed) => {
			if (!cut || request.apiMethod !== 'sendTemplate' || !phones.has((request.body as { phone: string }).phone)) return undefined;
			if (answered < ANSWERED_BEFORE_CRASH) {
				answered++;
				return undefined;
			}
			const reply = proceed();
			await new Promise<void>((resolve) => unanswered.push(resolve));
			return { ...reply, drop: true };
		});
		await postWhenLive(`${proxy.baseUrl}/webhook/queue/bulk`, { tickets: [] });
		const sentBefore = sandbox.sent.length;
		const firstRun = new AbortController();
		void postJson(`${proxy.baseUrl}/webhook/queue/bulk`, { tickets }, firstRun.signal).catch(() => undefined);
		await waitUntil('every concurrent send to hang', () => unanswered.length >= CONCURRENCY, { timeoutMs: 180_000 });
		expect(unanswered.length).toBe(CONCURRENCY);
		await local.workers[0].stop('SIGKILL');
		cut = false;
		unanswered.forEach((release) => release());
		firstRun.abort();
		await local.addWorker();

		const rerun = await postJson(`${proxy.baseUrl}/webhook/queue/bulk`, { tickets });
		expect(rerun.status).toBe(200);
		const items = rerun.json as Array<{ sent: boolean; skipped?: boolean; error?: string; description?: string }>;
		const skipped = items.filter((i) => i.sent && i.skipped).length;
		const uncertain = items.filter((i) => !i.sent && /may or may not have been sent/.test(i.error ?? '')).length;
		const sentNow = items.filter((i) => i.sent && !i.skipped).length;
		const perPhone = new Map<string, number>();
		for (const m of sandbox.sent.slice(sentBefore)) perPhone.set(m.phone, (perPhone.get(m.phone) ?? 0) + 1);
		const counts = { items: items.length, skipped, uncertain, sentNow, phonesMessaged: perPhone.size, messagedTwice: [...perPhone.values()].filter((n) => n > 1).length };
		process.stderr.write(`[queue e2e] crash test: ${JSON.stringify(counts)}\n`);
		expect(counts).toEqual({
			items: BULK_SIZE,
			skipped: ANSWERED_BEFORE_CRASH,
			uncertain: CONCURRENCY,
			sentNow: BULK_SIZE - ANSWERED_BEFORE_CRASH - CONCURRENCY,
			phonesMessaged: BULK_SIZE,
			messagedTwice: 0,
		});
		expect(items.find((i) => !i.sent)?.description).toMatch(/check before retrying/);
	});

	test('restarting every process keeps the registration and the secret', async () => {
		const registrations = sandbox.requests.filter((r) => r.apiMethod === 'webhook' && r.method === 'POST').length;
		await local.restart();
		for (const p of local.webhookProcesses) {
			await waitUntil(`the route on ${p.name}`, async () => (await postJson(`${p.baseUrl}${new URL(triggerUrl).pathname}`, {})).status === 401);
		}
		expect(registeredUrls()).toEqual([triggerUrl]);
		expect(sandbox.requests.filter((r) => r.apiMethod === 'webhook' && r.method === 'POST').length).toBe(registrations);
		const chatBefore = teamChatTexts().length;
		expect((await postJson(triggerUrl, { instanceId: sandbox.channelId, ack: [{ id: 'wamid.AFTER_RESTART', status: 'delivered' }] })).status).toBe(200);
		await waitUntil('the report after the restart', () => teamChatTexts().length > chatBefore);
		expect(teamChatTexts().at(-1)).toBe('wamid.AFTER_RESTART delivered');
	});

	test('unpublishing removes the URL', async () => {
		await local.rest.unpublish(WATCHER);
		await waitUntil('the URL to be removed', () => registeredUrls().length === 0);
		expect(registeredUrls()).toEqual([]);
	});

	test('the token is in no table of Postgres and no process log', async () => {
		const tables = await local.postgres!.everyTableAsText();
		expect(tables.size).toBeGreaterThan(10);
		for (const [table, text] of tables) expect(text.includes(sandbox.token), table).toBe(false);
		for (const p of local.all) {
			const log = readFileSync(p.logFile, 'utf8');
			expect(log.length, p.name).toBeGreaterThan(0);
			expect(log.includes(sandbox.token), p.name).toBe(false);
		}
	});
});
