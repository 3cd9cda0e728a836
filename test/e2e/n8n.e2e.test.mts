/**
 * End to end: the packed package installed as a community package into a fresh user folder of the
 * pinned real n8n, credential and workflows imported through n8n's CLI, published through n8n's REST
 * API, and every request checked at the local 1MSG sandbox.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WINDOW_CLOSED_HINT } from '../../nodes/api/deliveryEvents.ts';
import { DEFAULT_NAMESPACE, FakeOneMsg } from '../../sandbox/fakeOneMsg.mts';
import { EXAMPLE_CREDENTIAL, exampleCredential, LocalN8n, exampleWorkflows, packPackage, webhookNode, workflow, type N8nProcess, type N8nRest } from '../../scripts/lib/localN8n.mts';
import { ROOT, waitUntil } from '../../scripts/lib/processes.mts';
import { postJson, postWhenLive, scenarioBody } from '../support/fixtures.mts';
import { parseWebhookUrls } from '../../nodes/OneMsgTrigger/webhookUrls.ts';

const EXAMPLES = path.join(ROOT, 'examples');
const TICKET = 'onemsgExTicketAc';
const AGENT = 'onemsgExAgentAsg';
const WATCHER = 'onemsgExDelivery';
const BATCH = 'onemsgE2eBatch01';
const CUSTOM = 'onemsgE2eCustom1';
const RESOLVED = 'onemsgExResolved';
const CUSTOMER = 'onemsgExCustMsg1';
const AGENT_REPLY = 'onemsgExAgentRpl';
const CRM_HOOK = 'https://crm.example.com/hooks/1msg';
// another consumer's URL with a comma in it: it must survive publish and unpublish byte for byte
const CRM_EVENTS = 'https://crm.example.com/in?events=message,ack';
const OTHER_CONSUMERS = [CRM_HOOK, CRM_EVENTS];

const sandbox = new FakeOneMsg({ token: `e2e-token-${Date.now().toString(36)}-do-not-leak`, delivery: { stepMs: 400 } });
let local: LocalN8n;
let n8n: N8nProcess;
let rest: N8nRest;
const userFolder = mkdtempSync(path.join(tmpdir(), 'onemsg-e2e-'));

function batchWorkflow() {
	const example = JSON.parse(readFileSync(path.join(EXAMPLES, 'ticket-accepted.workflow.json'), 'utf8'));
	const send = example.nodes.find((n: { type: string }) => n.type === 'n8n-nodes-onemsg.oneMsgSendTemplate');
	return workflow(BATCH, 'e2e batch', [
		webhookNode('Batch', 'e2e/batch', 'lastNode', { responseData: 'allEntries' }),
		{ name: 'Tickets', type: 'n8n-nodes-base.splitOut', parameters: { fieldToSplitOut: 'body.tickets', options: {} } },
		{ ...send, id: undefined, position: undefined, name: 'Send', onError: 'continueRegularOutput' },
	]);
}

/** Webhook → Custom Template (sla_breach: 5 body variables and a URL button) → Get Delivery Status. */
function customWorkflow() {
	const credentials = { oneMsgChannelApi: EXAMPLE_CREDENTIAL };
	const type = 'n8n-nodes-onemsg.oneMsgSendTemplate';
	const status = (name: string, messageId: string, wait: boolean) => ({
		name, type, credentials,
		parameters: { operation: 'deliveryStatus', messageId, waitForFinal: wait, waitTimeout: 30, pollInterval: 0.3 },
	});
	const variables = Object.fromEntries(['body_1', 'body_2', 'body_3', 'body_4', 'body_5', 'button_0'].map((id) => [id, `={{ $json.body.${id} }}`]));
	return workflow(
		CUSTOM,
		'e2e custom template and delivery status',
		[
			webhookNode('Custom', 'e2e/custom'),
			{
				name: 'Send SLA breach', type, credentials,
				parameters: {
					operation: 'customTemplate', phone: '={{ $json.body.phone }}', language: 'en', namespace: '',
					template: { __rl: true, mode: 'list', value: 'sla_breach' },
					variables: { mappingMode: 'defineBelow', value: variables, matchingColumns: [], schema: [] },
				},
			},
			status('Wait for delivery', '={{ $json.messageId }}', true),
			webhookNode('Status', 'e2e/status'),
			status('Look up status', '={{ $json.body.messageId }}', false),
		],
		{
			Custom: { main: [[{ node: 'Send SLA breach', type: 'main', index: 0 }]] },
			'Send SLA breach': { main: [[{ node: 'Wait for delivery', type: 'main', index: 0 }]] },
			Status: { main: [[{ node: 'Look up status', type: 'main', index: 0 }]] },
		},
	);
}

const waitFor = async <T,>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) => await waitUntil(what, probe, { timeoutMs });

const registeredUrls = () => parseWebhookUrls(sandbox.webhookUrl);

/** Finished executions of a workflow, oldest first, with their run data. */
async function finishedExecutions(workflowId: string) {
	const list = (await rest.executions(workflowId)).filter((e) => e.status !== 'running' && e.status !== 'new');
	return await Promise.all(list.reverse().map(async (e) => ({ ...e, runData: await rest.executionRunData(e.id) })));
}

const triggerItems = (runData: Awaited<ReturnType<N8nRest['executionRunData']>>) =>
	runData['OneMsg Trigger']?.[0]?.data?.main[0].map((i) => i.json) ?? [];

beforeAll(async () => {
	const tarball = await packPackage(path.join(userFolder, 'pack'));
	await sandbox.start();
	sandbox.webhookUrl = [...OTHER_CONSUMERS];
	// a Base URL with a trailing slash, as users paste it
	const credentials = [exampleCredential({ ...sandbox.credential, baseUrl: `${sandbox.baseUrl}/` })];
	const workflows = exampleWorkflows(sandbox.baseUrl, ['ticket-accepted', 'agent-assigned', 'delivery-watcher', 'ticket-resolved-email-fallback', 'customer-message-reply', 'agent-reply']);
	local = new LocalN8n({
		dir: userFolder,
		tarball,
		credentials,
		workflows: [...workflows, batchWorkflow(), customWorkflow()],
		log: (line) => process.stderr.write(`[e2e] ${line}\n`),
	});
	await local.start();
	n8n = local.main;
	rest = local.rest;
}, 900_000);

afterAll(async () => {
	await local?.stop();
	await sandbox.stop();
	rmSync(userFolder, { recursive: true, force: true });
});

describe('the editor', () => {
	test('shows the 1MSG icon, light and dark, on every node and on the credential', async () => {
		type Described = { name: string; iconUrl?: { light: string; dark: string } };
		const listed = async (file: string) => ((await (await rest.fetch(`/types/${file}`)).json()) as Described[]).filter((t) => /^(n8n-nodes-onemsg\.|oneMsgChannelApi$)/.test(t.name));
		const ours = [...(await listed('nodes.json')), ...(await listed('credentials.json'))];
		expect(ours.map((t) => t.name).sort()).toEqual([
			'n8n-nodes-onemsg.oneMsg', 'n8n-nodes-onemsg.oneMsgSendTemplate', 'n8n-nodes-onemsg.oneMsgSendTemplateTool', 'n8n-nodes-onemsg.oneMsgTool', 'n8n-nodes-onemsg.oneMsgTrigger', 'oneMsgChannelApi',
		]);
		for (const { name, iconUrl } of ours) {
			for (const [theme, file] of [['light', 'oneMsg.svg'], ['dark', 'oneMsg.dark.svg']] as const) {
				const answer = await rest.fetch(`/${iconUrl?.[theme]}`);
				expect(answer.status, `${name} ${theme}`).toBe(200);
				expect(await answer.text(), `${name} ${theme}`).toBe(readFileSync(path.join(ROOT, 'icons', file), 'utf8'));
			}
		}
	});
});

describe('OneMsg Send Template in n8n', () => {
	test('the ticket-accepted example, run from the editor, sends the scenario page’s exact request', async () => {
		const before = sandbox.requestsTo('sendTemplate').length;
		const started = await rest.request<{ executionId: string }>('POST', `/workflows/${TICKET}/run`, {
			triggerToStartFrom: { name: 'When clicking ‘Execute workflow’' },
		});
		const execution = await waitFor('the manual run to finish', async () => {
			const [done] = (await finishedExecutions(TICKET)).filter((e) => e.id === started.executionId);
			return done;
		});
		expect(execution.status).toBe('success');
		const [send] = sandbox.requestsTo('sendTemplate').slice(before);
		expect(send.headers.authorization).toBe(`Bearer ${sandbox.token}`);
		expect(send.body).toStrictEqual(scenarioBody('ticket_accepted', ['Maria', '12345', 'Expect a specialist reply within 2 hours.']));
		const [item] = execution.runData['OneMsg: Ticket Accepted'][0].data!.main[0];
		expect(item.json).toMatchObject({ sent: true, messageId: sandbox.sent.at(-1)!.id, phone: '14155552671', template: 'ticket_accepted', language: 'en', operation: 'ticketAccepted' });
	});

	test('both operations through the published examples’ webhooks: exact requests and output fields', async () => {
		await rest.publish(TICKET);
		await rest.publish(AGENT);
		const ticket = { customer: { name: 'Maria', phone: '+1 (415) 555-2671' }, ticket: { id: 12345, nextStep: 'Expect a reply within 2 hours' } };
		const accepted = await postWhenLive(`${n8n.baseUrl}/webhook/helpdesk/ticket-accepted`, ticket);
		expect(accepted.json).toMatchObject({ sent: true, phone: '14155552671', template: 'ticket_accepted', operation: 'ticketAccepted', messageId: sandbox.sent.at(-1)!.id });
		expect(sandbox.requestsTo('sendTemplate').at(-1)!.body).toMatchObject({
			phone: '14155552671',
			params: [{ type: 'body', parameters: [{ text: 'Maria' }, { text: '12345' }, { text: 'Expect a reply within 2 hours' }] }],
		});

		const assigned = await postWhenLive(`${n8n.baseUrl}/webhook/helpdesk/agent-assigned`, { ...ticket, assignee: { name: 'Alexey Petrov' } });
		expect(assigned.json).toMatchObject({ sent: true, template: 'agent_assigned', operation: 'agentAssigned', messageId: sandbox.sent.at(-1)!.id });
		expect(sandbox.requestsTo('sendTemplate').at(-1)!.body).toStrictEqual(scenarioBody('agent_assigned', ['Maria', '12345', 'Alexey Petrov']));
	});

	test('a bad phone in a batch fails only its item', async () => {
		await rest.publish(BATCH);
		const sentBefore = sandbox.sent.length;
		const tickets = [
			{ customer: { name: 'Ann', phone: '+44 20 7946 0958' }, ticket: { id: 1 } },
			{ customer: { name: 'Bad', phone: '12-34' }, ticket: { id: 2 } },
			{ customer: { name: 'Bo', phone: '0014155552672' }, ticket: { id: 3 } },
		];
		const answer = await postWhenLive(`${n8n.baseUrl}/webhook/e2e/batch`, { tickets });
		const items = answer.json as Array<Record<string, unknown>>;
		expect(items.map((i) => i.sent)).toEqual([true, false, true]);
		expect(items[1].error).toBe('Phone "12-34" has 4 digits; an international number has 6 to 15');
		expect(sandbox.sent.slice(sentBefore).map((m) => m.phone)).toEqual(['442079460958', '14155552672']);
	});
});

describe('Custom Template and Get Delivery Status in n8n', () => {
	test('a 5-variable template with a URL button: the right components; waiting ends with failed, not with the timeout', async () => {
		await rest.publish(CUSTOM);
		const values = { body_1: 'Maria', body_2: '12345', body_3: 'VPN access', body_4: '26', body_5: '24', button_0: '12345' };
		const answer = await postWhenLive(`${n8n.baseUrl}/webhook/e2e/custom`, { phone: '+1 415 555 0000', ...values });
		const send = sandbox.requestsTo('sendTemplate').at(-1)!;
		expect(send.body).toStrictEqual({
			phone: '14155550000',
			template: 'sla_breach',
			namespace: DEFAULT_NAMESPACE,
			language: { policy: 'deterministic', code: 'en' },
			params: [
				{ type: 'body', parameters: ['Maria', '12345', 'VPN access', '26', '24'].map((text) => ({ type: 'text', text })) },
				{ type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: '12345' }] },
			],
		});
		// ended by the failed status, not by the 30 s timeout (no clock is read: timedOut says which)
		expect(answer.json).toMatchObject({ messageId: sandbox.sent.at(-1)!.id, status: 'failed', final: true, timedOut: false });
	});

	test('Get Delivery Status returns the normalized hooks of a sent id', async () => {
		const messageId = sandbox.sent.at(-1)!.id;
		const answer = await postWhenLive(`${n8n.baseUrl}/webhook/e2e/status`, { messageId });
		const json = answer.json as { status: string; final: boolean; hooks: Array<Record<string, unknown>> };
		expect(json.status).toBe('failed');
		expect(json.hooks.map((h) => [h.event, h.messageId, h.status, h.phone, h.channelId])).toEqual([
			['status', messageId, 'sent', '14155550000', sandbox.channelId],
			['status', messageId, 'failed', '14155550000', sandbox.channelId],
		]);
		expect(json.hooks[1].error).toEqual({ code: 131026, title: 'Message undeliverable', message: 'The number is not on WhatsApp' });
	});

	test('the ticket-resolved example, run from the editor, sends four body variables with header and button, and waits', async () => {
		const before = sandbox.requestsTo('sendTemplate').length;
		const started = await rest.request<{ executionId: string }>('POST', `/workflows/${RESOLVED}/run`, {
			triggerToStartFrom: { name: 'When clicking ‘Execute workflow’' },
		});
		const execution = await waitFor('the example to finish', async () => {
			const [done] = (await finishedExecutions(RESOLVED)).filter((e) => e.id === started.executionId);
			return done;
		});
		expect(execution.status).toBe('success');
		expect((sandbox.requestsTo('sendTemplate')[before].body as { params: unknown }).params).toEqual([
			{ type: 'header', parameters: [{ type: 'text', text: '12345' }] },
			{ type: 'body', parameters: ['Maria', '12345', 'Alexey Petrov', 'the VPN access was restored'].map((text) => ({ type: 'text', text })) },
			{ type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: '12345' }] },
		]);
		expect(execution.runData['OneMsg: Wait for Delivery'][0].data!.main[0][0].json).toMatchObject({ final: true });
		expect(execution.runData['E-mail the customer']).toBeUndefined();
	});
});

describe('OneMsg Trigger in n8n', () => {
	let url = '';

	test('publishing registers one URL beside the channel’s existing ones (one with a comma, kept whole) and turns delivery reports on', async () => {
		sandbox.ackNotificationsOn = false;
		await rest.publish(WATCHER);
		// n8n activates a published workflow in the background: wait for the registration itself
		const urls = await waitFor('the registration', async () =>
			registeredUrls().length > OTHER_CONSUMERS.length && sandbox.ackNotificationsOn ? registeredUrls() : undefined,
		);
		expect(urls.slice(0, 2)).toEqual(OTHER_CONSUMERS);
		expect(urls).toHaveLength(3);
		url = urls[2];
		expect(url).toMatch(new RegExp(`^${n8n.baseUrl}/webhook/7d2c9b4e-1a2b-4c3d-8e4f-5a6b7c8d9e01/onemsg\\?secret=[\\w-]{22,}$`));
		expect(sandbox.ackNotificationsOn).toBe(true);
		// the route is live once it answers a request without the secret with the node's 401
		await waitFor('the trigger route', async () => ((await postJson(url.split('?')[0], {})).status === 401 ? true : undefined));
	});

	test('all three event shapes posted to the registered URL come out as items', async () => {
		const before = (await finishedExecutions(WATCHER)).length;
		const ack = { id: 'wamid.E2E_ACK', chatId: '14155552671@c.us', status: 'delivered' };
		const hook = { id: 'wamid.E2E_HOOK', type: 'message', status: 'failed', timestamp: '1654864094', recipient_id: '14155552671', errors: [{ code: 131047, title: 'Re-engagement message' }] };
		const meta = { id: 'wamid.E2E_META', status: 'viewed', timestamp: 1654864095, recipient_id: '14155552671' };
		const answer = await postJson(url, { instanceId: sandbox.channelId, ack: [ack], hooks: [hook], entry: [{ changes: [{ value: { statuses: [meta] } }] }] });
		expect(answer.status).toBe(200);
		// (the sandbox's own reports of the earlier sends may start executions of their own meanwhile)
		const runs = await waitFor('the trigger execution', async () => {
			const ours = (await finishedExecutions(WATCHER))
				.slice(before)
				.filter((run) => triggerItems(run.runData).some((item) => String(item.messageId).startsWith('wamid.E2E_')));
			return ours.length ? ours : undefined;
		});
		expect(runs).toHaveLength(1);
		expect(triggerItems(runs[0].runData)).toEqual([
			{ event: 'status', messageId: 'wamid.E2E_ACK', status: 'delivered', phone: '14155552671', timestamp: null, channelId: sandbox.channelId, error: null, raw: ack },
			{ event: 'status', messageId: 'wamid.E2E_HOOK', status: 'failed', phone: '14155552671', timestamp: '2022-06-10T12:28:14.000Z', channelId: sandbox.channelId, error: { code: 131047, title: 'Re-engagement message', message: null, hint: WINDOW_CLOSED_HINT }, raw: hook },
			{ event: 'status', messageId: 'wamid.E2E_META', status: 'read', phone: '14155552671', timestamp: '2022-06-10T12:28:15.000Z', channelId: sandbox.channelId, error: null, raw: meta },
		]);
		// the example alerts the team chat on the failed one
		await waitFor('the team chat alert', async () => (sandbox.teamChat.length ? true : undefined));
		expect(sandbox.teamChat.at(-1)).toEqual({ text: 'WhatsApp notification failed for 14155552671: Re-engagement message (message wamid.E2E_HOOK)' });
	});

	test('the sandbox’s own delivery reports of a real send reach the watcher: sent, delivered, read; failed for a 0000 phone', async () => {
		const okSend = await postJson(`${n8n.baseUrl}/webhook/helpdesk/ticket-accepted`, { customer: { name: 'Maria', phone: '+1 415 555 2671' }, ticket: { id: 7 } });
		const failSend = await postJson(`${n8n.baseUrl}/webhook/helpdesk/ticket-accepted`, { customer: { name: 'Nobody', phone: '+1 415 555 0000' }, ticket: { id: 8 } });
		const ids = [(okSend.json as { messageId: string }).messageId, (failSend.json as { messageId: string }).messageId];
		const seen = await waitFor(
			'the delivery reports',
			async () => {
				const items = (await finishedExecutions(WATCHER)).flatMap((e) => triggerItems(e.runData)).filter((i) => ids.includes(i.messageId as string));
				return items.length >= 5 ? items : undefined;
			},
			30_000,
		);
		// webhook executions finish in any order: each message's statuses are compared as a set, and each comes once
		const statusesOf = (id: string) => seen.filter((i) => i.messageId === id).map((i) => String(i.status)).sort();
		expect(statusesOf(ids[0])).toEqual(['delivered', 'read', 'sent']);
		expect(statusesOf(ids[1])).toEqual(['failed', 'sent']);
	});

	test('a request with the secret stripped or altered gets 401 and runs nothing; junk gets no 5xx and runs nothing', async () => {
		const before = (await rest.executions(WATCHER)).length;
		const event = { ack: [{ id: 'wamid.NOPE', status: 'read' }] };
		expect((await postJson(url.split('?')[0], event)).status).toBe(401);
		expect((await postJson(url.replace(/secret=./, (m) => (m.endsWith('A') ? 'secret=B' : 'secret=A')), event)).status).toBe(401);
		for (const junk of [{}, [], 'text', { messages: [{ id: 'x', body: 'hi' }] }, { ack: 'x' }, { hooks: [{ id: 1 }] }]) {
			const answer = await postJson(url, junk);
			expect(answer.status).toBeLessThan(500);
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect((await rest.executions(WATCHER)).length).toBe(before);
	});

	test('unpublishing leaves the channel’s list exactly as it was before, byte for byte', async () => {
		await rest.unpublish(WATCHER);
		await waitFor('the URL to be removed', async () => (registeredUrls().length === OTHER_CONSUMERS.length ? true : undefined));
		expect(sandbox.webhookUrl).toEqual(OTHER_CONSUMERS);
	});
});

describe('Conversation in n8n', () => {
	test('a customer’s document, posted by the sandbox, starts the example: file attached, read with typing, a reply quoting it reaches the sandbox', async () => {
		await rest.publish(CUSTOMER);
		await waitFor('the registration', async () => (registeredUrls().some((u) => u.includes('7d2c9b4e-1a2b-4c3d-8e4f-5a6b7c8d9e05')) ? true : undefined));
		const url = registeredUrls().find((u) => u.includes('7d2c9b4e-1a2b-4c3d-8e4f-5a6b7c8d9e05'))!;
		await waitFor('the trigger route', async () => ((await postJson(url.split('?')[0], {})).status === 401 ? true : undefined));

		const answer = await postJson(`${sandbox.baseUrl}/sandbox/customer`, { phone: '+1 415 555 2671', name: 'Maria Lopez', document: { fileName: 'invoice-42.pdf', caption: 'my invoice', content: '%PDF-1.4 invoice 42' } });
		expect(answer.status).toBe(202);
		const incoming = await waitFor('the customer message', async () => sandbox.history.find((m) => !m.fromMe && m.type === 'document'));
		const reply = await waitFor('the reply at the sandbox', async () => sandbox.outbox.find((m) => m.body.quotedMsgId === incoming.id));
		expect(reply).toMatchObject({ method: 'sendMessage', chatId: '14155552671@c.us' });
		expect(reply.body).toStrictEqual({
			chatId: '14155552671@c.us',
			body: 'Thanks, Maria Lopez! We got your message and your file invoice-42.pdf. Your ticket is T-2671; an agent will answer here shortly.',
			quotedMsgId: incoming.id,
		});
		expect(sandbox.reads).toContainEqual({ messageId: incoming.id, typingIndicator: true });

		const run = await waitFor('the execution', async () =>
			(await finishedExecutions(CUSTOMER)).find((e) => triggerItems(e.runData).some((i) => i.messageId === incoming.id)),
		);
		expect(run.status).toBe('success');
		const [item] = run.runData['OneMsg Trigger'][0].data!.main[0] as Array<{ json: Record<string, unknown>; binary?: Record<string, { fileName?: string; mimeType?: string; fileSize?: string }> }>;
		expect(item.json).toMatchObject({ event: 'message', type: 'document', text: 'my invoice', phone: '14155552671', customerName: 'Maria Lopez', mediaError: null });
		expect(item.binary?.data).toMatchObject({ fileName: 'invoice-42.pdf', mimeType: 'application/pdf' });
		expect(sandbox.requests.filter((r) => r.path.startsWith('/media/')).every((r) => r.headers.authorization === undefined)).toBe(true);
	});

	test('an agent’s reply goes out free-form while the window is open, and as the template when it is not', async () => {
		await rest.publish(AGENT_REPLY);
		const reply = (phone: string) => ({ customer: { name: 'Maria', phone }, ticket: { id: 12345 }, agent: { name: 'Alexey Petrov' }, comment: { text: 'Your parcel left the warehouse today.' } });
		// Ann writes in, so her window is open (the customer-message example may answer her too)
		await sandbox.customerSays({ text: 'Any news on my parcel?', phone: '14155552672', name: 'Ann' });
		const open = await postWhenLive(`${n8n.baseUrl}/webhook/helpdesk/agent-reply`, reply('+1 (415) 555-2672'));
		expect(open.json).toMatchObject({ sent: true, operation: 'sendText', to: '14155552672@c.us' });
		const sent = sandbox.outbox.filter((m) => m.body.body === 'Your parcel left the warehouse today.');
		expect(sent.map((m) => m.body)).toEqual([{ chatId: '14155552672@c.us', body: 'Your parcel left the warehouse today.' }]);
		expect((open.json as { messageId: string }).messageId).toBe(sent[0].id);

		const sendsBefore = sandbox.requestsTo('sendTemplate').length;
		const closed = await postJson(`${n8n.baseUrl}/webhook/helpdesk/agent-reply`, reply('+44 20 7946 0958'));
		expect(closed.json).toMatchObject({ sent: true, operation: 'agentAssigned', phone: '442079460958' });
		expect(sandbox.requestsTo('sendTemplate').slice(sendsBefore).map((r) => r.body)).toEqual([scenarioBody('agent_assigned', ['Maria', '12345', 'Alexey Petrov'], '442079460958')]);
		expect(sandbox.requestsTo('sendMessage').filter((r) => (r.body as { chatId?: string }).chatId === '442079460958@c.us')).toHaveLength(0);
	});
});

describe('the token', () => {
	test('appears nowhere in n8n’s stored data or its log', async () => {
		const dataDir = path.join(n8n.options.userFolder, '.n8n');
		const files = readdirSync(dataDir).filter((f) => f.startsWith('database.sqlite'));
		expect(files.length).toBeGreaterThan(0);
		for (const file of files) {
			expect(readFileSync(path.join(dataDir, file)).includes(sandbox.token), file).toBe(false);
		}
		for (const execution of await Promise.all([TICKET, AGENT, WATCHER, BATCH, CUSTOM, RESOLVED, CUSTOMER, AGENT_REPLY].map((id) => rest.executions(id)))) {
			for (const { id } of execution) {
				expect(JSON.stringify(await rest.request('GET', `/executions/${id}`))).not.toContain(sandbox.token);
			}
		}
		expect(n8n.output).not.toContain(sandbox.token);
	});
});
