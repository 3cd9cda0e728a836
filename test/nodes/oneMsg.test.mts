/**
 * The OneMsg node through n8n-core's real execution code, against the fake 1MSG on loopback: the
 * exact request of each operation, the checks before sending, the window, and bulk rules.
 */
import type { INodeParameters } from 'n8n-workflow';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { WINDOW_CLOSED_MESSAGE } from '../../sandbox/fakeOneMsg.mts';
import { credentialsFor, everythingVisible, useFake } from '../support/fixtures.mts';
import { ONEMSG_NODE, runNode, type RunOptions } from '../support/n8n.mts';

const fake = useFake();
const MARIA = '14155552671@c.us';

const run = (parameters: INodeParameters, options: Partial<RunOptions> = {}) =>
	runNode({ type: ONEMSG_NODE, parameters, credentials: credentialsFor(fake), ...options });

/** The customer writes first, so the 24-hour window is open. */
async function customerWrites(text = 'Hi, my order did not arrive', phone = '14155552671') {
	const { body } = await fake.customerSays({ text, phone });
	return (body.messages as Array<{ id: string }>)[0].id;
}

afterEach(() => {
	vi.useRealTimers();
});

describe('Send Text', () => {
	test('POST /sendMessage with chatId, body and the quoted message; outputs the id 1MSG gave', async () => {
		const incoming = await customerWrites();
		const result = await run({ operation: 'sendText', to: '+1 (415) 555-2671', text: 'Hello Maria,\nyour order ships today.', replyTo: incoming });
		expect(result.error).toBeUndefined();
		const [request] = fake.requestsTo('sendMessage');
		expect(request.method).toBe('POST');
		expect(request.path).toBe(`/${fake.channelId}/sendMessage`);
		expect(request.headers.authorization).toBe(`Bearer ${fake.token}`);
		expect(request.body).toStrictEqual({ chatId: MARIA, body: 'Hello Maria,\nyour order ships today.', quotedMsgId: incoming });
		expect(result.items?.map((i) => i.json)).toEqual([
			{ sent: true, messageId: fake.outbox[0].id, to: MARIA, operation: 'sendText', message: `Sent to ${MARIA}`, description: 'Message has been sent to the provider' },
		]);
		expect(everythingVisible(result)).not.toContain(fake.token);
	});

	test('without Reply To, no quotedMsgId is sent; a chat id from a trigger item is taken as it is', async () => {
		await customerWrites();
		await run({ operation: 'sendText', to: MARIA, text: 'Hello' });
		expect(fake.requestsTo('sendMessage')[0].body).toStrictEqual({ chatId: MARIA, body: 'Hello' });
	});

	test('a hidden-number customer (@lid): chatId by default, bsuid with the option', async () => {
		fake.intercept((request) => (request.apiMethod === 'sendMessage' ? { status: 200, body: { sent: true, id: 'wamid.LID' } } : undefined));
		const lid = 'CO.1726691741709890@lid';
		const byChat = await run({ operation: 'sendText', to: lid, text: 'Hi' });
		const byBsuid = await run({ operation: 'sendText', to: lid, text: 'Hi', options: { hiddenNumberRouting: 'bsuid' } });
		expect(fake.requestsTo('sendMessage').map((r) => r.body)).toEqual([
			{ chatId: lid, body: 'Hi' },
			{ bsuid: 'CO.1726691741709890', body: 'Hi' },
		]);
		expect([byChat, byBsuid].map((r) => r.items?.[0].json.to)).toEqual([lid, lid]);
	});
});

describe('Send File', () => {
	test('from a link: body is the link, file name from the link, caption', async () => {
		await customerWrites();
		const result = await run({ operation: 'sendFile', to: MARIA, fileSource: 'url', fileUrl: 'https://files.example.com/docs/manual.pdf', caption: 'Setup guide' });
		expect(result.error).toBeUndefined();
		expect(fake.requestsTo('sendFile')[0].body).toStrictEqual({
			chatId: MARIA,
			body: 'https://files.example.com/docs/manual.pdf',
			filename: 'manual.pdf',
			caption: 'Setup guide',
		});
		expect(result.items?.[0].json).toMatchObject({ sent: true, operation: 'sendFile', to: MARIA, messageId: fake.outbox[0].id });
	});

	test('from the input item’s binary property: a base64 data URI with its mime type and file name', async () => {
		await customerWrites();
		const bytes = Buffer.from('%PDF-1.4 invoice 42\n');
		const result = await run(
			{ operation: 'sendFile', to: MARIA, fileSource: 'binary', binaryProperty: 'invoice', fileName: '', caption: '' },
			{ inputItems: [{ json: {}, binary: { invoice: { data: bytes.toString('base64'), mimeType: 'application/pdf', fileName: 'invoice-42.pdf' } } }] },
		);
		expect(result.error).toBeUndefined();
		expect(fake.requestsTo('sendFile')[0].body).toStrictEqual({
			chatId: MARIA,
			body: `data:application/pdf;base64,${bytes.toString('base64')}`,
			filename: 'invoice-42.pdf',
		});
	});

	test.each([
		[{ fileSource: 'binary', binaryProperty: 'missing' }, 'The item has no binary property "missing"', 'It has "data": use one of those'],
		[{ fileSource: 'url', fileUrl: 'ftp://x/y.pdf' }, 'File URL "ftp://x/y.pdf" is not an http(s) link', undefined],
		[{ fileSource: 'url', fileUrl: 'https://files.example.com/download?id=7' }, 'File Name is empty and the link gives none', undefined],
		[{ fileSource: 'url', fileUrl: 'https://files.example.com/a.pdf', fileName: 'invoice' }, 'File Name "invoice" has no extension', undefined],
		[{ fileSource: 'url', fileUrl: 'https://files.example.com/a.pdf', caption: 'x'.repeat(1025) }, 'Caption has 1025 characters; WhatsApp allows at most 1024', undefined],
	])('%j is refused before sending', async (parameters, message, hint) => {
		const result = await run(
			{ operation: 'sendFile', to: MARIA, ...parameters },
			{ inputItems: [{ json: {}, binary: { data: { data: 'eA==', mimeType: 'text/plain', fileName: 'x.txt' } } }] },
		);
		expect(result.error?.message).toBe(message);
		if (hint) expect(result.error?.description).toBe(hint);
		expect(fake.requestsTo('sendFile')).toHaveLength(0);
	});
});

describe('Send Buttons', () => {
	test('POST /sendButton with reply sections', async () => {
		await customerWrites();
		const buttons = { button: [{ id: 'solved', title: 'Yes' }, { id: 'open', title: 'No' }] };
		const result = await run({ operation: 'sendButtons', to: MARIA, text: 'Was your problem solved?', buttons });
		expect(result.error).toBeUndefined();
		expect(fake.requestsTo('sendButton')[0].body).toStrictEqual({
			chatId: MARIA,
			body: 'Was your problem solved?',
			sections: [
				{ type: 'reply', reply: { id: 'solved', title: 'Yes' } },
				{ type: 'reply', reply: { id: 'open', title: 'No' } },
			],
		});
		expect(result.items?.[0].json).toMatchObject({ sent: true, operation: 'sendButtons' });
	});
});

describe('Mark as Read', () => {
	test('POST /readMessage with the typing indicator', async () => {
		const incoming = await customerWrites();
		const result = await run({ operation: 'markAsRead', messageId: incoming, typing: true });
		expect(fake.requestsTo('readMessage')[0].body).toStrictEqual({ messageId: incoming, typingIndicator: true });
		expect(result.items?.map((i) => i.json)).toEqual([{ messageId: incoming, read: true, typing: true }]);
	});

	test('without typing: typingIndicator false', async () => {
		const incoming = await customerWrites();
		await run({ operation: 'markAsRead', messageId: incoming });
		expect(fake.requestsTo('readMessage')[0].body).toStrictEqual({ messageId: incoming, typingIndicator: false });
	});
});

describe('Get Conversation Window (virtual clock)', () => {
	const T = Date.parse('2026-11-21T10:00:00Z');
	const DAY = 24 * 60 * 60 * 1000;

	async function windowAt(now: number) {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(now);
		return await run({ operation: 'getWindow', to: '+1 415 555 2671' });
	}

	async function customerWroteAt(time: number) {
		fake.now = () => time;
		const id = await customerWrites();
		// the business's own reply later on must not extend the window
		fake.now = () => time + 60_000;
		await run({ operation: 'sendText', to: MARIA, text: 'We are on it' });
		expect(fake.outbox).toHaveLength(1);
		return id;
	}

	test('open one second before the 24 hours end: the last genuine customer message, and until when', async () => {
		const id = await customerWroteAt(T);
		const result = await windowAt(T + DAY - 1000);
		const [request] = fake.requestsTo('messages');
		expect(request.query).toEqual({ chatId: MARIA, last: 'true', limit: '100' });
		expect(result.items?.map((i) => i.json)).toEqual([
			{ to: MARIA, open: true, expiresAt: '2026-11-22T10:00:00.000Z', lastCustomerMessageAt: '2026-11-21T10:00:00.000Z', lastCustomerMessageId: id },
		]);
	});

	test('expired by one second: closed', async () => {
		const id = await customerWroteAt(T);
		const result = await windowAt(T + DAY + 1000);
		expect(result.items?.[0].json).toEqual({
			to: MARIA,
			open: false,
			expiresAt: '2026-11-22T10:00:00.000Z',
			lastCustomerMessageAt: '2026-11-21T10:00:00.000Z',
			lastCustomerMessageId: id,
		});
	});

	test('no history: closed, nothing known', async () => {
		const result = await windowAt(T);
		expect(result.items?.[0].json).toEqual({ to: MARIA, open: false, expiresAt: null, lastCustomerMessageAt: null, lastCustomerMessageId: null });
	});
});

describe('closed window', () => {
	test('refused synchronously (sent:false): the error says so and names the way out', async () => {
		const result = await run({ operation: 'sendText', to: MARIA, text: 'Hello?' });
		expect(result.error?.message).toBe(`1MSG (HTTP 200): ${WINDOW_CLOSED_MESSAGE}`);
		expect(result.error?.description).toMatch(/24-hour window is closed/);
		expect(result.error?.description).toMatch(/OneMsg Send Template node/);
		expect(result.error?.description).toMatch(/wait for the customer's reply/);
	});

	test('refused with Meta’s 131047 as an HTTP error: the same hint, 1MSG’s words and code kept', async () => {
		fake.intercept((request) =>
			request.apiMethod === 'sendFile'
				? { status: 400, body: { error: { message: 'Re-engagement message', code: 131047, error_user_msg: 'More than 24 hours have passed' } } }
				: undefined,
		);
		const result = await run({ operation: 'sendFile', to: MARIA, fileSource: 'url', fileUrl: 'https://files.example.com/a.pdf' });
		expect(result.error?.message).toBe('1MSG (HTTP 400): More than 24 hours have passed (code 131047)');
		expect(result.error?.description).toMatch(/OneMsg Send Template node/);
	});
});

describe('many items', () => {
	const items = (texts: string[]) => texts.map((text) => ({ text }));

	test('every item is checked first: one bad item stops the node before anything is sent', async () => {
		await customerWrites();
		const result = await run({ operation: 'sendText', to: MARIA, text: '={{ $json.text }}' }, { items: items(['ok', '', 'ok too']) });
		expect(result.error?.message).toBe('Text is empty');
		expect(fake.requestsTo('sendMessage')).toHaveLength(0);
	});

	test('with Continue On Fail: error items in place, in input order, the rest sent', async () => {
		await customerWrites();
		const long = 'x'.repeat(4097);
		const result = await run({ operation: 'sendText', to: MARIA, text: '={{ $json.text }}' }, { items: items(['one', long, 'three']), continueOnFail: true });
		expect(result.items?.map((i) => [i.json.sent, i.json.error ?? i.json.messageId, i.pairedItem])).toEqual([
			[true, fake.outbox[0].id, { item: 0 }],
			[false, 'Text has 4097 characters; WhatsApp allows at most 4096', { item: 1 }],
			[true, fake.outbox[1].id, { item: 2 }],
		]);
		expect(fake.outbox.map((m) => m.body.body)).toEqual(['one', 'three']);
	});

	test('a 429 is retried and sent once; a 500 may have been sent and is never retried', async () => {
		await customerWrites();
		let calls = 0;
		fake.intercept((request, proceed) => {
			if (request.apiMethod !== 'sendMessage') return undefined;
			calls++;
			const text = (request.body as { body: string }).body;
			if (text === 'limited' && calls === 1) return { status: 429, body: { error: 'Too many requests' }, headers: { 'retry-after': '0' } };
			if (text === 'broken') {
				proceed();
				return { status: 500, text: '<html>Internal error</html>' };
			}
			return undefined;
		});
		const result = await run({ operation: 'sendText', to: MARIA, text: '={{ $json.text }}', options: { concurrency: 1 } }, { items: items(['limited', 'broken']), continueOnFail: true });
		expect(result.items?.map((i) => i.json.sent)).toEqual([true, false]);
		expect(result.items?.[1].json.description).toMatch(/may or may not have been sent/);
		expect(fake.requestsTo('sendMessage').map((r) => (r.body as { body: string }).body)).toEqual(['limited', 'limited', 'broken']);
	});

	test.each([
		[{ operation: 'sendText', to: '={{ "" }}', text: 'x' }, 'To is empty'],
		[{ operation: 'sendText', to: MARIA, text: 'x', replyTo: '12345' }, 'Reply To "12345" is not a WhatsApp message id'],
		[{ operation: 'sendButtons', to: MARIA, text: 'Pick', buttons: { button: [{ title: 'a' }, { title: 'b' }, { title: 'c' }, { title: 'd' }] } }, '4 buttons given; WhatsApp allows at most 3 reply buttons'],
		[{ operation: 'sendButtons', to: MARIA, text: 'Pick', buttons: { button: [{ title: 'A title that is too long' }] } }, 'Button 1 title "A title that is too long" has 24 characters; WhatsApp allows at most 20'],
		[{ operation: 'sendButtons', to: MARIA, text: 'x'.repeat(4097), buttons: { button: [{ title: 'ok' }] } }, 'Text has 4097 characters; WhatsApp allows at most 4096'],
		[{ operation: 'markAsRead', messageId: ' ' }, 'Message ID is empty'],
	])('%j is refused before any request', async (parameters, message) => {
		const result = await run(parameters);
		expect(result.error?.message).toBe(message);
		expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
	});
});
