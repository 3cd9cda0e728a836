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
}

export interface Reply {
	status: number;
	body?: unknown;
	/** Sent as is (not JSON-encoded) when set. */
	text?: string;
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
		const payload = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
		res.writeHead(reply.status, {
			'content-type': reply.text !== undefined ? 'text/html; charset=utf-8' : 'application/json',
			...reply.headers,
		});
		res.end(payload);
	}

	private answer(request: RecordedRequest, channel: string | undefined): Reply {
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
		const value = this.webhookUrl;
		// a string holds several URLs only where a new http(s) URL starts: a comma inside a URL stays
		const urls = (Array.isArray(value) ? value : String(value ?? '').split(/,(?=\s*https?:\/\/)/i)).map((u) => String(u).trim()).filter(Boolean);
		await Promise.all(
			urls.map(async (url) => {
				try {
					const answer = await fetch(url, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(body),
						signal: AbortSignal.timeout(10_000),
					});
					this.log?.(`report  ${describeReport(body)} → ${redactUrl(url)} ${answer.status}`);
				} catch (error) {
					this.log?.(`report  ${describeReport(body)} → ${redactUrl(url)} failed: ${(error as Error).message}`);
				}
			}),
		);
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
	return records.map((r) => `${r.status} ${r.id.slice(0, 18)}…`).join(', ');
}

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
	} else if (request.apiMethod === 'hookInfo') {
		detail = ` ${request.query.messageId ?? ''}`;
	}
	const answered = reply.drop ? 'dropped' : String(reply.status);
	const answer = reply.body as { id?: string; message?: string; error?: unknown } | undefined;
	const said = answer?.id ? ` ${answer.id}` : answer?.error || answer?.message ? ` ${JSON.stringify(answer.error ?? answer.message)}` : '';
	return `${request.method.padEnd(4)} ${request.path}${detail} → ${answered}${said}`;
}
