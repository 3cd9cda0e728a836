/**
 * What the fake does beyond answering requests, for the `npm start` sandbox and the end-to-end
 * suites: delivery reports after each accepted message, a customer played over HTTP, a stand-in for
 * a team chat's incoming webhook, and one readable log line per exchange.
 */
import type { CustomerMessage, FakeOneMsg, RecordedRequest, Reply } from './fakeOneMsg.mts';

/** Phones ending in 0000 fail, like a number that is not on WhatsApp. */
export const FAILING_PHONE_SUFFIX = '0000';
/** Where the sandbox plays a customer: POST here and the fake POSTs the customer's message to the webhooks. */
export const CUSTOMER_PATH = '/sandbox/customer';
/** A stand-in for a team chat's incoming webhook (Slack, Teams, …): the examples' failure alerts land here. */
export const TEAM_CHAT_PATH = '/team-chat';

export interface DeliveryStep {
	status: 'sent' | 'delivered' | 'read' | 'failed';
	afterMs: number;
}

/** The reports a real channel sends after accepting a message: sent, delivered, read; or failed. */
export function deliverySteps(phone: string, stepMs: number): DeliveryStep[] {
	return phone.endsWith(FAILING_PHONE_SUFFIX)
		? [{ status: 'failed', afterMs: stepMs }]
		: [
				{ status: 'delivered', afterMs: stepMs },
				{ status: 'read', afterMs: 2 * stepMs },
			];
}

/** POSTs the reports of one accepted message to the channel's webhooks, `stepMs` apart. */
export function scheduleDelivery(fake: FakeOneMsg, id: string, phone: string, stepMs: number): void {
	const ack = (status: string) => ({ instanceId: fake.channelId, ack: [{ id, chatId: `${phone}@c.us`, status }] });
	fake.later(Math.min(200, stepMs), () => fake.report(ack('sent')));
	for (const step of deliverySteps(phone, stepMs)) {
		fake.later(step.afterMs, () => {
			const record = fake.recordStatus(id, phone, step.status);
			return fake.report(step.status === 'failed' ? { instanceId: fake.channelId, hooks: [record] } : ack(step.status));
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
	const message: CustomerMessage = {
		phone: text('phone'),
		name: text('name'),
		text: text('text'),
		replyTo: text('replyTo'),
		document: given.document === true ? {} : typeof given.document === 'object' && given.document ? (given.document as CustomerMessage['document']) : undefined,
	};
	if (!message.text && !message.document) {
		return { status: 400, body: { error: 'Give "text", or "document": true (optionally {"fileName","caption"})' } };
	}
	// answered at once; the webhook POSTs follow, as 1MSG's do
	void fake.customerSays(message);
	return { status: 202, body: { accepted: true } };
}

export const redactUrl = (url: string) => url.replace(/([?&]secret=)[^&]+/, '$1…');
const shorten = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The entries of a webhook POST, in a few words. */
export function describeReport(body: Record<string, unknown>): string {
	const records = [...((body.ack as unknown[]) ?? []), ...((body.hooks as unknown[]) ?? [])] as Array<{ id: string; status: string }>;
	const messages = ((body.messages as unknown[]) ?? []) as Array<{ id: string; type: string }>;
	return [...records.map((r) => `${r.status} ${r.id.slice(0, 18)}…`), ...messages.map((m) => `customer ${m.type} ${m.id.slice(0, 18)}…`)].join(', ');
}

/** One readable line per request: what was asked, what the fake answered. */
export function describeExchange(request: RecordedRequest, reply: Reply): string {
	const body = request.body as Record<string, unknown> | undefined;
	let detail = '';
	if (request.apiMethod === 'sendTemplate' && body) {
		const params = (body.params as Array<{ parameters?: Array<{ text?: string }> }> | undefined) ?? [];
		const texts = params.flatMap((p) => p.parameters ?? []).map((p) => JSON.stringify(p.text ?? '[media]'));
		detail = ` ${String(body.template)} → ${String(body.phone)} [${texts.join(', ')}]`;
	} else if (request.apiMethod === 'webhook' && request.method === 'POST') {
		detail = ` ${redactUrl(JSON.stringify((body ?? {}).webhookUrl))}`;
	} else if (request.apiMethod === 'settings') {
		detail = ` ${redactUrl(JSON.stringify(body))}`;
	} else if (request.path === TEAM_CHAT_PATH) {
		detail = ` team chat alert: ${JSON.stringify((body ?? {}).text ?? body)}`;
	} else if (['sendMessage', 'sendFile', 'sendButton'].includes(request.apiMethod) && body) {
		const to = body.chatId ?? body.phone ?? body.bsuid;
		const quoting = body.quotedMsgId ? ` quoting ${String(body.quotedMsgId).slice(0, 18)}…` : '';
		const what =
			request.apiMethod === 'sendFile'
				? `file ${String(body.filename)} (${String(body.body).startsWith('data:') ? 'inline data' : shorten(String(body.body), 40)})`
				: JSON.stringify(shorten(String(body.body ?? '')));
		const buttons = Array.isArray(body.sections) ? ` buttons [${(body.sections as Array<{ reply?: { title?: string } }>).map((b) => b.reply?.title).join(', ')}]` : '';
		detail = ` → ${String(to)}: ${what}${buttons}${quoting}`;
	} else if (request.apiMethod === 'readMessage' && body) {
		detail = ` ${String(body.messageId)}${body.typingIndicator ? ' (typing…)' : ''}`;
	} else if (request.apiMethod === 'messages' || request.apiMethod === 'hookInfo') {
		detail = ` ${request.query.chatId ?? request.query.messageId ?? ''}`;
	} else if (request.path === CUSTOMER_PATH) {
		detail = ` play a customer: ${shorten(JSON.stringify(body ?? {}))}`;
	}
	const answered = reply.drop ? 'dropped' : String(reply.status);
	const answer = reply.body as { id?: string; message?: string; error?: unknown } | undefined;
	const said = answer?.id ? ` ${answer.id}` : answer?.error || answer?.message ? ` ${JSON.stringify(answer.error ?? answer.message)}` : '';
	return `${request.method.padEnd(4)} ${request.path}${detail} → ${answered}${said}`;
}
