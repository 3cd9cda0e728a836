/**
 * OneMsg Send Template, Ticket Accepted and Agent Assigned, run through n8n-core's execution engine
 * against the fake 1MSG server on loopback.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_NAMESPACE, SCENARIO_TEMPLATES, type Reply } from '../../sandbox/fakeOneMsg.mts';
import { agentAssigned, credentialsFor, everythingVisible, scenarioBody, ticketAccepted, useFake } from '../support/fixtures.mts';
import { listSearch, nodeTypes, resolveExpression, runNode, SEND_NODE, type RunResult } from '../support/n8n.mts';

const fake = useFake({ templates: SCENARIO_TEMPLATES });

const run = (parameters: Parameters<typeof runNode>[0]['parameters'], extra: Partial<Parameters<typeof runNode>[0]> = {}) =>
	runNode({ credentials: credentialsFor(fake), parameters, ...extra });

function expectNoToken(result: RunResult) {
	expect(everythingVisible(result)).not.toContain(fake.token);
}

describe('the exact request of the scenario pages', () => {
	test('Ticket Accepted', async () => {
		const result = await run(ticketAccepted());
		expect(result.error).toBeUndefined();
		const [send] = fake.requestsTo('sendTemplate');
		expect(send.method).toBe('POST');
		expect(send.path).toBe(`/${fake.channelId}/sendTemplate`);
		expect(send.headers.authorization).toBe(`Bearer ${fake.token}`);
		expect(send.headers['content-type']).toMatch(/^application\/json/);
		expect(send.query).toEqual({});
		expect(send.rawBody).not.toContain(fake.token);
		expect(JSON.parse(send.rawBody)).toStrictEqual(
			scenarioBody('ticket_accepted', ['Maria', '12345', 'Expect a specialist reply within 2 hours']),
		);
		// key order as on the scenario pages
		expect(Object.keys(JSON.parse(send.rawBody))).toEqual(['phone', 'template', 'namespace', 'language', 'params']);
	});

	test('Agent Assigned', async () => {
		const result = await run(agentAssigned());
		expect(result.error).toBeUndefined();
		const [send] = fake.requestsTo('sendTemplate');
		expect(send.body).toStrictEqual(scenarioBody('agent_assigned', ['Maria', '12345', 'Alexey Petrov']));
	});

	test('the output item carries the contract fields and 1MSG’s own words', async () => {
		const result = await run(ticketAccepted());
		expect(result.items).toHaveLength(1);
		const [item] = result.items!;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toEqual({
			sent: true,
			messageId: fake.sent[0].id,
			phone: '14155552671',
			template: 'ticket_accepted',
			language: 'en',
			namespace: DEFAULT_NAMESPACE,
			operation: 'ticketAccepted',
			message: 'Sent to 14155552671@c.us',
			description: 'Message has been sent to the provider',
		});
		expectNoToken(result);
	});

	test('fields filled by expressions from the input item; a numeric ticket number is text', async () => {
		const result = await run(
			ticketAccepted({
				phone: '={{ $json.contact.phone }}',
				customerName: '={{ $json.contact.name }}',
				ticketNumber: '={{ $json.ticket.id }}',
				nextStep: '={{ "Reply within " + $json.ticket.slaHours + " hours" }}',
			}),
			{ items: [{ contact: { phone: '0044 20 7946 0958', name: 'Ann' }, ticket: { id: 98765, slaHours: 4 } }] },
		);
		expect(result.error).toBeUndefined();
		expect(fake.sent[0].phone).toBe('442079460958');
		expect(fake.sent[0].params).toEqual([
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: 'Ann' },
					{ type: 'text', text: '98765' },
					{ type: 'text', text: 'Reply within 4 hours' },
				],
			},
		]);
	});
});

describe('plain {{ $json… }} mappings are read without the expression engine, with the same result', () => {
	const items = [
		{ c: { name: 'Ann', phone: '+1 415 555 2671' }, t: { id: 42, next: 'Soon\nish' } },
		{ c: { name: 'Bo', phone: 14155552672 }, t: { id: '43', next: 'Later' } },
		{ c: { name: null, phone: '+1 415 555 2673' }, t: { id: 44, next: 'x' } },
		{ c: { phone: '+1 415 555 2674' }, t: { id: 45, next: 'x' } },
		{ c: { name: { first: 'Cy' }, phone: '+1 415 555 2675' }, t: { id: 46, next: 'x' } },
	];
	const fast = ticketAccepted({ phone: '={{ $json.c.phone }}', customerName: '={{ $json.c.name }}', ticketNumber: '={{ $json.t["id"] }}', nextStep: '={{ $json.t.next }}' });
	// parentheses keep these out of the fast path: n8n evaluates them
	const slow = ticketAccepted({ phone: '={{ ($json.c.phone) }}', customerName: '={{ ($json.c.name) }}', ticketNumber: '={{ ($json.t["id"]) }}', nextStep: '={{ ($json.t.next) }}' });

	test('requests and output items are identical', async () => {
		const viaFast = await run(fast, { items, continueOnFail: true });
		const sentFast = fake.requestsTo('sendTemplate').map((r) => (r.body as { params: unknown }).params);
		fake.requests.length = 0;
		const viaSlow = await run(slow, { items, continueOnFail: true });
		const sentSlow = fake.requestsTo('sendTemplate').map((r) => (r.body as { params: unknown }).params);
		expect(sentFast).toEqual(sentSlow);
		const strip = (r: typeof viaFast) => r.items!.map((i) => ({ ...i.json, messageId: null, message: null }));
		expect(strip(viaFast)).toEqual(strip(viaSlow));
		expect(viaFast.items!.map((i) => i.json.sent)).toEqual([true, true, false, false, true]);
	});
});

describe('on the canvas', () => {
	test.each([
		['ticketAccepted', 'Ticket Accepted'],
		['customTemplate', 'Custom Template'],
		['deliveryStatus', 'Get Delivery Status'],
	])('the subtitle of %s reads %s', async (operation, label) => {
		const { description } = (await nodeTypes()).getByNameAndVersion(SEND_NODE, 1);
		expect(await resolveExpression(description.subtitle!, { parameters: { operation } })).toBe(label);
	});
});

describe('phone formats', () => {
	test.each([
		['+1 (415) 555-2671', '14155552671'],
		['0014155552671', '14155552671'],
		['1 415 555 2671', '14155552671'],
	])('%s is sent as %s', async (phone, digits) => {
		await run(ticketAccepted({ phone }));
		expect(fake.sent.map((m) => m.phone)).toEqual([digits]);
	});

	test.each([
		['12345', 'has 5 digits'],
		['+1 415 CALL-NOW', 'contains "C"'],
		['={{ $json.noPhone }}', 'Phone is empty'],
	])('%j fails before anything is sent', async (phone, message) => {
		const result = await run(ticketAccepted({ phone }));
		expect(result.error?.message).toContain(message);
		expect(result.error?.message).toMatch(/^Phone/);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('template and namespace', () => {
	test('the namespace given in the node is used as is, and the list only checks', async () => {
		fake.templates[0].namespace = 'typed_ns';
		await run(ticketAccepted({ namespace: 'typed_ns' }));
		expect(fake.sent).toHaveLength(1);
		expect((fake.requestsTo('sendTemplate')[0].body as { namespace: string }).namespace).toBe('typed_ns');
	});

	test('a given namespace still sends when the template list cannot be read', async () => {
		fake.intercept((r) => (r.apiMethod === 'templates' ? { status: 404, body: { error: 'Method not found' } } : undefined));
		const result = await run(ticketAccepted({ namespace: DEFAULT_NAMESPACE }));
		expect(result.error).toBeUndefined();
		expect(fake.sent).toHaveLength(1);
	});

	test('without a namespace, a list that cannot be read fails the item and sends nothing', async () => {
		fake.intercept((r) => (r.apiMethod === 'templates' ? { status: 503, text: '<h1>Service Unavailable</h1>' } : undefined));
		const result = await run(ticketAccepted());
		expect(result.error?.message).toBe('1MSG (HTTP 503): non-JSON answer: Service Unavailable');
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('every quirk of the list at once: upper-case status, language object, components as string, other namespace key', async () => {
		fake.templates[0].quirks = {
			statusUpperCase: true,
			languageAsObject: true,
			componentsAsString: true,
			namespaceKey: 'message_template_namespace',
		};
		const result = await run(ticketAccepted());
		expect(result.error).toBeUndefined();
		expect((fake.requestsTo('sendTemplate')[0].body as { namespace: string }).namespace).toBe(DEFAULT_NAMESPACE);
	});

	test('a namespace present only on another template of the account is used', async () => {
		fake.templates[0].quirks = { namespaceKey: 'none' };
		fake.templates[0].namespace = undefined;
		fake.templates[1].namespace = 'account_ns';
		await run(ticketAccepted());
		expect((fake.requestsTo('sendTemplate')[0].body as { namespace: string }).namespace).toBe('account_ns');
	});

	test('no namespace anywhere: the item names the Namespace field', async () => {
		for (const t of fake.templates) t.namespace = undefined;
		const result = await run(ticketAccepted());
		expect(result.error?.message).toMatch(/^Namespace is empty/);
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('paging that ignores offset ends, and finds the template on the repeated page', async () => {
		fake.templates = [
			...Array.from({ length: 150 }, (_, i) => ({ ...structuredClone(SCENARIO_TEMPLATES[1]), name: `other_${i}` })),
			...structuredClone(SCENARIO_TEMPLATES),
		];
		fake.templates.unshift(fake.templates.pop()!, fake.templates.pop()!);
		fake.templatesIgnoreOffset = true;
		const result = await run(ticketAccepted());
		expect(result.error).toBeUndefined();
		expect(fake.requestsTo('templates').length).toBe(2);
	});

	test('the template list is fetched once for a batch, not once per item', async () => {
		const items = Array.from({ length: 5 }, (_, i) => ({ phone: `+1 415 555 26${10 + i}` }));
		const result = await run(ticketAccepted({ phone: '={{ $json.phone }}' }), { items });
		expect(result.items).toHaveLength(5);
		expect(fake.requestsTo('templates')).toHaveLength(1);
		expect(fake.sent.map((m) => m.phone)).toEqual(items.map((i) => i.phone.replace(/\D/g, '')));
	});

	test('a template with another number of body variables is stopped, saying how many it has', async () => {
		fake.templates[0].components[0].text = 'Hello {{1}}, ticket {{2}} is open.';
		const result = await run(ticketAccepted());
		expect(result.error?.message).toBe('Template "ticket_accepted" has 2 body variables; Ticket Accepted fills exactly 3');
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('a template that also needs a header variable is stopped', async () => {
		fake.templates[1].components.unshift({ type: 'HEADER', format: 'TEXT', text: 'Ticket {{1}}' });
		const result = await run(agentAssigned());
		expect(result.error?.message).toContain('also needs a header variable');
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('a template the channel does not have, or not in that language, is named', async () => {
		let result = await run(ticketAccepted({ template: { __rl: true, mode: 'name', value: 'nope' } }));
		expect(result.error?.message).toBe('Template "nope" is not among the channel\'s templates in 1MSG');
		result = await run(ticketAccepted({ language: 'es' }));
		expect(result.error?.message).toBe('Template "ticket_accepted" has no "es" version in 1MSG; it has en');
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('a template that is not approved is not sent', async () => {
		fake.templates[0].status = 'rejected';
		const result = await run(ticketAccepted());
		expect(result.error?.message).toContain('is rejected in 1MSG');
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('the template list in the editor: approved only, searchable, name with language and category', async () => {
		fake.templates.push({ ...structuredClone(SCENARIO_TEMPLATES[0]), name: 'draft_one', status: 'pending' });
		fake.templates.push({ ...structuredClone(SCENARIO_TEMPLATES[0]), language: 'es', quirks: { statusUpperCase: true } });
		const all = await listSearch('searchTemplates', { parameters: ticketAccepted(), credentials: credentialsFor(fake) });
		expect(all.results).toEqual([
			{ name: 'agent_assigned (en, utility)', value: 'agent_assigned' },
			{ name: 'ticket_accepted (en, utility)', value: 'ticket_accepted' },
			{ name: 'ticket_accepted (es, utility)', value: 'ticket_accepted' },
		]);
		const some = await listSearch('searchTemplates', { parameters: ticketAccepted(), credentials: credentialsFor(fake), filter: 'AGENT' });
		expect(some.results.map((r) => r.value)).toEqual(['agent_assigned']);
	});
});

describe('variables', () => {
	test('line breaks, tabs and long space runs are replaced by one space by default', async () => {
		const result = await run(ticketAccepted({ nextStep: 'Expect a reply\nwithin\t2 hours.      Thanks' }));
		expect(result.error).toBeUndefined();
		const params = (fake.sent[0].params as Array<{ parameters: Array<{ text: string }> }>)[0].parameters;
		expect(params[2].text).toBe('Expect a reply within 2 hours. Thanks');
	});

	test('with the reject option such text fails the item, naming the field', async () => {
		const result = await run(
			ticketAccepted({ nextStep: 'Expect a reply\nwithin 2 hours', options: { whitespace: 'reject' } }),
		);
		expect(result.error?.message).toMatch(/^Next Step contains a line break/);
		expect(fake.requests).toHaveLength(0);
	});

	test.each([
		['customerName', 'Customer Name'],
		['ticketNumber', 'Ticket Number'],
		['nextStep', 'Next Step'],
	])('an empty %s is named and nothing is sent', async (name, label) => {
		const result = await run(ticketAccepted({ [name]: '   ' }));
		expect(result.error?.message).toBe(`${label} is empty`);
		expect(fake.requests).toHaveLength(0);
	});

	test('an empty Specialist Name is named', async () => {
		const result = await run(agentAssigned({ specialistName: '={{ $json.missing }}' }));
		expect(result.error?.message).toBe('Specialist Name is empty');
	});
});

describe('1MSG failures become errors for people', () => {
	const sendAnswers = (reply: () => Reply) => fake.intercept((r) => (r.apiMethod === 'sendTemplate' ? reply() : undefined));

	test.each([
		[
			'sent:false',
			{ status: 200, body: { sent: false, message: 'Message was not sent', jobId: 77 } },
			'1MSG (HTTP 200): Message was not sent',
			/job 77, which is not a message id/,
		],
		[
			'dialog window closed',
			{ status: 200, body: { sent: false, message: 'Dialog window is closed' } },
			'1MSG (HTTP 200): Dialog window is closed',
			/opted in, or the 24-hour window is closed/,
		],
		[
			'Meta error 131047',
			{ status: 400, body: { error: { message: 'Re-engagement message', code: 131047 } } },
			'1MSG (HTTP 400): Re-engagement message (code 131047)',
			/opted in, or the 24-hour window is closed/,
		],
		['404', { status: 404, body: { error: 'Template not found' } }, '1MSG (HTTP 404): Template not found', /channel ID .* template name/],
		[
			'422',
			{ status: 422, body: { message: 'Params count mismatch' } },
			'1MSG (HTTP 422): Params count mismatch',
			/number of variables and the namespace/,
		],
		['429', { status: 429, body: { error: 'Too many requests' } }, '1MSG (HTTP 429): Too many requests', /safe to retry/],
		[
			'500 with an HTML body',
			{ status: 500, text: '<!DOCTYPE html><html><head><title>500</title><style>h1{}</style></head><body><h1>Internal Server Error</h1></body></html>' },
			'1MSG (HTTP 500): non-JSON answer: 500 Internal Server Error',
			/may or may not have been sent: check before retrying/,
		],
		['200 with a non-JSON body', { status: 200, text: 'OK' }, '1MSG (HTTP 200): non-JSON answer: OK', /may or may not have been sent/],
	])('%s', async (_name, reply, message, hint) => {
		sendAnswers(() => reply);
		const result = await run(ticketAccepted());
		expect(result.error?.message).toBe(message);
		expect(result.error?.description).toMatch(hint);
		expect(result.error?.context?.itemIndex).toBe(0);
		expectNoToken(result);
	});

	test('401: 1MSG quotes the token; the error does not', async () => {
		const result = await runNode({
			credentials: credentialsFor(fake, { token: 'wrong-token-value-9f8e7d' }),
			parameters: ticketAccepted({ namespace: DEFAULT_NAMESPACE }),
		});
		const answered = fake.requests.at(-1)!;
		expect(answered.headers.authorization).toBe('Bearer wrong-token-value-9f8e7d');
		expect(result.error?.message).toBe(`1MSG (HTTP 401): Wrong token "[token hidden]" for channel "${fake.channelId}". Check the token in your dashboard.`);
		expect(result.error?.description).toMatch(/Check the token in the OneMsg credential/);
		expect(result.error?.httpCode).toBe('401');
		expect(everythingVisible(result)).not.toContain('wrong-token-value-9f8e7d');
	});

	test('the 500 of a param text 1MSG refuses is reported in 1MSG’s words', async () => {
		// only reachable with a check of ours switched off: the fake refuses it like 1MSG
		fake.intercept((r) =>
			r.apiMethod === 'sendTemplate'
				? { status: 500, body: { message: 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces' } }
				: undefined,
		);
		const result = await run(ticketAccepted());
		expect(result.error?.message).toBe(
			'1MSG (HTTP 500): Param text cannot have new-line/tab characters or more than 4 consecutive spaces',
		);
	});

	test('a connection refused says so and names the base URL', async () => {
		const result = await runNode({
			credentials: credentialsFor(fake, { baseUrl: 'http://127.0.0.1:9/' }),
			parameters: ticketAccepted({ namespace: DEFAULT_NAMESPACE }),
		});
		expect(result.error?.message).toMatch(/^1MSG: could not get an answer from http:\/\/127\.0\.0\.1:9/);
		expect(result.error?.description).toMatch(/Check the Base URL/);
		expectNoToken(result);
	});

	test('a base URL that is not http(s) is refused before any request', async () => {
		const result = await runNode({
			credentials: credentialsFor(fake, { baseUrl: 'ftp://api.1msg.io' }),
			parameters: ticketAccepted(),
		});
		expect(result.error?.message).toMatch(/^Base URL must start with http:\/\/ or https:\/\//);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('batches', () => {
	const batch = [
		{ phone: '+1 415 555 2671', name: 'Maria' },
		{ phone: '123', name: 'Too Short' },
		{ phone: '+1 415 555 2673', name: 'Server Error' },
		{ phone: '+1 415 555 2674', name: 'Ann' },
	];
	const params = ticketAccepted({ phone: '={{ $json.phone }}', customerName: '={{ $json.name }}' });

	beforeEach(() => {
		fake.intercept((r) =>
			r.apiMethod === 'sendTemplate' && (r.body as { phone: string }).phone === '14155552673'
				? { status: 500, text: '<h1>Internal Server Error</h1>' }
				: undefined,
		);
	});

	test('continueOnFail: one output item per input, paired, errors in place, the rest sent', async () => {
		const result = await run(params, { items: batch, continueOnFail: true });
		expect(result.error).toBeUndefined();
		const items = result.items!;
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items.map((i) => i.json.sent)).toEqual([true, false, false, true]);
		expect(items[1].json.error).toBe('Phone "123" has 3 digits; an international number has 6 to 15');
		expect(items[2].json).toMatchObject({ error: '1MSG (HTTP 500): non-JSON answer: Internal Server Error', httpCode: '500' });
		expect(items[2].json.description).toMatch(/may or may not have been sent/);
		expect(items[0].json.messageId).toBe(fake.sent[0].id);
		expect(items[3].json.messageId).toBe(fake.sent[1].id);
		expect(fake.sent.map((m) => m.phone)).toEqual(['14155552671', '14155552674']);
		expectNoToken(result);
	});

	test('without continueOnFail a bad item stops the node, names its item, and nothing is sent', async () => {
		const result = await run(params, { items: batch });
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toBe('Phone "123" has 3 digits; an international number has 6 to 15');
		expect(result.error?.context?.itemIndex).toBe(1);
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('without continueOnFail a 1MSG failure stops the node with that item’s error', async () => {
		const result = await run(params, { items: batch.filter((_, i) => i !== 1) });
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toBe('1MSG (HTTP 500): non-JSON answer: Internal Server Error');
		expect(result.error?.context?.itemIndex).toBe(1);
	});
});
