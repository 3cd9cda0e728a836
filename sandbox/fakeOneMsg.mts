/**
 * A fake 1MSG API on loopback (node:http, real sockets) that checks requests the way the real API
 * does (docs/1MSG-API.md): the test suites use it, and `npm start` runs it as the local sandbox. The
 * channel's state lives in one object, made afresh by `reset()`. Around it: the sandbox's scripted
 * delivery reports, played customers and team chat (sandboxScript.mts), and the benchmark's send
 * limit (sendLimit.mts). Only erasable TypeScript here, so Node 24 can run it as is.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseWebhookUrls } from '../nodes/OneMsgTrigger/webhookUrls.ts';
import { EXTRA_TEMPLATES, SCENARIO_TEMPLATES, freeFormProblem, recipientOf, servedTemplate, templateSendCheck, type FakeTemplate } from './apiRules.mts';
import { describeExchange, describeReport, redactUrl, sandboxRoute, scheduleDelivery } from './sandboxScript.mts';

export { DEFAULT_NAMESPACE, SCENARIO_TEMPLATES } from './apiRules.mts';

/** A request as the fake records it; its body parsed when it is JSON. */
function recorded(req: IncomingMessage, rawBody: string) {
	const url = new URL(req.url ?? '/', 'http://fake');
	let body: unknown = rawBody;
	try {
		body = rawBody ? JSON.parse(rawBody) : undefined;
	} catch {
		// not JSON: recorded as the text it is
	}
	return {
		method: req.method ?? 'GET',
		path: url.pathname,
		/** The API method: the path segment after the channel id. */
		apiMethod: url.pathname.split('/').filter(Boolean)[1] ?? '',
		query: Object.fromEntries(url.searchParams),
		headers: req.headers,
		rawBody,
		body,
		/** The client's port: with the connection still open, it tells which process sent the request. */
		remotePort: req.socket.remotePort,
	};
}
export type RecordedRequest = ReturnType<typeof recorded>;

export interface Reply {
	status: number;
	body?: unknown;
	/** Sent as is, not JSON-encoded: text/html unless `headers` say otherwise, or a file's bytes. */
	text?: string | Buffer;
	headers?: Record<string, string>;
	/** Destroy the socket instead of answering. */
	drop?: boolean;
	delayMs?: number;
}

/**
 * Answers a request instead of the fake, or returns undefined to let the fake answer. `proceed`
 * runs the fake's own handling (a send is then recorded) and gives its reply, so an interceptor can
 * process a request and still answer badly, as a server that fails after doing the work.
 */
export type Interceptor = (request: RecordedRequest, proceed: () => Reply) => Reply | undefined | Promise<Reply | undefined>;

/** What a customer sends: a text, or a document with a file the fake serves. */
export interface CustomerMessage {
	phone?: string;
	name?: string;
	text?: string;
	document?: { fileName?: string; caption?: string; mimeType?: string; content?: string };
	replyTo?: string;
}

const MEDIA_PATH = '/media/';
export const WINDOW_CLOSED_MESSAGE = 'Dialog window is closed. You can only send a template message to this customer.';
const BUSINESS_CHAT = '15550001111@c.us';

export interface FakeOptions {
	channelId?: string;
	token?: string;
	templates?: FakeTemplate[];
	/** After each accepted message, POST delivery reports to the channel's webhooks, `stepMs` apart. */
	delivery?: { stepMs: number };
	/** Called with one readable line per request and per webhook POST. */
	log?: (line: string) => void;
}

/** A message's status record, as GET /hookInfo answers it and a failed report carries it. */
function statusRecord(id: string, phone: string, status: string) {
	const record = { id, type: 'message', status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: phone };
	if (status !== 'failed') return record;
	return { ...record, errors: [{ code: 131026, title: 'Message undeliverable', message: 'The number is not on WhatsApp' }] };
}

type ChatEntry = Record<'id' | 'type' | 'body' | 'author' | 'chatId' | 'senderName', string> &
	Record<'caption' | 'quotedMsgId', string | null> & { fromMe: 0 | 1 };
/** One message of a chat, as GET /messages answers it. */
function chatMessage(messageNumber: number, time: number, entry: ChatEntry) {
	return { messageNumber, self: entry.fromMe, isForwarded: 0, chatName: entry.chatId.split('@')[0], metadata: {}, ...entry, time };
}

/** Everything a test may change or read about the channel; `reset()` makes it afresh. */
function freshChannel(options: FakeOptions) {
	return {
		templates: structuredClone(options.templates ?? [...SCENARIO_TEMPLATES, ...EXTRA_TEMPLATES]),
		/** Serve the first page whatever `offset` says, as some channels do. */
		templatesIgnoreOffset: false,
		delivery: options.delivery,
		webhookUrl: '' as unknown,
		ackNotificationsOn: false,
		requests: [] as RecordedRequest[],
		sent: [] as Array<{ id: string; phone: string; template: string; language: string; params: unknown }>,
		/** Every chat's messages, both directions, oldest first: what GET /messages reads. */
		history: [] as Array<ReturnType<typeof chatMessage>>,
		/** The free-form sends accepted (sendMessage, sendFile, sendButton). */
		outbox: [] as Array<{ id: string; method: string; chatId: string; body: Record<string, unknown> }>,
		/** POST /readMessage calls accepted. */
		reads: [] as Array<{ messageId: string; typingIndicator: boolean }>,
		/** Files served under /media/<id>/<name>, as 1MSG's storage serves a message's file. */
		media: new Map<string, { content: Buffer; mimeType: string; fileName: string }>(),
		/** The fake's clock (ms), for the 24-hour window; tests may set it. */
		now: (): number => Date.now(),
		/** Messages POSTed to the stand-in team chat webhook (the examples' failure alerts). */
		teamChat: [] as unknown[],
		/** Status records per message id, as GET /hookInfo answers them. */
		hooks: new Map<string, Array<ReturnType<typeof statusRecord>>>(),
		interceptors: [] as Interceptor[],
	};
}
type ChannelState = ReturnType<typeof freshChannel>;

// The channel's state is declared once, by freshChannel(), and merged into the class.
export interface FakeOneMsg extends ChannelState {}
export class FakeOneMsg {
	readonly channelId: string;
	readonly token: string;
	baseUrl = '';
	/** Called when the channel's webhook list or settings change (the sandbox saves them). */
	onChange?: () => void;

	/** What a user enters in the OneMsg credential for this channel. */
	get credential(): { channelId: string; token: string; baseUrl: string } {
		return { channelId: this.channelId, token: this.token, baseUrl: this.baseUrl };
	}

	private readonly options: FakeOptions;
	private readonly timers = new Set<ReturnType<typeof setTimeout>>();
	private server?: Server;
	private counter = 0;

	constructor(options: FakeOptions = {}) {
		this.options = options;
		this.channelId = options.channelId ?? '371267300';
		this.token = options.token ?? `tok_${randomBytes(12).toString('hex')}`;
		this.reset();
	}

	/** Back to the state it started in (the tests call it before each test). */
	reset(): void {
		Object.assign(this, freshChannel(this.options));
	}

	/** Answers requests the interceptor returns a reply for, before the normal handling. */
	intercept(interceptor: Interceptor): void {
		this.interceptors.push(interceptor);
	}

	clearInterceptors(): void {
		this.interceptors = [];
	}

	requestsTo(apiMethod: string): RecordedRequest[] {
		return this.requests.filter((r) => r.apiMethod === apiMethod);
	}

	/** Listens on loopback; `baseUrl` tells where. */
	async start(port = 0): Promise<void> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}

	/** Runs `job` after `ms`, unless the fake stops first. */
	later(ms: number, job: () => Promise<unknown>): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			void job();
		}, ms);
		this.timers.add(timer);
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const request = recorded(req, Buffer.concat(chunks).toString('utf8'));
		this.requests.push(request);
		let reply: Reply | undefined;
		for (const interceptor of this.interceptors) {
			reply = await interceptor(request, () => this.answer(request));
			if (reply) break;
		}
		reply ??= this.answer(request);
		if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
		if (reply.drop) return void req.socket.destroy();
		this.options.log?.(describeExchange(request, reply));
		const contentType = reply.text !== undefined ? 'text/html; charset=utf-8' : 'application/json';
		res.writeHead(reply.status, { 'content-type': contentType, ...reply.headers });
		res.end(reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
	}

	private answer(request: RecordedRequest): Reply {
		const sandboxReply = sandboxRoute(this, request);
		if (sandboxReply) return sandboxReply;
		if (request.path.startsWith(MEDIA_PATH) && request.method === 'GET') {
			const file = this.media.get(request.path.split('/')[2] ?? '');
			if (!file) return { status: 404, text: '<Error><Code>NoSuchKey</Code></Error>' };
			return { status: 200, text: file.content, headers: { 'content-type': file.mimeType } };
		}
		const channel = request.path.split('/').filter(Boolean)[0];
		if (channel !== this.channelId) return { status: 404, body: { error: `Channel "${channel}" not found` } };
		const auth = request.headers.authorization ?? '';
		if (auth !== `Bearer ${this.token}`) {
			const given = auth.replace(/^Bearer\s+/i, '') || request.query.token || '';
			return { status: 401, body: { error: `Wrong token "${given}" for channel "${this.channelId}". Check the token in your dashboard.` } };
		}
		const route = this.api[`${request.method} ${request.apiMethod}`];
		return route ? route(request) : { status: 404, body: { error: `Method "${request.apiMethod}" not found` } };
	}

	/** The API methods the fake knows, by HTTP method and API method. */
	private readonly api: Record<string, (request: RecordedRequest) => Reply> = {
		'GET status': () => ({ status: 200, body: { status: 'connected', accountStatus: 'authenticated' } }),
		'GET templates': ({ query }) => {
			const limit = Math.min(Number(query.limit ?? 50) || 50, 100);
			const offset = this.templatesIgnoreOffset ? 0 : Number(query.offset ?? 0) || 0;
			const page = this.templates.slice(offset, offset + limit).map((t, i) => servedTemplate(t, offset + i));
			return { status: 200, body: { total: this.templates.length, templates: page } };
		},
		'POST sendTemplate': ({ body }) => {
			const template = templateSendCheck(this.templates, body);
			if (Array.isArray(template)) return { status: template[0], body: { message: template[1] } };
			const { phone, params } = body as { phone: string; params: unknown };
			const id = this.newMessageId(phone);
			this.sent.push({ id, phone, template: template.name, language: template.language, params });
			return this.accepted(id, phone, `${phone}@c.us`);
		},
		'GET webhook': () => ({ status: 200, body: { webhookUrl: this.webhookUrl } }),
		'POST webhook': ({ body }) => {
			const value = (body as { webhookUrl?: unknown } | undefined)?.webhookUrl;
			const urls = Array.isArray(value) ? value : [value];
			if (!urls.length || urls.some((u) => typeof u !== 'string' || !u)) {
				return { status: 400, body: { set: false, message: 'webhookUrl must not be empty' } };
			}
			if (urls.length > 5) return { status: 400, body: { set: false, message: 'At most 5 webhook URLs are allowed' } };
			this.webhookUrl = value;
			this.onChange?.();
			return { status: 200, body: { set: true, message: 'Webhook URL has been set' } };
		},
		'POST settings': ({ body }) => {
			const settings = (body ?? {}) as Record<string, unknown>;
			if ('webhookUrl' in settings) this.webhookUrl = settings.webhookUrl;
			if ('ackNotificationsOn' in settings) this.ackNotificationsOn = settings.ackNotificationsOn === true;
			this.onChange?.();
			return { status: 200, body: { update: true, ...settings } };
		},
		'POST sendMessage': (r) => this.sendFreeForm(r),
		'POST sendFile': (r) => this.sendFreeForm(r),
		'POST sendButton': (r) => this.sendFreeForm(r),
		'POST readMessage': ({ body }) => {
			const read = (body ?? {}) as Record<string, unknown>;
			const messageId = read.messageId ?? read.msgId;
			if (typeof messageId !== 'string' || !messageId) return { status: 400, body: { error: 'messageId is required' } };
			if (!this.history.some((m) => m.id === messageId && !m.fromMe)) return { status: 400, body: { error: `Message ${messageId} not found` } };
			this.reads.push({ messageId, typingIndicator: read.typingIndicator === true });
			return { status: 200, body: { result: 'success' } };
		},
		'GET messages': ({ query: { chatId, last, limit } }) => {
			let messages = this.history.filter((m) => !chatId || m.chatId === chatId);
			if (last === 'true') messages = [...messages].reverse();
			const count = limit === undefined ? 100 : Number(limit);
			return { status: 200, body: { messages: count > 0 ? messages.slice(0, count) : messages } };
		},
		'GET hookInfo': ({ query: { messageId = '' } }) => {
			const hooks = this.hooks.get(messageId);
			return hooks ? { status: 200, body: { hooks } } : { status: 404, body: { error: `Message ${messageId} not found` } };
		},
	};

	/** sendMessage, sendFile, sendButton: checked as 1MSG documents them; refused outside the 24-hour window. */
	private sendFreeForm({ body, apiMethod }: RecordedRequest): Reply {
		if (!body || typeof body !== 'object') return { status: 400, body: { error: 'Body must be JSON' } };
		const send = body as Record<string, unknown>;
		const chatId = recipientOf(send);
		if (typeof chatId !== 'string') return { status: 400, body: chatId };
		const problem = freeFormProblem(apiMethod, send);
		if (problem) return { status: 400, body: { error: problem } };
		// the customer's 24-hour window: open while their last message is younger than a day
		const last = this.history.filter((m) => m.chatId === chatId && !m.fromMe).at(-1);
		if (!last || last.time + 24 * 60 * 60 <= this.now() / 1000) return { status: 200, body: { sent: false, message: WINDOW_CLOSED_MESSAGE } };
		const id = this.newMessageId(`out:${chatId}`);
		this.outbox.push({ id, method: apiMethod, chatId, body: send });
		const type = apiMethod === 'sendMessage' ? 'chat' : apiMethod === 'sendFile' ? 'document' : 'interactive';
		const caption = typeof send.caption === 'string' ? send.caption : null;
		const quotedMsgId = typeof send.quotedMsgId === 'string' ? send.quotedMsgId : null;
		const author = BUSINESS_CHAT;
		this.addToHistory({ id, type, body: String(send.body), caption, fromMe: 1, author, chatId, senderName: author, quotedMsgId });
		return this.accepted(id, chatId.endsWith('@c.us') ? chatId.split('@')[0] : '', chatId);
	}

	/** The answer to an accepted send; the message's first status, and its delivery reports if scripted. */
	private accepted(id: string, phone: string, chatId: string): Reply {
		this.recordStatus(id, phone, 'sent');
		if (this.delivery && phone) scheduleDelivery(this, id, phone, this.delivery.stepMs);
		return { status: 200, body: { sent: true, id, message: `Sent to ${chatId}`, description: 'Message has been sent to the provider' } };
	}

	/** Adds a status record to what GET /hookInfo answers for the message. */
	recordStatus(id: string, phone: string, status: string): ReturnType<typeof statusRecord> {
		const record = statusRecord(id, phone, status);
		this.hooks.set(id, [...(this.hooks.get(id) ?? []), record]);
		return record;
	}

	/** POSTs a body to every webhook URL of the channel, as 1MSG does. */
	async postToWebhooks(body: Record<string, unknown>): Promise<void> {
		await Promise.all(
			parseWebhookUrls(this.webhookUrl).map(async (url) => {
				const to = `report  ${describeReport(body)} → ${redactUrl(url)}`;
				try {
					const headers = { 'content-type': 'application/json' };
					const answer = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
					this.options.log?.(`${to} ${answer.status}`);
				} catch (error) {
					this.options.log?.(`${to} failed: ${(error as Error).message}`);
				}
			}),
		);
	}

	private newMessageId(seed: string): string {
		return `wamid.${Buffer.from(`${seed}:${++this.counter}:${randomBytes(4).toString('hex')}`).toString('base64url')}`;
	}

	private addToHistory(entry: ChatEntry): ReturnType<typeof chatMessage> {
		const message = chatMessage(this.history.length + 1, Math.floor(this.now() / 1000), entry);
		this.history.push(message);
		return message;
	}

	/**
	 * A customer writes: the message goes into the chat's history and is POSTed, in 1MSG's normalized
	 * form, to every webhook URL of the channel. A document's file is served by the fake.
	 */
	async customerSays(message: CustomerMessage): Promise<{ body: Record<string, unknown> }> {
		const phone = (message.phone ?? '14155552671').replace(/\D/g, '');
		const chatId = `${phone}@c.us`;
		const id = this.newMessageId(`in:${phone}`);
		let said = { type: 'chat', body: message.text ?? '', caption: null as string | null };
		const document = message.document;
		if (document) {
			const fileName = document.fileName ?? 'invoice.pdf';
			const mediaId = randomBytes(8).toString('hex');
			const content = Buffer.from(document.content ?? `%PDF-1.4\n% sandbox file ${fileName}\n%%EOF\n`);
			this.media.set(mediaId, { content, mimeType: document.mimeType ?? 'application/pdf', fileName });
			const url = `${this.baseUrl}${MEDIA_PATH}${mediaId}/${encodeURIComponent(fileName)}?X-Amz-Expires=300`;
			said = { type: 'document', body: url, caption: document.caption ?? fileName };
		}
		const senderName = message.name ?? 'Maria Lopez';
		const quotedMsgId = message.replyTo ?? null;
		const { messageNumber, metadata, ...entry } = this.addToHistory({ id, ...said, fromMe: 0, author: chatId, chatId, senderName, quotedMsgId });
		// the same message in the webhook's form: booleans, and the time as a string
		const webhookBody = { instanceId: this.channelId, messages: [{ ...entry, fromMe: false, time: String(entry.time), isForwarded: false }] };
		const what = said.type === 'chat' ? JSON.stringify(said.body) : `[${said.type} ${said.caption}]`;
		this.options.log?.(`customer ${phone} (${senderName}) says ${what} ${id}`);
		await this.postToWebhooks(webhookBody);
		return { body: webhookBody };
	}
}
