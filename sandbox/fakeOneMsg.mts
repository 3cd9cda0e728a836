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
import { EXTRA_TEMPLATES, FORBIDDEN_PARAM_TEXT, SCENARIO_TEMPLATES, freeFormProblem, paramsMismatch, recipientOf, servedTemplate, type FakeTemplate } from './apiRules.mts';
import { describeExchange, describeReport, redactUrl, sandboxRoute, scheduleDelivery } from './sandboxScript.mts';

export { DEFAULT_NAMESPACE, EXTRA_TEMPLATES, SCENARIO_TEMPLATES, type FakeTemplate } from './apiRules.mts';
export { CUSTOMER_PATH, FAILING_PHONE_SUFFIX, TEAM_CHAT_PATH, type DeliveryStep } from './sandboxScript.mts';

export interface RecordedRequest {
	method: string;
	path: string;
	/** The API method: the path segment after the channel id. */
	apiMethod: string;
	query: Record<string, string>;
	headers: IncomingMessage['headers'];
	rawBody: string;
	body: unknown;
	/** The client's port: with the connection still open, it tells which process sent the request. */
	remotePort?: number;
}

export interface Reply {
	status: number;
	body?: unknown;
	/** Sent as is (not JSON-encoded) when set. */
	text?: string;
	headers?: Record<string, string>;
	/** Sent as is, for files. */
	bytes?: Buffer;
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

export interface SentMessage {
	id: string;
	phone: string;
	template: string;
	language: string;
	params: unknown;
}

export interface HookRecord {
	id: string;
	type: 'message';
	status: string;
	timestamp: string;
	recipient_id: string;
	errors?: Array<{ code: number; title: string; message?: string }>;
}

/** One message of a chat, as GET /messages answers it. */
export interface HistoryMessage {
	messageNumber: number;
	id: string;
	body: string;
	caption: string | null;
	type: string;
	fromMe: 0 | 1;
	self: 0 | 1;
	isForwarded: 0;
	author: string;
	time: number;
	chatId: string;
	senderName: string;
	chatName: string;
	quotedMsgId: string | null;
	metadata: Record<string, unknown>;
}

/** A free-form send the fake accepted (sendMessage, sendFile, sendButton). */
export interface OutgoingMessage {
	id: string;
	method: string;
	chatId: string;
	body: Record<string, unknown>;
}

/** What a customer sends: a text, or a document with a file the fake serves. */
export interface CustomerMessage {
	phone?: string;
	name?: string;
	text?: string;
	document?: { fileName?: string; caption?: string; mimeType?: string; content?: string };
	replyTo?: string;
}

export const MEDIA_PATH = '/media/';
export const WINDOW_CLOSED_MESSAGE = 'Dialog window is closed. You can only send a template message to this customer.';
const DAY_SECONDS = 24 * 60 * 60;
const BUSINESS_NUMBER = '15550001111';

export interface FakeOptions {
	channelId?: string;
	token?: string;
	templates?: FakeTemplate[];
	/** After each accepted message, POST delivery reports to the channel's webhooks, `stepMs` apart. */
	delivery?: { stepMs: number };
	/** Called with one readable line per request and per webhook POST. */
	log?: (line: string) => void;
}

/** Everything a test may change or read about the channel; `reset()` makes it afresh. */
function freshChannel(options: FakeOptions) {
	return {
		templates: structuredClone(options.templates ?? [...SCENARIO_TEMPLATES, ...EXTRA_TEMPLATES]),
		/** Serve the first page whatever `offset` says, as some channels do. */
		templatesIgnoreOffset: false,
		templatesPageLimit: 100,
		delivery: options.delivery,
		webhookUrl: '' as unknown,
		ackNotificationsOn: false,
		requests: [] as RecordedRequest[],
		sent: [] as SentMessage[],
		/** Every chat's messages, both directions, oldest first: what GET /messages reads. */
		history: [] as HistoryMessage[],
		outbox: [] as OutgoingMessage[],
		/** POST /readMessage calls accepted. */
		reads: [] as Array<{ messageId: string; typingIndicator: boolean }>,
		/** Files served under /media/<id>/<name>, as 1MSG's storage serves a message's file. */
		media: new Map<string, { content: Buffer; mimeType: string; fileName: string }>(),
		/** The fake's clock (ms), for the 24-hour window; tests may set it. */
		now: (): number => Date.now(),
		/** Messages POSTed to the stand-in team chat webhook (the examples' failure alerts). */
		teamChat: [] as unknown[],
		/** Status records per message id, as GET /hookInfo answers them. */
		hooks: new Map<string, HookRecord[]>(),
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
	/** Called with one readable line per request and per webhook POST. */
	log?: (line: string) => void;
	/** Called when the channel's webhook list or settings change (the sandbox saves them). */
	onChange?: () => void;
	private readonly options: FakeOptions;
	private readonly timers = new Set<ReturnType<typeof setTimeout>>();
	private server?: Server;
	private counter = 0;

	constructor(options: FakeOptions = {}) {
		this.options = options;
		this.channelId = options.channelId ?? '371267300';
		this.token = options.token ?? `tok_${randomBytes(12).toString('hex')}`;
		this.log = options.log;
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

	async start(port = 0, host = '127.0.0.1'): Promise<string> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
		this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}`;
		return this.baseUrl;
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
	later(ms: number, job: () => Promise<void>): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			void job();
		}, ms);
		this.timers.add(timer);
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', 'http://fake');
		let body: unknown;
		try {
			body = rawBody ? JSON.parse(rawBody) : undefined;
		} catch {
			body = rawBody;
		}
		const request: RecordedRequest = {
			method: req.method ?? 'GET',
			path: url.pathname,
			apiMethod: url.pathname.split('/').filter(Boolean)[1] ?? '',
			query: Object.fromEntries(url.searchParams),
			headers: req.headers,
			rawBody,
			body,
			remotePort: req.socket.remotePort,
		};
		this.requests.push(request);
		let reply: Reply | undefined;
		const proceed = () => this.answer(request);
		for (const interceptor of this.interceptors) {
			reply = await interceptor(request, proceed);
			if (reply) break;
		}
		reply ??= this.answer(request);
		if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
		if (reply.drop) {
			req.socket.destroy();
			return;
		}
		this.log?.(describeExchange(request, reply));
		const payload = reply.bytes ?? reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
		res.writeHead(reply.status, {
			'content-type': reply.text !== undefined ? 'text/html; charset=utf-8' : 'application/json',
			...reply.headers,
		});
		res.end(payload);
	}

	private answer(request: RecordedRequest): Reply {
		const sandboxReply = sandboxRoute(this, request);
		if (sandboxReply) return sandboxReply;
		if (request.path.startsWith(MEDIA_PATH) && request.method === 'GET') return this.serveMedia(request);
		const channel = request.path.split('/').filter(Boolean)[0];
		if (channel !== this.channelId) return { status: 404, body: { error: `Channel "${channel}" not found` } };
		const auth = request.headers.authorization ?? '';
		if (auth !== `Bearer ${this.token}`) {
			const given = auth.replace(/^Bearer\s+/i, '') || request.query.token || '';
			return {
				status: 401,
				body: { error: `Wrong token "${given}" for channel "${this.channelId}". Check the token in your dashboard.` },
			};
		}
		const route = this.api[`${request.method} ${request.apiMethod}`];
		return route ? route(request) : { status: 404, body: { error: `Method "${request.apiMethod}" not found` } };
	}

	/** The API methods the fake knows, by HTTP method and API method. */
	private readonly api: Record<string, (request: RecordedRequest) => Reply> = {
		'GET status': () => ({ status: 200, body: { status: 'connected', accountStatus: 'authenticated' } }),
		'GET templates': (r) => this.listTemplates(r),
		'POST sendTemplate': (r) => this.sendTemplate(r),
		'GET webhook': () => ({ status: 200, body: { webhookUrl: this.webhookUrl } }),
		'POST webhook': (r) => this.setWebhook(r),
		'POST settings': (r) => this.updateSettings(r),
		'POST sendMessage': (r) => this.sendFreeForm(r),
		'POST sendFile': (r) => this.sendFreeForm(r),
		'POST sendButton': (r) => this.sendFreeForm(r),
		'POST readMessage': (r) => this.readMessage(r),
		'GET messages': (r) => this.listMessages(r),
		'GET hookInfo': (r) => this.hookInfo(r),
	};

	private listTemplates(request: RecordedRequest): Reply {
		const limit = Math.min(Number(request.query.limit ?? 50) || 50, this.templatesPageLimit);
		const offset = this.templatesIgnoreOffset ? 0 : Number(request.query.offset ?? 0) || 0;
		const page = this.templates.slice(offset, offset + limit).map((t, i) => servedTemplate(t, offset + i));
		return { status: 200, body: { total: this.templates.length, templates: page } };
	}

	private sendTemplate(request: RecordedRequest): Reply {
		const body = request.body as Record<string, unknown> | undefined;
		if (!body || typeof body !== 'object') return { status: 400, body: { message: 'Body must be JSON' } };
		const language = body.language as { code?: unknown; policy?: unknown } | undefined;
		if (typeof body.template !== 'string' || !body.template) return { status: 422, body: { message: 'template is not defined' } };
		if (typeof body.namespace !== 'string' || !body.namespace) return { status: 422, body: { message: 'namespace is not defined' } };
		if (!language || typeof language.code !== 'string') return { status: 422, body: { message: 'language is not defined' } };
		const phone = body.phone;
		if (typeof phone !== 'string' || !/^\d{1,15}$/.test(phone)) {
			return { status: 422, body: { message: `Phone "${String(phone)}" must be digits only, in international format` } };
		}
		const template = this.templates.find(
			(t) => t.name === body.template && t.language === language.code && (t.status ?? 'approved') === 'approved',
		);
		if (!template) return { status: 404, body: { message: `Template ${String(body.template)} (${language.code}) not found` } };
		if (template.namespace && template.namespace !== body.namespace) {
			return { status: 422, body: { message: 'Template namespace mismatch' } };
		}
		const params = Array.isArray(body.params) ? (body.params as Array<Record<string, unknown>>) : [];
		const mismatch = paramsMismatch(template, params);
		if (mismatch) return { status: 422, body: { message: mismatch } };
		for (const param of params.flatMap((p) => (p.parameters as Array<{ text?: unknown }>) ?? [])) {
			if (typeof param.text === 'string' && FORBIDDEN_PARAM_TEXT.test(param.text)) {
				return {
					status: 500,
					body: { message: 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces' },
				};
			}
		}
		const id = this.newMessageId(phone);
		this.sent.push({ id, phone, template: template.name, language: template.language, params: body.params });
		return this.accepted(id, phone, `${phone}@c.us`);
	}

	/** The answer to an accepted send; the message's first status, and its delivery reports if scripted. */
	private accepted(id: string, phone: string, chatId: string): Reply {
		this.recordStatus(id, phone, 'sent');
		if (this.delivery && phone) scheduleDelivery(this, id, phone, this.delivery.stepMs);
		return { status: 200, body: { sent: true, id, message: `Sent to ${chatId}`, description: 'Message has been sent to the provider' } };
	}

	private hookInfo(request: RecordedRequest): Reply {
		const hooks = this.hooks.get(request.query.messageId ?? '');
		if (!hooks) return { status: 404, body: { error: `Message ${request.query.messageId ?? ''} not found` } };
		return { status: 200, body: { hooks } };
	}

	/** Adds a status record to what GET /hookInfo answers for the message. */
	recordStatus(id: string, phone: string, status: string): HookRecord {
		const record: HookRecord = { id, type: 'message', status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: phone };
		if (status === 'failed') {
			record.errors = [{ code: 131026, title: 'Message undeliverable', message: 'The number is not on WhatsApp' }];
		}
		this.hooks.set(id, [...(this.hooks.get(id) ?? []), record]);
		return record;
	}

	/** POSTs one report to every webhook URL of the channel, as 1MSG does (only with ackNotificationsOn). */
	async report(body: Record<string, unknown>): Promise<void> {
		if (!this.ackNotificationsOn) return;
		await this.postToWebhooks(body);
	}

	/** POSTs a body to every webhook URL of the channel; answers each URL's HTTP status (0: no answer). */
	async postToWebhooks(body: Record<string, unknown>): Promise<number[]> {
		return await Promise.all(
			parseWebhookUrls(this.webhookUrl).map(async (url) => {
				const to = `report  ${describeReport(body)} → ${redactUrl(url)}`;
				try {
					const answer = await fetch(url, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(body),
						signal: AbortSignal.timeout(10_000),
					});
					this.log?.(`${to} ${answer.status}`);
					return answer.status;
				} catch (error) {
					this.log?.(`${to} failed: ${(error as Error).message}`);
					return 0;
				}
			}),
		);
	}

	private newMessageId(seed: string): string {
		return `wamid.${Buffer.from(`${seed}:${++this.counter}:${randomBytes(4).toString('hex')}`).toString('base64url')}`;
	}

	private addToHistory(entry: Omit<HistoryMessage, 'messageNumber' | 'self' | 'isForwarded' | 'metadata' | 'chatName'>): HistoryMessage {
		const message: HistoryMessage = {
			messageNumber: this.history.length + 1,
			self: entry.fromMe,
			isForwarded: 0,
			chatName: entry.chatId.split('@')[0],
			metadata: {},
			...entry,
		};
		this.history.push(message);
		return message;
	}

	/** Whether the customer of `chatId` wrote within the last 24 hours (by the fake's clock). */
	windowOpen(chatId: string): boolean {
		const last = this.history.filter((m) => m.chatId === chatId && !m.fromMe).at(-1);
		return !!last && last.time + DAY_SECONDS > this.now() / 1000;
	}

	/**
	 * A customer writes: the message goes into the chat's history and is POSTed, in 1MSG's normalized
	 * form, to every webhook URL of the channel. A document's file is served by the fake.
	 */
	async customerSays(message: CustomerMessage): Promise<{ body: Record<string, unknown>; delivered: number[] }> {
		const phone = (message.phone ?? '14155552671').replace(/\D/g, '');
		const chatId = `${phone}@c.us`;
		const id = this.newMessageId(`in:${phone}`);
		let type = 'chat';
		let body = message.text ?? '';
		let caption: string | null = null;
		if (message.document) {
			const fileName = message.document.fileName ?? 'invoice.pdf';
			const mediaId = randomBytes(8).toString('hex');
			this.media.set(mediaId, {
				content: Buffer.from(message.document.content ?? `%PDF-1.4\n% sandbox file ${fileName}\n%%EOF\n`),
				mimeType: message.document.mimeType ?? 'application/pdf',
				fileName,
			});
			type = 'document';
			body = `${this.baseUrl}${MEDIA_PATH}${mediaId}/${encodeURIComponent(fileName)}?X-Amz-Expires=300`;
			caption = message.document.caption ?? fileName;
		}
		const time = Math.floor(this.now() / 1000);
		const name = message.name ?? 'Maria Lopez';
		const quotedMsgId = message.replyTo ?? null;
		this.addToHistory({ id, body, caption, type, fromMe: 0, author: chatId, time, chatId, senderName: name, quotedMsgId });
		const webhookBody = {
			instanceId: this.channelId,
			messages: [
				{ id, body, type, fromMe: false, self: 0, time: String(time), chatId, author: chatId, senderName: name, chatName: phone, caption, quotedMsgId, isForwarded: false },
			],
		};
		this.log?.(`customer ${phone} (${name}) says ${type === 'chat' ? JSON.stringify(body) : `[${type} ${caption}]`} ${id}`);
		return { body: webhookBody, delivered: await this.postToWebhooks(webhookBody) };
	}

	private serveMedia(request: RecordedRequest): Reply {
		const file = this.media.get(request.path.split('/')[2] ?? '');
		if (!file) return { status: 404, text: '<Error><Code>NoSuchKey</Code></Error>' };
		return { status: 200, bytes: file.content, headers: { 'content-type': file.mimeType } };
	}

	/** sendMessage, sendFile, sendButton: checked as 1MSG documents them; refused outside the 24-hour window. */
	private sendFreeForm(request: RecordedRequest): Reply {
		const body = request.body as Record<string, unknown> | undefined;
		if (!body || typeof body !== 'object') return { status: 400, body: { error: 'Body must be JSON' } };
		const chatId = recipientOf(body);
		if (typeof chatId !== 'string') return { status: 400, body: chatId };
		const problem = freeFormProblem(request.apiMethod, body);
		if (problem) return { status: 400, body: { error: problem } };
		if (!this.windowOpen(chatId)) return { status: 200, body: { sent: false, message: WINDOW_CLOSED_MESSAGE } };
		const id = this.newMessageId(`out:${chatId}`);
		this.outbox.push({ id, method: request.apiMethod, chatId, body });
		const type = request.apiMethod === 'sendMessage' ? 'chat' : request.apiMethod === 'sendFile' ? 'document' : 'interactive';
		this.addToHistory({
			id,
			body: String(body.body),
			caption: typeof body.caption === 'string' ? body.caption : null,
			type,
			fromMe: 1,
			author: `${BUSINESS_NUMBER}@c.us`,
			time: Math.floor(this.now() / 1000),
			chatId,
			senderName: `${BUSINESS_NUMBER}@c.us`,
			quotedMsgId: typeof body.quotedMsgId === 'string' ? body.quotedMsgId : null,
		});
		return this.accepted(id, chatId.endsWith('@c.us') ? chatId.split('@')[0] : '', chatId);
	}

	private readMessage(request: RecordedRequest): Reply {
		const body = (request.body ?? {}) as Record<string, unknown>;
		const messageId = body.messageId ?? body.msgId;
		if (typeof messageId !== 'string' || !messageId) return { status: 400, body: { error: 'messageId is required' } };
		if (!this.history.some((m) => m.id === messageId && !m.fromMe)) return { status: 400, body: { error: `Message ${messageId} not found` } };
		this.reads.push({ messageId, typingIndicator: body.typingIndicator === true });
		return { status: 200, body: { result: 'success' } };
	}

	private listMessages(request: RecordedRequest): Reply {
		const { chatId, last, limit } = request.query;
		let messages = this.history.filter((m) => !chatId || m.chatId === chatId);
		if (last === 'true') messages = [...messages].reverse();
		const count = limit === undefined ? 100 : Number(limit);
		if (count > 0) messages = messages.slice(0, count);
		return { status: 200, body: { messages } };
	}

	private setWebhook(request: RecordedRequest): Reply {
		const value = (request.body as { webhookUrl?: unknown } | undefined)?.webhookUrl;
		const urls = Array.isArray(value) ? value : [value];
		if (!urls.length || urls.some((u) => typeof u !== 'string' || !u)) {
			return { status: 400, body: { set: false, message: 'webhookUrl must not be empty' } };
		}
		if (urls.length > 5) return { status: 400, body: { set: false, message: 'At most 5 webhook URLs are allowed' } };
		this.webhookUrl = value;
		this.onChange?.();
		return { status: 200, body: { set: true, message: 'Webhook URL has been set' } };
	}

	private updateSettings(request: RecordedRequest): Reply {
		const body = (request.body ?? {}) as Record<string, unknown>;
		if ('webhookUrl' in body) this.webhookUrl = body.webhookUrl;
		if ('ackNotificationsOn' in body) this.ackNotificationsOn = body.ackNotificationsOn === true;
		this.onChange?.();
		return { status: 200, body: { update: true, ...body } };
	}
}
