/**
 * What the fake 1MSG knows and checks, as pure data and functions: the channel's templates and how
 * they are served, and the rules 1MSG applies to a send (docs/1MSG-API.md).
 */

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

export const DEFAULT_NAMESPACE = 'ca300906_cfbc_410b_99fb_dcee8e13d578';

const approved = (name: string, components: FakeTemplate['components']): FakeTemplate =>
	({ name, language: 'en', namespace: DEFAULT_NAMESPACE, status: 'approved', category: 'UTILITY', components });
const urlButton = (text: string, url: string) => ({ type: 'BUTTONS', buttons: [{ type: 'URL', text, url }] });

/** The two helpdesk scenarios' templates (docs/SCENARIOS.md). */
export const SCENARIO_TEMPLATES: FakeTemplate[] = [
	approved('ticket_accepted', [
		{ type: 'BODY', text: 'Hello, {{1}}! Your request #{{2}} has been accepted for processing. {{3}} We will keep you updated on progress.' },
		urlButton('Request status', 'https://help.example.com/status'),
	]),
	approved('agent_assigned', [
		{ type: 'BODY', text: 'Hello, {{1}}! A specialist has been assigned to your request #{{2}}: {{3}}. We will contact you shortly.' },
		urlButton('Request status', 'https://help.example.com/status'),
	]),
];

/** More approved templates, for the Custom Template operation. */
export const EXTRA_TEMPLATES: FakeTemplate[] = [
	approved('ticket_resolved', [
		{ type: 'HEADER', format: 'TEXT', text: 'Ticket {{1}} resolved' },
		{ type: 'BODY', text: 'Hello, {{1}}! Your request #{{2}} was resolved by {{3}}: {{4}}. How did we do?' },
		{
			type: 'BUTTONS',
			buttons: [
				{ type: 'QUICK_REPLY', text: 'All good' },
				{ type: 'URL', text: 'Rate us', url: 'https://help.example.com/survey/{{1}}' },
			],
		},
	]),
	approved('sla_breach', [
		{ type: 'BODY', text: '{{1}}, request #{{2}} ({{3}}) has waited {{4}} hours, past our {{5}}-hour promise. We are on it.' },
		urlButton('Track request', 'https://help.example.com/requests/{{1}}'),
	]),
	approved('invoice_ready', [
		{ type: 'HEADER', format: 'IMAGE' },
		{ type: 'BODY', text: 'Your invoice {{1}} is ready.' },
	]),
];

/** A template as GET /templates lists it, with the quirks the entry asks for. */
export function servedTemplate(t: FakeTemplate, position: number): Record<string, unknown> {
	const q = t.quirks ?? {};
	const status = t.status ?? 'approved';
	const namespaceKey = q.namespaceKey ?? 'namespace';
	return {
		id: `tpl_${position}_${t.name}_${t.language}`,
		name: t.name,
		language: q.languageAsObject ? { code: t.language } : t.language,
		category: t.category ?? 'UTILITY',
		status: q.statusUpperCase ? status.toUpperCase() : status,
		components: q.componentsAsString ? JSON.stringify(t.components) : t.components,
		...(namespaceKey !== 'none' && t.namespace && { [namespaceKey]: t.namespace }),
	};
}

type Body = Record<string, unknown>;
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const characters = (value: unknown) => (typeof value === 'string' ? [...value].length : 0);
const placeholderCount = (text: string | undefined) => new Set([...(text ?? '').matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1])).size;
const parametersOf = (p: Body | undefined) => (Array.isArray(p?.parameters) ? (p.parameters as Body[]) : []);

/**
 * Why 1MSG refuses a sendTemplate body, as [HTTP status, message], checked in 1MSG's order; or the
 * approved template it sends.
 */
export function templateSendCheck(templates: FakeTemplate[], body: unknown): [number, string] | FakeTemplate {
	if (!body || typeof body !== 'object') return [400, 'Body must be JSON'];
	const { template: name, namespace, phone, params } = body as Body;
	const code = ((body as Body).language as { code?: unknown } | null | undefined)?.code;
	if (!isText(name)) return [422, 'template is not defined'];
	if (!isText(namespace)) return [422, 'namespace is not defined'];
	if (typeof code !== 'string') return [422, 'language is not defined'];
	if (typeof phone !== 'string' || !/^\d{1,15}$/.test(phone)) return [422, `Phone "${String(phone)}" must be digits only, in international format`];
	const template = templates.find((t) => t.name === name && t.language === code && (t.status ?? 'approved') === 'approved');
	if (!template) return [404, `Template ${name} (${code}) not found`];
	if (template.namespace && template.namespace !== namespace) return [422, 'Template namespace mismatch'];
	const given = Array.isArray(params) ? (params as Body[]) : [];
	const mismatch = paramsMismatch(template, given);
	if (mismatch) return [422, mismatch];
	if (given.flatMap((p) => (p.parameters as Body[]) ?? []).some((p) => typeof p.text === 'string' && /[\n\t]| {5,}/.test(p.text))) {
		return [500, 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces'];
	}
	return template;
}

/** What 1MSG answers 422 for: params that do not match the template's placeholders, component by component. */
function paramsMismatch(template: FakeTemplate, params: Body[]): string | undefined {
	const component = (type: string) => template.components.find((c) => c.type === type);
	const header = component('HEADER');
	const headerParams = parametersOf(params.find((p) => p.type === 'header'));
	const media = header?.format && header.format !== 'TEXT' ? header.format.toLowerCase() : undefined;
	if (media) {
		const link = (headerParams[0]?.[media] as { link?: unknown } | undefined)?.link;
		if (headerParams[0]?.type !== media || !isText(link)) return `Header ${media} with a link is required`;
	} else if (headerParams.length !== placeholderCount(header?.text)) {
		return `Number of header parameters (${headerParams.length}) does not match the expected number of params (${placeholderCount(header?.text)})`;
	}
	const expected = placeholderCount(component('BODY')?.text);
	const bodyCount = parametersOf(params.find((p) => p.type === 'body')).length;
	if (bodyCount !== expected) return `Number of parameters (${bodyCount}) does not match the expected number of params (${expected})`;
	const buttons = component('BUTTONS')?.buttons ?? [];
	const buttonParams = params.filter((p) => p.type === 'button');
	for (const [index, button] of buttons.entries()) {
		const wanted = button.type === 'URL' ? placeholderCount(button.url) : 0;
		const given = buttonParams.find((p) => Number(p.index) === index);
		if (wanted && (given?.sub_type !== 'url' || parametersOf(given).length !== wanted)) return `Button ${index} needs ${wanted} url parameter`;
		if (!wanted && given) return `Button ${index} takes no parameters`;
	}
	if (buttonParams.some((p) => !buttons[Number(p.index)])) return 'Button parameter for a button the template does not have';
	if (params.some((p) => !['header', 'body', 'button'].includes(String(p.type)))) return 'Unknown component type';
	return undefined;
}

/** The chat a free-form send goes to, from exactly one of chatId, phone or bsuid. */
export function recipientOf(body: Body): string | { error: string } {
	const given = (['chatId', 'phone', 'bsuid'] as const).filter((key) => body[key] !== undefined && body[key] !== '');
	if (given.length !== 1) return { error: 'Exactly one of chatId or phone is required' };
	const value = String(body[given[0]]);
	if (given[0] === 'chatId') return /^[^@\s]+@(c\.us|lid|g\.us)$/.test(value) ? value : { error: `chatId "${value}" is not valid` };
	if (given[0] === 'bsuid') return `${value}@lid`;
	return /^\d{6,15}$/.test(value) ? `${value}@c.us` : `${value}@lid`;
}

/** What 1MSG's schema refuses in a free-form send (sendMessage, sendFile, sendButton), or undefined. */
export function freeFormProblem(method: string, body: Body): string | undefined {
	if (body.quotedMsgId !== undefined && !/^wamid\..+$/.test(String(body.quotedMsgId))) return 'quotedMsgId must be a wamid';
	if (!isText(body.body)) return 'body is required';
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
			if (section.type !== 'reply' || !isText(section.reply?.id)) return 'each section needs type "reply" and a reply id';
			if (!isText(section.reply.title) || characters(section.reply.title) > 20) return 'reply titles must have 1 to 20 characters';
		}
	}
	return undefined;
}
