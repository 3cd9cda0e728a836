import { describe, expect, test } from 'vitest';
import {
	fetchAllTemplates,
	findTemplate,
	normalizeTemplate,
	resolveNamespace,
	templateSlots,
	TEMPLATE_PAGE_SIZE,
} from '../../nodes/OneMsgSendTemplate/templates.ts';

const raw = (name: string, extra: Record<string, unknown> = {}) => ({
	id: `id_${name}`,
	name,
	language: 'en',
	status: 'approved',
	components: [{ type: 'BODY', text: 'Hi {{1}}' }],
	...extra,
});

describe('normalizeTemplate', () => {
	test('reads every quirk', () => {
		const t = normalizeTemplate({
			name: 'x',
			status: 'APPROVED',
			language: { code: 'en_US' },
			message_template_namespace: 'ns1',
			components: JSON.stringify([{ type: 'body', text: 'Hi {{1}} {{2}}' }]),
		});
		expect(t).toMatchObject({ name: 'x', status: 'approved', language: 'en_US', namespace: 'ns1' });
		expect(t && templateSlots(t).body).toBe(2);
	});

	test('junk entries are skipped', () => {
		expect(normalizeTemplate(null)).toBeUndefined();
		expect(normalizeTemplate({ language: 'en' })).toBeUndefined();
		expect(normalizeTemplate({ name: 'x', components: '{not json' })?.components).toEqual([]);
	});
});

describe('templateSlots', () => {
	test('header text, media header, body and URL button variables', () => {
		const t = normalizeTemplate({
			name: 'x',
			components: [
				{ type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
				{ type: 'BODY', text: '{{1}} {{2}} {{3}} {{4}} {{5}} {{1}}' },
				{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'ok' }, { type: 'URL', url: 'https://x/{{1}}' }, { type: 'URL', url: 'https://fixed' }] },
			],
		})!;
		expect(templateSlots(t)).toEqual({ headerText: true, headerMedia: undefined, body: 5, urlButtons: [1] });
		const image = normalizeTemplate({ name: 'y', components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'none' }] })!;
		expect(templateSlots(image)).toEqual({ headerText: false, headerMedia: 'image', body: 0, urlButtons: [] });
	});
});

describe('namespace', () => {
	test('own namespace first, else the account namespace from another template', () => {
		const list = [raw('a'), raw('b', { namespace: 'nsB' })].map((t) => normalizeTemplate(t)!);
		expect(resolveNamespace(list, list[0])).toBe('nsB');
		expect(resolveNamespace(list, list[1])).toBe('nsB');
		expect(resolveNamespace([normalizeTemplate(raw('c'))!], undefined)).toBeUndefined();
	});

	test('findTemplate matches name and language (en_US = en-us)', () => {
		const list = [raw('a', { language: 'en_US' }), raw('a', { language: 'es' })].map((t) => normalizeTemplate(t)!);
		expect(findTemplate(list, 'a', 'en-us')?.language).toBe('en_US');
		expect(findTemplate(list, 'a', 'de')).toBeUndefined();
	});
});

describe('fetchAllTemplates', () => {
	const many = Array.from({ length: 250 }, (_, i) => raw(`t${i}`));

	test('pages through offset until total', async () => {
		const offsets: number[] = [];
		const all = await fetchAllTemplates(async (offset, limit) => {
			offsets.push(offset);
			return { total: many.length, templates: many.slice(offset, offset + limit) };
		});
		expect(all).toHaveLength(250);
		expect(offsets).toEqual([0, TEMPLATE_PAGE_SIZE, 2 * TEMPLATE_PAGE_SIZE]);
	});

	test('an API that ignores offset is read once, not forever', async () => {
		let calls = 0;
		const all = await fetchAllTemplates(async () => {
			calls++;
			return { total: 250, templates: many.slice(0, TEMPLATE_PAGE_SIZE) };
		});
		expect(all).toHaveLength(TEMPLATE_PAGE_SIZE);
		expect(calls).toBe(2);
	});

	test('a server page size below ours still reaches the end when total is given', async () => {
		const five = many.slice(0, 5);
		const all = await fetchAllTemplates(async (offset) => ({ total: 5, templates: five.slice(offset, offset + 2) }));
		expect(all.map((t) => t.name)).toEqual(['t0', 't1', 't2', 't3', 't4']);
	});

	test('without total, a short page ends the list', async () => {
		let calls = 0;
		const all = await fetchAllTemplates(async () => {
			calls++;
			return { templates: many.slice(0, 3) };
		});
		expect(all).toHaveLength(3);
		expect(calls).toBe(1);
	});
});
