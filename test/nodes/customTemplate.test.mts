/** Custom Template: the fields follow the chosen template; only the components with variables are sent. */
import { describe, expect, test } from 'vitest';
import { DEFAULT_NAMESPACE } from '../../sandbox/fakeOneMsg.mts';
import { credentialsFor, everythingVisible, useFake } from '../support/fixtures.mts';
import { resourceMapping, runNode } from '../support/n8n.mts';

const fake = useFake();

const custom = (template: string, value: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
	operation: 'customTemplate',
	phone: '+1 415 555 2671',
	template: { __rl: true, mode: 'list', value: template },
	language: 'en',
	namespace: '',
	variables: { mappingMode: 'defineBelow', value, matchingColumns: [], schema: [] },
	...extra,
});
const run = (parameters: ReturnType<typeof custom>, items?: Array<Record<string, string | number>>) =>
	runNode({ credentials: credentialsFor(fake), parameters: parameters as never, items });
const fieldsOf = async (template: string) =>
	(await resourceMapping('getTemplateVariables', { parameters: custom(template, {}) as never, credentials: credentialsFor(fake) })).fields.map(
		(f) => [f.id, f.displayName, f.required],
	);

describe('the fields follow the template', () => {
	test('header text variable, 4 body variables and a URL button (second button) variable', async () => {
		expect(await fieldsOf('ticket_resolved')).toEqual([
			['header_1', 'Header {{1}}', true],
			['body_1', 'Body {{1}}', true],
			['body_2', 'Body {{2}}', true],
			['body_3', 'Body {{3}}', true],
			['body_4', 'Body {{4}}', true],
			['button_1', 'URL button 2 variable', true],
		]);
	});

	test('5 body variables and a URL button variable', async () => {
		expect((await fieldsOf('sla_breach')).map(([id]) => id)).toEqual(['body_1', 'body_2', 'body_3', 'body_4', 'body_5', 'button_0']);
	});

	test('an image header asks for a link', async () => {
		expect(await fieldsOf('invoice_ready')).toEqual([
			['header_media', 'Header image link (URL)', true],
			['body_1', 'Body {{1}}', true],
		]);
	});

	test('a template with no variables, and one the channel does not have, say so', async () => {
		fake.templates.push({ name: 'plain', language: 'en', namespace: DEFAULT_NAMESPACE, components: [{ type: 'BODY', text: 'We are open.' }] });
		const plain = await resourceMapping('getTemplateVariables', { parameters: custom('plain', {}) as never, credentials: credentialsFor(fake) });
		expect(plain).toEqual({ fields: [], emptyFieldsNotice: 'Template "plain" has no variables: it is sent as it is' });
		const missing = await resourceMapping('getTemplateVariables', { parameters: custom('gone', {}) as never, credentials: credentialsFor(fake) });
		expect(missing.fields).toEqual([]);
		expect(missing.emptyFieldsNotice).toContain('"gone"');
	});
});

describe('sending', () => {
	test('ticket resolved: header, four body variables from expressions, and the button at its index', async () => {
		const result = await run(
			custom('ticket_resolved', {
				header_1: '={{ $json.ticket }}',
				body_1: '={{ $json.name }}',
				body_2: '={{ $json.ticket }}',
				body_3: '={{ $json.agent }}',
				body_4: 'the password was reset',
				button_1: '={{ $json.ticket }}?src=wa',
			}),
			[{ name: 'Maria', ticket: 12345, agent: 'Alexey Petrov' }],
		);
		expect(result.error).toBeUndefined();
		expect(fake.requestsTo('sendTemplate')[0].body).toStrictEqual({
			phone: '14155552671',
			template: 'ticket_resolved',
			namespace: DEFAULT_NAMESPACE,
			language: { policy: 'deterministic', code: 'en' },
			params: [
				{ type: 'header', parameters: [{ type: 'text', text: '12345' }] },
				{
					type: 'body',
					parameters: [
						{ type: 'text', text: 'Maria' },
						{ type: 'text', text: '12345' },
						{ type: 'text', text: 'Alexey Petrov' },
						{ type: 'text', text: 'the password was reset' },
					],
				},
				{ type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: '12345?src=wa' }] },
			],
		});
		expect(result.items![0].json).toMatchObject({ sent: true, operation: 'customTemplate', template: 'ticket_resolved', messageId: fake.sent[0].id });
		expect(everythingVisible(result)).not.toContain(fake.token);
	});

	test('sla breach: five body variables and the URL button', async () => {
		const result = await run(custom('sla_breach', { body_1: 'Maria', body_2: '12345', body_3: 'VPN', body_4: '26', body_5: '24', button_0: '12345' }));
		expect(result.error).toBeUndefined();
		expect((fake.requestsTo('sendTemplate')[0].body as { params: unknown }).params).toEqual([
			{ type: 'body', parameters: ['Maria', '12345', 'VPN', '26', '24'].map((text) => ({ type: 'text', text })) },
			{ type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: '12345' }] },
		]);
	});

	test('an image header is sent as a link', async () => {
		const result = await run(custom('invoice_ready', { header_media: 'https://files.example.com/inv-7.png', body_1: 'INV-7' }));
		expect(result.error).toBeUndefined();
		expect((fake.requestsTo('sendTemplate')[0].body as { params: unknown }).params).toEqual([
			{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://files.example.com/inv-7.png' } }] },
			{ type: 'body', parameters: [{ type: 'text', text: 'INV-7' }] },
		]);
	});

	test('a template without variables is sent without params', async () => {
		fake.templates.push({ name: 'plain', language: 'en', namespace: DEFAULT_NAMESPACE, components: [{ type: 'BODY', text: 'We are open.' }] });
		const result = await run(custom('plain', {}));
		expect(result.error).toBeUndefined();
		expect((fake.requestsTo('sendTemplate')[0].body as { params: unknown }).params).toEqual([]);
	});
});

describe('caught before sending', () => {
	test('missing values are named by their labels', async () => {
		const result = await run(custom('ticket_resolved', { header_1: 'T', body_1: 'Maria', body_2: '1', body_4: 'x' }));
		expect(result.error?.message).toBe('Missing value for Body {{3}}, URL button 2 variable');
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('extra values are named', async () => {
		const result = await run(custom('invoice_ready', { header_media: 'https://x.example/i.png', body_1: 'A', body_2: 'B', button_0: 'C' }));
		expect(result.error?.message).toBe('Variables body_2, button_0 are not in the template, which takes header_media, body_1');
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('a media link that is not a URL', async () => {
		const result = await run(custom('invoice_ready', { header_media: 'invoice.png', body_1: 'A' }));
		expect(result.error?.message).toBe('Header image link "invoice.png" is not an http(s) URL');
	});

	test('line breaks are cleaned in custom variables too, or refused with the reject option', async () => {
		const value = { body_1: 'Maria', body_2: '1', body_3: 'VPN\ndown', body_4: '26', body_5: '24', button_0: '1' };
		await run(custom('sla_breach', value));
		expect(JSON.stringify(fake.requestsTo('sendTemplate')[0].body)).toContain('"VPN down"');
		const rejected = await run(custom('sla_breach', value, { options: { whitespace: 'reject' } }));
		expect(rejected.error?.message).toMatch(/^Body \{\{3\}\} contains a line break/);
	});

	test('the template list is required: when it cannot be read the item fails even with a namespace', async () => {
		fake.intercept((r) => (r.apiMethod === 'templates' ? { status: 500, body: { error: 'boom' } } : undefined));
		const result = await run(custom('sla_breach', { body_1: 'x' }, { namespace: DEFAULT_NAMESPACE }));
		expect(result.error?.message).toBe('1MSG (HTTP 500): boom');
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});
});
