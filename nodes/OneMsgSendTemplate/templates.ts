/**
 * 1MSG's template list, read with all its known quirks (docs/1MSG-API.md → "The template list: GET /templates"):
 * status in any case, language as a string or `{code}`, components as a JSON string, the
 * namespace under two names or only on other templates, and paging that may ignore `offset`.
 */

export interface TemplateComponent {
	type: string;
	format?: string;
	text?: string;
	buttons?: Array<{ type?: string; text?: string; url?: string }>;
}

export interface Template {
	id?: string;
	name: string;
	language: string;
	status: string;
	category?: string;
	namespace?: string;
	components: TemplateComponent[];
}

/** Where a template takes variables. */
export interface TemplateSlots {
	headerText: boolean;
	headerMedia?: 'image' | 'video' | 'document';
	/** Number of distinct {{n}} placeholders in the body. */
	body: number;
	/** Positions (in the template's button list) of URL buttons whose URL has a variable. */
	urlButtons: number[];
}

const text = (value: unknown): string | undefined =>
	typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : undefined;

function components(value: unknown): TemplateComponent[] {
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return [];
		}
	}
	if (!Array.isArray(value)) return [];
	return value
		.filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null)
		.map((c) => ({
			type: String(c.type ?? '').toUpperCase(),
			format: text(c.format)?.toUpperCase(),
			text: typeof c.text === 'string' ? c.text : undefined,
			buttons: Array.isArray(c.buttons)
				? c.buttons.map((b) => {
						const button = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
						return { type: text(button.type)?.toUpperCase(), text: text(button.text), url: text(button.url) };
					})
				: undefined,
		}));
}

export function normalizeTemplate(raw: unknown): Template | undefined {
	if (typeof raw !== 'object' || raw === null) return undefined;
	const record = raw as Record<string, unknown>;
	const name = text(record.name);
	if (!name) return undefined;
	const language =
		typeof record.language === 'object' && record.language !== null
			? text((record.language as Record<string, unknown>).code)
			: text(record.language);
	return {
		id: text(record.id),
		name,
		language: language ?? '',
		status: (text(record.status) ?? '').toLowerCase(),
		category: text(record.category),
		namespace: text(record.namespace) ?? text(record.message_template_namespace),
		components: components(record.components),
	};
}

export function isApproved(template: Template): boolean {
	return template.status === 'approved';
}

const templateKey = (t: Template) => t.id ?? `${t.name}\u0000${t.language}`;

export const TEMPLATE_PAGE_SIZE = 100;
const MAX_PAGES = 50;

/**
 * Reads every page of GET /templates. `fetchPage` does the HTTP call. Stops at the end of the list,
 * at `total`, or when a page adds nothing new (an API that ignores `offset` repeats page one).
 */
export async function fetchAllTemplates(
	fetchPage: (offset: number, limit: number) => Promise<unknown>,
): Promise<Template[]> {
	const byKey = new Map<string, Template>();
	for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
		const answer = (await fetchPage(offset, TEMPLATE_PAGE_SIZE)) as { templates?: unknown; total?: unknown } | null;
		const raw = Array.isArray(answer?.templates) ? answer.templates : Array.isArray(answer) ? answer : [];
		let added = 0;
		for (const entry of raw) {
			const template = normalizeTemplate(entry);
			if (template && !byKey.has(templateKey(template))) {
				byKey.set(templateKey(template), template);
				added++;
			}
		}
		const total = Number(answer?.total);
		const complete = Number.isFinite(total) ? byKey.size >= total : raw.length < TEMPLATE_PAGE_SIZE;
		if (added === 0 || complete) break;
		offset += raw.length;
	}
	return [...byKey.values()];
}

const sameLanguage = (a: string, b: string) => a.toLowerCase().replace('-', '_') === b.toLowerCase().replace('-', '_');

export function findTemplate(templates: Template[], name: string, language: string): Template | undefined {
	return templates.find((t) => t.name === name && sameLanguage(t.language, language));
}

/** The template's own namespace, else the one its account's other templates carry. */
export function resolveNamespace(templates: Template[], template?: Template): string | undefined {
	return template?.namespace ?? templates.find((t) => t.namespace)?.namespace;
}

function placeholders(value: string | undefined): number[] {
	const found = new Set<number>();
	for (const match of (value ?? '').matchAll(/\{\{\s*(\d+)\s*\}\}/g)) found.add(Number(match[1]));
	return [...found];
}

export function templateSlots(template: Template): TemplateSlots {
	const header = template.components.find((c) => c.type === 'HEADER');
	const body = template.components.find((c) => c.type === 'BODY');
	const buttons = template.components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
	const media = header?.format?.toLowerCase();
	return {
		headerText: (header?.format ?? 'TEXT') === 'TEXT' && placeholders(header?.text).length > 0,
		headerMedia: media === 'image' || media === 'video' || media === 'document' ? media : undefined,
		body: placeholders(body?.text).length,
		urlButtons: buttons.flatMap((b, index) => (b.type === 'URL' && placeholders(b.url).length > 0 ? [index] : [])),
	};
}
