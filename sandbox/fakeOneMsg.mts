/**
 * A fake 1MSG API on loopback (node:http, real sockets) that checks requests the way the real API
 * does (shared/ONEMSG-API.md). The test suites use it; `npm start` runs it as the local sandbox.
 * Only erasable TypeScript here, so Node 24 can run it as is.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTemplate {
	name: string;
	language: string;
	namespace?: string;
	status?: string;
	category?: string;
	components: Array<{ type: string; format?: string; text?: string; buttons?: Array<{ type: string; text?: string; url?: string }> }>;
	/** How this entry is served, to reproduce 1MSG's quirks. */
	quirks?: {
		statusUpperCase?: boolean;
		languageAsObject?: boolean;
		componentsAsString?: boolean;
		namespaceKey?: 'namespace' | 'message_template_namespace' | 'none';
	};
}

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

export interface DeliveryStep {
	status: 'sent' | 'delivered' | 'read' | 'failed';
	afterMs: number;
}

/** Phones ending in 0000 fail, like a number that is not on WhatsApp. */
export const FAILING_PHONE_SUFFIX = '0000';

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

/** What a customer played through the sandbox sends: a text, or a document with a file the fake serves. */
export interface CustomerMessage {
	phone?: string;
	name?: string;
	text?: string;
	document?: { fileName?: string; caption?: string; mimeType?: string; content?: string };
	replyTo?: string;
}

/** Where the sandbox plays a customer: POST here and the fake POSTs the customer's message to the webhooks. */
export const CUSTOMER_PATH = '/sandbox/customer';
export const MEDIA_PATH = '/media/';
export const WINDOW_CLOSED_MESSAGE = 'Dialog window is closed. You can only send a template message to this customer.';
const DAY_SECONDS = 24 * 60 * 60;
const BUSINESS_NUMBER = '15550001111';

/** A stand-in for a team chat's incoming webhook (Slack, Teams, …), for the delivery watcher example. */
export const TEAM_CHAT_PATH = '/team-chat';

export const DEFAULT_NAMESPACE = 'ca300906_cfbc_410b_99fb_dcee8e13d578';

export const SCENARIO_TEMPLATES: FakeTemplate[] = [
	{
		name: 'ticket_accepted',
		language: 'en',
		namespace: DEFAULT_NAMESPACE,
		status: 'approved',
		category: 'UTILITY',
		components: [
			{
				type: 'BODY',
				text: 'Hello, {{1}}! Your request #{{2}} has been accepted for processing. {{3}} We will keep you updated on progress.',
			},
			{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Request status', url: 'https://help.example.com/status' }] },
		],
	},
	{
		name: 'agent_assigned',
		language: 'en',
		namespace: DEFAULT_NAMESPACE,
		status: 'approved',
		category: 'UTILITY',
		components: [
			{
				type: 'BODY',
				text: 'Hello, {{1}}! A specialist has been assigned to your request #{{2}}: {{3}}. We will contact you shortly.',
			},
			{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Request status', url: 'https://help.example.com/status' }] },
		],
	},
];

/** More approved templates, for the Custom Template operation. */
export const EXTRA_TEMPLATES: FakeTemplate[] = [
	{
		name: 'ticket_resolved',
		language: 'en',
		namespace: DEFAULT_NAMESPACE,
		status: 'approved',
		category: 'UTILITY',
		components: [
			{ type: 'HEADER', format: 'TEXT', text: 'Ticket {{1}} resolved' },
			{ type: 'BODY', text: 'Hello, {{1}}! Your request #{{2}} was resolved by {{3}}: {{4}}. How did we do?' },
			{
				type: 'BUTTONS',
				buttons: [
					{ type: 'QUICK_REPLY', text: 'All good' },
					{ type: 'URL', text: 'Rate us', url: 'https://help.example.com/survey/{{1}}' },
				],
			},
		],
	},
	{
		name: 'sla_breach',
		language: 'en',
		namespace: DEFAULT_NAMESPACE,
		status: 'approved',
		category: 'UTILITY',
		components: [
			{ type: 'BODY', text: '{{1}}, request #{{2}} ({{3}}) has waited {{4}} hours, past our {{5}}-hour promise. We are on it.' },
			{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track request', url: 'https://help.example.com/requests/{{1}}' }] },
		],
	},
	{
		name: 'invoice_ready',
		language: 'en',
		namespace: DEFAULT_NAMESPACE,
		status: 'approved',
		category: 'UTILITY',
		components: [
			{ type: 'HEADER', format: 'IMAGE' },
			{ type: 'BODY', text: 'Your invoice {{1}} is ready.' },
		],
	},
];

const FORBIDDEN_PARAM_TEXT = /[\n\t]| {5,}/;

function placeholderCount(text: string | undefined): number {
	return new Set([...(text ?? '').matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1])).size;
}

/** What 1MSG answers 422 for: params that do not match the template's placeholders, component by component. */
function paramsMismatch(template: FakeTemplate, params: Array<Record<string, unknown>>): string | undefined {
	const parameters = (p: Record<string, unknown> | undefined) => (Array.isArray(p?.parameters) ? (p.parameters as Array<Record<string, unknown>>) : []);
	const header = template.components.find((c) => c.type === 'HEADER');
	const headerParam = params.find((p) => p.type === 'header');
	const media = header?.format && header.format !== 'TEXT' ? header.format.toLowerCase() : undefined;
	if (media) {
		const [first] = parameters(headerParam);
		const link = (first?.[media] as { link?: unknown } | undefined)?.link;
		if (first?.type !== media || typeof link !== 'string' || !link) return `Header ${media} with a link is required`;
	} else if (parameters(headerParam).length !== placeholderCount(header?.text)) {
		return `Number of header parameters (${parameters(headerParam).length}) does not match the expected number of params (${placeholderCount(header?.text)})`;
	}
	const expected = placeholderCount(template.components.find((c) => c.type === 'BODY')?.text);
	const bodyCount = parameters(params.find((p) => p.type === 'body')).length;
	if (bodyCount !== expected) {
		return `Number of parameters (${bodyCount}) does not match the expected number of params (${expected})`;
	}
	const buttons = template.components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
	const buttonParams = params.filter((p) => p.type === 'button');
	for (const [index, button] of buttons.entries()) {
		const wanted = button.type === 'URL' ? placeholderCount(button.url) : 0;
		const given = buttonParams.find((p) => Number(p.index) === index);
		if (wanted && (given?.sub_type !== 'url' || parameters(given).length !== wanted)) return `Button ${index} needs ${wanted} url parameter`;
		if (!wanted && given) return `Button ${index} takes no parameters`;
	}
	if (buttonParams.some((p) => !buttons[Number(p.index)])) return 'Button parameter for a button the template does not have';
	if (params.some((p) => !['header', 'body', 'button'].includes(String(p.type)))) return 'Unknown component type';
	return undefined;
}

export class FakeOneMsg {
	readonly channelId: string;
	readonly token: string;
	templates: FakeTemplate[];
	/** Serve the first page whatever `offset` says, as some channels do. */
	templatesIgnoreOffset = false;
	templatesPageLimit = 100;
	webhookUrl: unknown = '';
	ackNotificationsOn = false;
	readonly requests: RecordedRequest[] = [];
	readonly sent: SentMessage[] = [];
	/** Every chat's messages, both directions, oldest first: what GET /messages reads. */
	readonly history: HistoryMessage[] = [];
	readonly outbox: OutgoingMessage[] = [];
	/** POST /readMessage calls accepted. */
	readonly reads: Array<{ messageId: string; typingIndicator: boolean }> = [];
	/** Files served under /media/<id>/<name>, as 1MSG's storage serves a message's file. */
	readonly media = new Map<string, { content: Buffer; mimeType: string; fileName: string }>();
	/** The fake's clock (ms), for the 24-hour window; tests may set it. */
	now: () => number = () => Date.now();
	/** Messages POSTed to the stand-in team chat webhook (the examples' failure alerts). */
	readonly teamChat: unknown[] = [];
	/** Status records per message id, as GET /hookInfo answers them. */
	readonly hooks = new Map<string, HookRecord[]>();
	/** When set, each accepted message is followed by delivery reports POSTed to the channel's webhooks. */
	delivery?: { stepMs: number };
	/** Called with one readable line per request and per delivery report. */
	log?: (line: string) => void;
	/** Called when the channel's webhook list or settings change (the sandbox saves them). */
	onChange?: () => void;
	/** Each send takes this long, like a real API (the benchmark uses 25 ms). */
	sendLatencyMs = 0;
	/** At most this many sends in flight; beyond it, 429 without Retry-After, like a rate limit. */
	maxSendsInFlight = Number.POSITIVE_INFINITY;
	/** Sends answered 429 because of maxSendsInFlight. */
	rateLimited = 0;
	private sendsInFlight = 0;
	private readonly interceptors: Interceptor[] = [];
	private readonly timers = new Set<ReturnType<typeof setTimeout>>();
	private server?: Server;
	private counter = 0;
	baseUrl = '';

	private readonly initial: { templates: FakeTemplate[]; delivery?: { stepMs: number } };

	constructor(
		options: { channelId?: string; token?: string; templates?: FakeTemplate[]; delivery?: { stepMs: number }; log?: (line: string) => void } = {},
	) {
		this.channelId = options.channelId ?? '371267300';
		this.token = options.token ?? `tok_${randomBytes(12).toString('hex')}`;
		this.initial = { templates: options.templates ?? [...SCENARIO_TEMPLATES, ...EXTRA_TEMPLATES], delivery: options.delivery };
		this.templates = structuredClone(this.initial.templates);
		this.delivery = options.delivery;
		this.log = options.log;
	}

	/** Back to the state it started in (the tests call it before each test). */
	reset(): void {
		this.requests.length = 0;
		this.sent.length = 0;
		this.history.length = 0;
		this.outbox.length = 0;
		this.reads.length = 0;
		this.media.clear();
		this.now = () => Date.now();
		this.hooks.clear();
		this.teamChat.length = 0;
		this.clearInterceptors();
		this.templates = structuredClone(this.initial.templates);
		this.templatesIgnoreOffset = false;
		this.templatesPageLimit = 100;
		this.delivery = this.initial.delivery;
		this.webhookUrl = '';
		this.ackNotificationsOn = false;
		this.sendLatencyMs = 0;
		this.maxSendsInFlight = Number.POSITIVE_INFINITY;
		this.rateLimited = 0;
	}

	/** Answers requests the interceptor returns a reply for, before the normal handling. */
	intercept(interceptor: Interceptor): void {
		this.interceptors.push(interceptor);
	}

	clearInterceptors(): void {
		this.interceptors.length = 0;
	}

	requestsTo(apiMethod: string): RecordedRequest[] {
		return this.requests.filter((r) => r.apiMethod === apiMethod);
	}

	async start(port = 0, host = '127.0.0.1'): Promise<string> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
		const address = this.server.address() as AddressInfo;
		this.baseUrl = `http://${host}:${address.port}`;
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

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', 'http://fake');
		const [channel, apiMethod = ''] = url.pathname.split('/').filter(Boolean);
		let body: unknown;
		try {
			body = rawBody ? JSON.parse(rawBody) : undefined;
		} catch {
			body = rawBody;
		}
		const request: RecordedRequest = {
			method: req.method ?? 'GET',
			path: url.pathname,
			apiMethod,
			query: Object.fromEntries(url.searchParams),
			headers: req.headers,
			rawBody,
			body,
			remotePort: req.socket.remotePort,
		};
		this.requests.push(request);

		if (request.apiMethod === 'sendTemplate' && (this.sendLatencyMs || Number.isFinite(this.maxSendsInFlight))) {
			if (this.sendsInFlight >= this.maxSendsInFlight) {
				this.rateLimited++;
				res.writeHead(429, { 'content-type': 'application/json' }).end('{"error":"Too many requests"}');
				return;
			}
			this.sendsInFlight++;
			await new Promise((resolve) => setTimeout(resolve, this.sendLatencyMs));
			this.sendsInFlight--;
		}
		let reply: Reply | undefined;
		const proceed = () => this.answer(request, channel);
		for (const interceptor of this.interceptors) {
			reply = await interceptor(request, proceed);
			if (reply) break;
		}
		reply ??= this.answer(request, channel);
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

	private answer(request: RecordedRequest, channel: string | undefined): Reply {
		if (request.path === CUSTOMER_PATH && request.method === 'POST') return this.playCustomer(request);
		if (request.path.startsWith(MEDIA_PATH) && request.method === 'GET') return this.serveMedia(request);
		if (request.path === TEAM_CHAT_PATH && request.method === 'POST') {
			this.teamChat.push(request.body);
			return { status: 200, body: { ok: true } };
		}
		if (channel !== this.channelId) return { status: 404, body: { error: `Channel "${channel}" not found` } };
		const auth = request.headers.authorization ?? '';
		if (auth !== `Bearer ${this.token}`) {
			const given = auth.replace(/^Bearer\s+/i, '') || request.query.token || '';
			return {
				status: 401,
				body: { error: `Wrong token "${given}" for channel "${this.channelId}". Check the token in your dashboard.` },
			};
		}
		const route = `${request.method} ${request.apiMethod}`;
		switch (route) {
			case 'GET status':
				return { status: 200, body: { status: 'connected', accountStatus: 'authenticated' } };
			case 'GET templates':
				return this.listTemplates(request);
			case 'POST sendTemplate':
				return this.sendTemplate(request);
			case 'GET webhook':
				return { status: 200, body: { webhookUrl: this.webhookUrl } };
			case 'POST webhook':
				return this.setWebhook(request);
			case 'POST settings':
				return this.updateSettings(request);
			case 'POST sendMessage':
			case 'POST sendFile':
			case 'POST sendButton':
				return this.sendFreeForm(request);
			case 'POST readMessage':
				return this.readMessage(request);
			case 'GET messages':
				return this.listMessages(request);
			case 'GET hookInfo':
				return this.hookInfo(request);
			default:
				return { status: 404, body: { error: `Method "${request.apiMethod}" not found` } };
		}
	}

	private listTemplates(request: RecordedRequest): Reply {
		const limit = Math.min(Number(request.query.limit ?? 50) || 50, this.templatesPageLimit);
		const offset = this.templatesIgnoreOffset ? 0 : Number(request.query.offset ?? 0) || 0;
		const page = this.templates.slice(offset, offset + limit).map((t, i) => this.serveTemplate(t, offset + i));
		return { status: 200, body: { total: this.templates.length, templates: page } };
	}

	private serveTemplate(t: FakeTemplate, position: number): Record<string, unknown> {
		const q = t.quirks ?? {};
		const status = t.status ?? 'approved';
		const entry: Record<string, unknown> = {
			id: `tpl_${position}_${t.name}_${t.language}`,
			name: t.name,
			language: q.languageAsObject ? { code: t.language } : t.language,
			category: t.category ?? 'UTILITY',
			status: q.statusUpperCase ? status.toUpperCase() : status,
			components: q.componentsAsString ? JSON.stringify(t.components) : t.components,
		};
		const key = q.namespaceKey ?? 'namespace';
		if (key !== 'none' && t.namespace) entry[key] = t.namespace;
		return entry;
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
		const id = `wamid.${Buffer.from(`${phone}:${++this.counter}:${randomBytes(4).toString('hex')}`).toString('base64url')}`;
		this.sent.push({ id, phone, template: template.name, language: template.language, params: body.params });
		this.recordStatus(id, phone, 'sent');
		if (this.delivery) this.scheduleDelivery(id, phone, this.delivery.stepMs);
		return {
			status: 200,
			body: { sent: true, id, message: `Sent to ${phone}@c.us`, description: 'Message has been sent to the provider' },
		};
	}

	private hookInfo(request: RecordedRequest): Reply {
		const hooks = this.hooks.get(request.query.messageId ?? '');
		if (!hooks) return { status: 404, body: { error: `Message ${request.query.messageId ?? ''} not found` } };
		return { status: 200, body: { hooks } };
	}

	/** Adds a status record to what GET /hookInfo answers for the message. */
	recordStatus(id: string, phone: string, status: string): HookRecord {
		const record: HookRecord = {
			id,
			type: 'message',
			status,
			timestamp: String(Math.floor(Date.now() / 1000)),
			recipient_id: phone,
		};
		if (status === 'failed') {
			record.errors = [{ code: 131026, title: 'Message undeliverable', message: 'The number is not on WhatsApp' }];
		}
		this.hooks.set(id, [...(this.hooks.get(id) ?? []), record]);
		return record;
	}

	/** The reports a real channel sends after accepting a message: sent, delivered, read; or failed. */
	deliverySteps(phone: string, stepMs: number): DeliveryStep[] {
		return phone.endsWith(FAILING_PHONE_SUFFIX)
			? [{ status: 'failed', afterMs: stepMs }]
			: [
					{ status: 'delivered', afterMs: stepMs },
					{ status: 'read', afterMs: 2 * stepMs },
				];
	}

	private scheduleDelivery(id: string, phone: string, stepMs: number): void {
		const sentReport = { id, chatId: `${phone}@c.us`, status: 'sent' };
		this.later(Math.min(200, stepMs), () => this.report({ instanceId: this.channelId, ack: [sentReport] }));
		for (const step of this.deliverySteps(phone, stepMs)) {
			this.later(step.afterMs, () => {
				const record = this.recordStatus(id, phone, step.status);
				return this.report(
					step.status === 'failed'
						? { instanceId: this.channelId, hooks: [record] }
						: { instanceId: this.channelId, ack: [{ id, chatId: `${phone}@c.us`, status: step.status }] },
				);
			});
		}
	}

	private later(ms: number, job: () => Promise<void>): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			void job();
		}, ms);
		this.timers.add(timer);
	}

	/** POSTs one report to every webhook URL of the channel, as 1MSG does (only with ackNotificationsOn). */
	async report(body: Record<string, unknown>): Promise<void> {
		if (!this.ackNotificationsOn) return;
		await this.postToWebhooks(body);
	}

	/** POSTs a body to every webhook URL of the channel; answers each URL's HTTP status (0: no answer). */
	async postToWebhooks(body: Record<string, unknown>): Promise<number[]> {
		const value = this.webhookUrl;
		// a string holds several URLs only where a new http(s) URL starts: a comma inside a URL stays
		const urls = (Array.isArray(value) ? value : String(value ?? '').split(/,(?=\s*https?:\/\/)/i)).map((u) => String(u).trim()).filter(Boolean);
		return await Promise.all(
			urls.map(async (url) => {
				try {
					const answer = await fetch(url, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(body),
						signal: AbortSignal.timeout(10_000),
					});
					this.log?.(`report  ${describeReport(body)} → ${redactUrl(url)} ${answer.status}`);
					return answer.status;
				} catch (error) {
					this.log?.(`report  ${describeReport(body)} → ${redactUrl(url)} failed: ${(error as Error).message}`);
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
		this.addToHistory({ id, body, caption, type, fromMe: 0, author: chatId, time, chatId, senderName: name, quotedMsgId: message.replyTo ?? null });
		const webhookBody = {
			instanceId: this.channelId,
			messages: [
				{ id, body, type, fromMe: false, self: 0, time: String(time), chatId, author: chatId, senderName: name, chatName: phone, caption, quotedMsgId: message.replyTo ?? null, isForwarded: false },
			],
		};
		this.log?.(`customer ${phone} (${name}) says ${type === 'chat' ? JSON.stringify(body) : `[${type} ${caption}]`} ${id}`);
		return { body: webhookBody, delivered: await this.postToWebhooks(webhookBody) };
	}

	private playCustomer(request: RecordedRequest): Reply {
		const given = (request.body ?? {}) as Record<string, unknown>;
		const message: CustomerMessage = {
			phone: typeof given.phone === 'string' ? given.phone : undefined,
			name: typeof given.name === 'string' ? given.name : undefined,
			text: typeof given.text === 'string' ? given.text : undefined,
			replyTo: typeof given.replyTo === 'string' ? given.replyTo : undefined,
			document: given.document === true ? {} : typeof given.document === 'object' && given.document ? (given.document as CustomerMessage['document']) : undefined,
		};
		if (!message.text && !message.document) {
			return { status: 400, body: { error: 'Give "text", or "document": true (optionally {"fileName","caption"})' } };
		}
		// answered at once; the webhook POSTs follow, as 1MSG's do
		void this.customerSays(message);
		return { status: 202, body: { accepted: true } };
	}

	private serveMedia(request: RecordedRequest): Reply {
		const [, , mediaId] = request.path.split('/');
		const file = this.media.get(mediaId ?? '');
		if (!file) return { status: 404, text: '<Error><Code>NoSuchKey</Code></Error>' };
		return { status: 200, bytes: file.content, headers: { 'content-type': file.mimeType } };
	}

	private recipientOf(body: Record<string, unknown>): string | { error: string } {
		const given = (['chatId', 'phone', 'bsuid'] as const).filter((key) => body[key] !== undefined && body[key] !== '');
		if (given.length !== 1) return { error: 'Exactly one of chatId or phone is required' };
		const value = String(body[given[0]]);
		if (given[0] === 'chatId') return /^[^@\s]+@(c\.us|lid|g\.us)$/.test(value) ? value : { error: `chatId "${value}" is not valid` };
		if (given[0] === 'bsuid') return `${value}@lid`;
		return /^\d{6,15}$/.test(value) ? `${value}@c.us` : `${value}@lid`;
	}

	/** sendMessage, sendFile, sendButton: checked as 1MSG documents them; refused outside the 24-hour window. */
	private sendFreeForm(request: RecordedRequest): Reply {
		const body = request.body as Record<string, unknown> | undefined;
		if (!body || typeof body !== 'object') return { status: 400, body: { error: 'Body must be JSON' } };
		const chatId = this.recipientOf(body);
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
		const phone = chatId.endsWith('@c.us') ? chatId.split('@')[0] : '';
		this.recordStatus(id, phone, 'sent');
		if (this.delivery && phone) this.scheduleDelivery(id, phone, this.delivery.stepMs);
		return { status: 200, body: { sent: true, id, message: `Sent to ${chatId}`, description: 'Message has been sent to the provider' } };
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

function redactUrl(url: string): string {
	return url.replace(/([?&]secret=)[^&]+/, '$1…');
}

function describeReport(body: Record<string, unknown>): string {
	const records = [...((body.ack as unknown[]) ?? []), ...((body.hooks as unknown[]) ?? [])] as Array<{ id: string; status: string }>;
	const messages = ((body.messages as unknown[]) ?? []) as Array<{ id: string; type: string }>;
	return [...records.map((r) => `${r.status} ${r.id.slice(0, 18)}…`), ...messages.map((m) => `customer ${m.type} ${m.id.slice(0, 18)}…`)].join(', ');
}

const characters = (value: unknown) => (typeof value === 'string' ? [...value].length : 0);

/** What 1MSG's schema refuses in a free-form send, or undefined. */
function freeFormProblem(method: string, body: Record<string, unknown>): string | undefined {
	if (body.quotedMsgId !== undefined && !/^wamid\..+$/.test(String(body.quotedMsgId))) return 'quotedMsgId must be a wamid';
	if (typeof body.body !== 'string' || !body.body) return 'body is required';
	if (method === 'sendMessage' && characters(body.body) > 4096) return 'body must be at most 4096 characters';
	if (method === 'sendFile') {
		if (!/^(https?:\/\/\S+|data:[\w.+-]+\/[\w.+-]+;base64,[A-Za-z0-9+/=]+)$/.test(body.body)) return 'body must be a URL or a base64 data URI';
		if (typeof body.filename !== 'string' || !/\.\w+$/.test(body.filename)) return 'filename with an extension is required';
		if (characters(body.caption) > 1024) return 'caption must be at most 1024 characters';
	}
	if (method === 'sendButton') {
		const sections = body.sections;
		if (!Array.isArray(sections) || !sections.length || sections.length > 3) return 'sections must hold 1 to 3 reply buttons';
		for (const section of sections as Array<{ type?: unknown; reply?: { id?: unknown; title?: unknown } }>) {
			if (section.type !== 'reply' || typeof section.reply?.id !== 'string' || !section.reply.id) return 'each section needs type "reply" and a reply id';
			if (typeof section.reply.title !== 'string' || !section.reply.title || characters(section.reply.title) > 20) return 'reply titles must have 1 to 20 characters';
		}
	}
	return undefined;
}

const shorten = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** One readable line per request: what was asked, what the fake answered. */
function describeExchange(request: RecordedRequest, reply: Reply): string {
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
	} else if (request.apiMethod === 'messages') {
		detail = ` ${request.query.chatId ?? ''}`;
	} else if (request.path === CUSTOMER_PATH) {
		detail = ` play a customer: ${shorten(JSON.stringify(body ?? {}))}`;
	} else if (request.apiMethod === 'hookInfo') {
		detail = ` ${request.query.messageId ?? ''}`;
	}
	const answered = reply.drop ? 'dropped' : String(reply.status);
	const answer = reply.body as { id?: string; message?: string; error?: unknown } | undefined;
	const said = answer?.id ? ` ${answer.id}` : answer?.error || answer?.message ? ` ${JSON.stringify(answer.error ?? answer.message)}` : '';
	return `${request.method.padEnd(4)} ${request.path}${detail} → ${answered}${said}`;
}
