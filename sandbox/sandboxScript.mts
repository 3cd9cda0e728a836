/**
 * What the fake does beyond answering requests, for the `npm start` sandbox and the end-to-end
 * suites: delivery reports after each accepted message, a customer played over HTTP, a stand-in for
 * a team chat's incoming webhook, and one readable log line per exchange.
 */
import type { CustomerMessage, FakeOneMsg, RecordedRequest, Reply } from './fakeOneMsg.mts';

/** Phones ending in 0000 fail, like a number that is not on WhatsApp. */
const FAILING_PHONE_SUFFIX = '0000';
/** Where the sandbox plays a customer: POST here and the fake POSTs the customer's message to the webhooks. */
const CUSTOMER_PATH = '/sandbox/customer';
/** A stand-in for a team chat's incoming webhook (Slack, Teams, …): the examples' failure alerts land here. */
const TEAM_CHAT_PATH = '/team-chat';

/** The channel of the sandbox `npm start` and `node sandbox/main.mts` run, as the "OneMsg sandbox" credential has it. */
export const SANDBOX = { channelId: '371267300', token: 'sandbox-token' };

/** What the sandbox offers, in lines for whoever started it. */
export const sandboxGuide = (sandbox: FakeOneMsg) => [
	`templates ${sandbox.templates.map((t) => t.name).join(', ')}`,
	`reports sent → delivered → read; phones ending in ${FAILING_PHONE_SUFFIX} fail`,
	`play a customer: curl -d '{"text":"Hi, my order did not arrive"}' ${sandbox.baseUrl}${CUSTOMER_PATH}`,
];

/**
 * POSTs the reports a real channel sends after accepting a message to the channel's webhooks,
 * `stepMs` apart: sent, delivered, read; or sent, failed.
 */
export function scheduleDelivery(fake: FakeOneMsg, id: string, phone: string, stepMs: number): void {
	const ack = (status: string) => ({ instanceId: fake.channelId, ack: [{ id, chatId: `${phone}@c.us`, status }] });
	// 1MSG reports only to channels with ackNotificationsOn
	const report = async (body: Record<string, unknown>) => {
		if (fake.ackNotificationsOn) await fake.postToWebhooks(body);
	};
	fake.later(Math.min(200, stepMs), () => report(ack('sent')));
	const steps = phone.endsWith(FAILING_PHONE_SUFFIX) ? ['failed'] : ['delivered', 'read'];
	for (const [index, status] of steps.entries()) {
		fake.later((index + 1) * stepMs, () => {
			const record = fake.recordStatus(id, phone, status);
			return report(status === 'failed' ? { instanceId: fake.channelId, hooks: [record] } : ack(status));
		});
	}
}

/** Requests the sandbox answers besides the 1MSG API: a customer writing in, and the team chat. */
export function sandboxRoute(fake: FakeOneMsg, request: RecordedRequest): Reply | undefined {
	if (request.method !== 'POST') return undefined;
	if (request.path === TEAM_CHAT_PATH) {
		fake.teamChat.push(request.body);
		return { status: 200, body: { ok: true } };
	}
	if (request.path !== CUSTOMER_PATH) return undefined;
	const given = (request.body ?? {}) as Record<string, unknown>;
	const text = (key: string) => (typeof given[key] === 'string' ? (given[key] as string) : undefined);
	const document = given.document === true ? {} : typeof given.document === 'object' && given.document ? given.document : undefined;
	const message: CustomerMessage = { phone: text('phone'), name: text('name'), text: text('text'), replyTo: text('replyTo'), document };
	if (!message.text && !message.document) {
		return { status: 400, body: { error: 'Give "text", or "document": true (optionally {"fileName","caption"})' } };
	}
	// answered at once; the webhook POSTs follow, as 1MSG's do
	void fake.customerSays(message);
	return { status: 202, body: { accepted: true } };
}

export const redactUrl = (url: string) => url.replace(/([?&]secret=)[^&]+/, '$1…');
const shorten = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const shortId = (id: unknown) => `${String(id).slice(0, 18)}…`;

/** The entries of a webhook POST, in a few words. */
export function describeReport(body: Record<string, unknown>): string {
	const records = [...((body.ack as unknown[]) ?? []), ...((body.hooks as unknown[]) ?? [])] as Array<{ id: string; status: string }>;
	const messages = ((body.messages as unknown[]) ?? []) as Array<{ id: string; type: string }>;
	return [...records.map((r) => `${r.status} ${shortId(r.id)}`), ...messages.map((m) => `customer ${m.type} ${shortId(m.id)}`)].join(', ');
}

/** What the log tells of a request, after its method and path. */
function detailOf({ method, path, apiMethod, query, body: given }: RecordedRequest): string {
	const body = given as Record<string, unknown> | undefined;
	if (path === TEAM_CHAT_PATH) return ` team chat alert: ${JSON.stringify(body?.text ?? body)}`;
	if (path === CUSTOMER_PATH) return ` play a customer: ${shorten(JSON.stringify(body ?? {}))}`;
	if (apiMethod === 'settings') return ` ${redactUrl(String(JSON.stringify(body)))}`;
	if (apiMethod === 'webhook' && method === 'POST') return ` ${redactUrl(String(JSON.stringify(body?.webhookUrl)))}`;
	if (apiMethod === 'messages' || apiMethod === 'hookInfo') return ` ${query.chatId ?? query.messageId ?? ''}`;
	if (!body) return '';
	if (apiMethod === 'readMessage') return ` ${String(body.messageId)}${body.typingIndicator ? ' (typing…)' : ''}`;
	if (apiMethod === 'sendTemplate') {
		const params = Array.isArray(body.params) ? (body.params as Array<{ parameters?: Array<{ text?: string }> }>) : [];
		const texts = params.flatMap((p) => p.parameters ?? []).map((p) => JSON.stringify(p.text ?? '[media]'));
		return ` ${String(body.template)} → ${String(body.phone)} [${texts.join(', ')}]`;
	}
	if (!['sendMessage', 'sendFile', 'sendButton'].includes(apiMethod)) return '';
	const file = String(body.body);
	const what =
		apiMethod === 'sendFile'
			? `file ${String(body.filename)} (${file.startsWith('data:') ? 'inline data' : shorten(file, 40)})`
			: JSON.stringify(shorten(String(body.body ?? '')));
	const sections = body.sections as Array<{ reply?: { title?: string } }> | undefined;
	const buttons = Array.isArray(sections) ? ` buttons [${sections.map((b) => b.reply?.title).join(', ')}]` : '';
	const quoting = body.quotedMsgId ? ` quoting ${shortId(body.quotedMsgId)}` : '';
	return ` → ${String(body.chatId ?? body.phone ?? body.bsuid)}: ${what}${buttons}${quoting}`;
}

/** One readable line per request: what was asked, what the fake answered. */
export function describeExchange(request: RecordedRequest, reply: Reply): string {
	const answer = reply.body as { id?: string; message?: string; error?: unknown } | undefined;
	const said = answer?.id ? ` ${answer.id}` : answer?.error || answer?.message ? ` ${JSON.stringify(answer.error ?? answer.message)}` : '';
	return `${request.method.padEnd(4)} ${request.path}${detailOf(request)} → ${reply.status}${said}`;
}
