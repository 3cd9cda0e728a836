import { describe, expect, test } from 'vitest';
import { parseDeliveryReport } from '../../nodes/api/deliveryEvents.ts';
import { fileNameFromUrl, MESSAGE_TYPES, parseIncomingMessages, phoneOfChat } from '../../nodes/api/incomingMessages.ts';
import { seededRandom } from '../support/fixtures.mts';

const S3 = 'https://s3.eu-central-1.wasabisys.com/onemessageapp/example/invoice.pdf?X-Amz-Signature=abc';

/** 1MSG's normalized form, as seen in real traffic. */
const normalized = (message: Record<string, unknown>) => ({ instanceId: 'VID100200300', messages: [message] });
const incoming = {
	id: 'wamid.HBgMNTczMDAxMTEyMjMzFQIAEhgUM0E',
	type: 'chat',
	body: 'Hi, my order did not arrive',
	fromMe: false,
	self: 0,
	time: '1760000000',
	chatId: '573001112233@c.us',
	author: '573001112233@c.us',
	senderName: 'Maria Lopez',
	chatName: '573001112233',
	authorBsuid: 'CO.1726691741709890',
	authorUserName: null,
	caption: null,
	quotedMsgId: null,
	isForwarded: false,
};

describe('normalized form (messages[])', () => {
	test('a text: every contract field', () => {
		const { messages, channelId } = parseIncomingMessages(normalized(incoming));
		expect(channelId).toBe('VID100200300');
		expect(messages).toEqual([
			{
				event: 'message',
				messageId: incoming.id,
				type: 'text',
				text: 'Hi, my order did not arrive',
				phone: '573001112233',
				chatId: '573001112233@c.us',
				customerName: 'Maria Lopez',
				replyTo: null,
				media: null,
				timestamp: '2025-10-09T08:53:20.000Z',
				channelId: 'VID100200300',
				raw: incoming,
			},
		]);
	});

	test('a document: link, file name from the caption, caption as the text', () => {
		const document = { ...incoming, id: 'wamid.D', type: 'document', body: S3, caption: 'invoice.pdf', time: '1760000300' };
		const [message] = parseIncomingMessages(normalized(document)).messages;
		expect(message).toMatchObject({ type: 'document', text: 'invoice.pdf', media: { url: S3, mimeType: null, fileName: 'invoice.pdf' } });
	});

	test('a document whose caption is a sentence: the file name comes from the link', () => {
		const [message] = parseIncomingMessages(normalized({ ...incoming, type: 'document', body: S3, caption: 'here is the invoice' })).messages;
		expect(message).toMatchObject({ text: 'here is the invoice', media: { url: S3, fileName: 'invoice.pdf' } });
	});

	test.each([
		['image', 'image'],
		['video', 'video'],
		['audio', 'audio'],
		['voice', 'voice'],
		['ptt', 'voice'],
		['sticker', 'sticker'],
	])('media type %s → %s, with the link and the caption', (given, type) => {
		const link = `https://s3.example.com/f/${given}.bin`;
		const [message] = parseIncomingMessages(normalized({ ...incoming, type: given, body: link, caption: 'look' })).messages;
		expect(message).toMatchObject({ type, text: 'look', media: { url: link, fileName: `${given}.bin` } });
	});

	test.each([
		['button', 'Talk to agent', 'Talk to agent'],
		['interactive', 'Yes', 'Yes'],
		['reaction', '👍', '👍'],
		['location', '4.711,-74.072', null],
		['contacts', 'QkVHSU46VkNBUkQ=', null],
		['vcard', 'QkVHSU46VkNBUkQ=', null],
	])('%s: the text a person reads', (given, body, text) => {
		const [message] = parseIncomingMessages(normalized({ ...incoming, type: given, body })).messages;
		expect(message.type).toBe(given === 'vcard' ? 'contacts' : given);
		expect(message.text).toBe(text);
		expect(message.media).toBeNull();
	});

	test('an unknown type still comes out, with raw', () => {
		const odd = { ...incoming, type: 'request_welcome', body: '' };
		expect(parseIncomingMessages(normalized(odd)).messages).toEqual([expect.objectContaining({ type: 'unknown', raw: odd, messageId: incoming.id })]);
	});

	test('a quoted reply carries replyTo', () => {
		expect(parseIncomingMessages(normalized({ ...incoming, quotedMsgId: 'wamid.OUT1' })).messages[0].replyTo).toBe('wamid.OUT1');
	});

	test('an echo (fromMe): event echo, and the business number in senderName is never the customer name', () => {
		const echo = { ...incoming, id: 'wamid.E', body: 'We are checking it now', fromMe: true, self: 1, senderName: '573176652197@c.us' };
		const [message] = parseIncomingMessages(normalized(echo)).messages;
		expect(message).toMatchObject({ event: 'echo', customerName: null, phone: '573001112233', chatId: '573001112233@c.us', text: 'We are checking it now' });
	});

	test.each([
		[{ fromMe: 1 }, 'echo'],
		[{ fromMe: '1' }, 'echo'],
		[{ fromMe: 'true' }, 'echo'],
		[{ fromMe: 0, self: 1 }, 'message'],
		[{ fromMe: undefined, self: 1 }, 'echo'],
		[{ fromMe: undefined, self: 0 }, 'message'],
	])('direction from %j → %s', (fields, event) => {
		expect(parseIncomingMessages(normalized({ ...incoming, ...fields })).messages[0].event).toBe(event);
	});

	test('a hidden-number customer (@lid): no phone, the chat id is the recipient', () => {
		const lid = { ...incoming, chatId: 'CO.1726691741709890@lid', author: 'CO.1726691741709890@lid' };
		expect(parseIncomingMessages(normalized(lid)).messages[0]).toMatchObject({ phone: null, chatId: 'CO.1726691741709890@lid', customerName: 'Maria Lopez' });
	});
});

describe("Meta's raw form (rawHooks on)", () => {
	const contacts = [{ profile: { name: 'Maria Lopez' }, wa_id: '573001112233' }];
	const metaBody = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
		instanceId: 'VID100200300',
		entry: [{ changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', contacts, messages, ...extra } }] }],
	});
	const from = { from: '573001112233', timestamp: '1760000000' };

	test.each([
		[{ id: 'wamid.A1', type: 'text', text: { body: 'Hello' } }, { type: 'text', text: 'Hello', media: null }],
		[
			{ id: 'wamid.A2', type: 'image', image: { id: '1013859600285441', mime_type: 'image/jpeg', sha256: 'x', caption: 'photo' } },
			{ type: 'image', text: 'photo', media: { url: null, mimeType: 'image/jpeg', fileName: null, id: '1013859600285441' } },
		],
		[
			{ id: 'wamid.A3', type: 'document', document: { id: '77', mime_type: 'application/pdf', filename: 'invoice.pdf', caption: 'see' } },
			{ type: 'document', text: 'see', media: { url: null, mimeType: 'application/pdf', fileName: 'invoice.pdf', id: '77' } },
		],
		[{ id: 'wamid.A4', type: 'audio', audio: { id: '88', mime_type: 'audio/ogg; codecs=opus', voice: true } }, { type: 'voice', text: null }],
		[{ id: 'wamid.A4b', type: 'audio', audio: { id: '89', mime_type: 'audio/mpeg' } }, { type: 'audio', text: null }],
		[{ id: 'wamid.A4c', type: 'video', video: { id: '90', mime_type: 'video/mp4', caption: 'clip' } }, { type: 'video', text: 'clip' }],
		[{ id: 'wamid.A4d', type: 'sticker', sticker: { id: '91', mime_type: 'image/webp' } }, { type: 'sticker', text: null }],
		[{ id: 'wamid.A5', type: 'location', location: { latitude: 4.711, longitude: -74.072, name: 'Office' } }, { type: 'location', text: null, media: null }],
		[{ id: 'wamid.A6', type: 'contacts', contacts: [{ name: { formatted_name: 'Juan Perez' } }] }, { type: 'contacts', text: null }],
		[
			{ id: 'wamid.A7', type: 'interactive', context: { from: '573176652197', id: 'wamid.OUT1' }, interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } } },
			{ type: 'interactive', text: 'Yes', replyTo: 'wamid.OUT1' },
		],
		[
			{ id: 'wamid.A8', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'opt2', title: 'Option 2', description: '…' } } },
			{ type: 'interactive', text: 'Option 2', replyTo: null },
		],
		[
			{ id: 'wamid.A9', type: 'button', context: { id: 'wamid.TPL1' }, button: { payload: 'Talk to agent', text: 'Talk to agent' } },
			{ type: 'button', text: 'Talk to agent', replyTo: 'wamid.TPL1' },
		],
		[{ id: 'wamid.A10', type: 'reaction', reaction: { message_id: 'wamid.OUT1', emoji: '👍' } }, { type: 'reaction', text: '👍', replyTo: 'wamid.OUT1' }],
		[{ id: 'wamid.A11', type: 'reaction', reaction: { message_id: 'wamid.OUT1' } }, { type: 'reaction', text: null, replyTo: 'wamid.OUT1' }],
		[{ id: 'wamid.A12', type: 'unsupported', errors: [{ code: 131051 }] }, { type: 'unknown', text: null }],
	])('%j', (message, expected) => {
		const record = { ...from, ...message };
		const [parsed] = parseIncomingMessages(metaBody([record])).messages;
		expect(parsed).toMatchObject({
			event: 'message',
			messageId: message.id,
			phone: '573001112233',
			chatId: '573001112233@c.us',
			customerName: 'Maria Lopez',
			timestamp: '2025-10-09T08:53:20.000Z',
			channelId: 'VID100200300',
			raw: record,
			...expected,
		});
	});

	test('message_echoes[] are echoes, addressed to the customer, without a customer name', () => {
		const echo = { from: '573176652197', to: '573001112233', id: 'wamid.E1', timestamp: '1760000000', type: 'text', text: { body: 'Sent from the phone' } };
		const [message] = parseIncomingMessages(metaBody([], { message_echoes: [echo] })).messages;
		expect(message).toMatchObject({ event: 'echo', phone: '573001112233', chatId: '573001112233@c.us', customerName: null, text: 'Sent from the phone' });
	});

	test('the name belongs to the contact whose wa_id is the sender', () => {
		const body = metaBody([{ from: '111111111', id: 'wamid.X', type: 'text', text: { body: 'hi' } }]);
		expect(parseIncomingMessages(body).messages[0].customerName).toBeNull();
	});
});

describe('mixed and broken bodies', () => {
	test('messages and statuses in one POST: each parser takes its own, nothing twice', () => {
		const body = {
			instanceId: '371267300',
			messages: [incoming],
			ack: [{ id: 'wamid.S', chatId: '14155552671@c.us', status: 'delivered' }],
			entry: [{ changes: [{ value: { statuses: [{ id: 'wamid.S2', status: 'read' }], messages: [{ from: '1415', id: 'wamid.M2', type: 'text', text: { body: 'x' } }] } }] }],
		};
		expect(parseIncomingMessages(body).messages.map((m) => m.messageId)).toEqual([incoming.id, 'wamid.M2']);
		expect(parseDeliveryReport(body).events.map((e) => e.messageId)).toEqual(['wamid.S', 'wamid.S2']);
	});

	test.each([
		['nothing', undefined],
		['null', null],
		['a string', 'messages'],
		['an array', [incoming]],
		['messages not a list', { messages: incoming }],
		['junk entries', { messages: [null, 1, 'x', [], {}] }],
		['deep junk', { entry: [null, { changes: [null, { value: { messages: 'x', message_echoes: [7] } }] }] }],
		['prototype keys', JSON.parse('{"messages":[{"type":"__proto__","id":"x"},{"type":"constructor"}],"entry":[{"changes":[{"value":{"messages":[{"type":"__proto__","__proto__":{"body":1}}]}}]}]}')],
	])('%s: never throws', (_name, body) => {
		const { messages } = parseIncomingMessages(body);
		for (const message of messages) expect(MESSAGE_TYPES).toContain(message.type);
	});

	test('every truncation of real bodies, and 3,000 random ones: never throws, every item traceable to a record', () => {
		const bodies = [
			normalized(incoming),
			normalized({ ...incoming, type: 'document', body: S3, caption: 'invoice.pdf' }),
			{ instanceId: '1', entry: [{ changes: [{ value: { contacts: [{ profile: { name: 'M' }, wa_id: '1' }], messages: [{ from: '1', id: 'wamid.A', type: 'image', image: { id: '2', caption: 'c' } }] } }] }] },
		];
		const inputs: unknown[] = [];
		for (const body of bodies) {
			const text = JSON.stringify(body);
			for (let cut = 0; cut <= text.length; cut++) {
				try {
					inputs.push(JSON.parse(text.slice(0, cut)));
				} catch {
					inputs.push(text.slice(0, cut));
				}
				inputs.push({ messages: [text.slice(0, cut)] });
			}
		}
		const next = seededRandom(20261122);
		const pick = <T,>(values: T[]) => values[Math.floor(next() * values.length)];
		const junk = (depth: number): unknown =>
			depth > 3 || next() < 0.3
				? pick([null, 0, 1.5, 'chat', 'image', '1760000000', 'wamid.Z', '1@c.us', true, NaN, -1])
				: next() < 0.4
					? Array.from({ length: Math.floor(next() * 4) }, () => junk(depth + 1))
					: Object.fromEntries(
							Array.from({ length: Math.floor(next() * 6) }, () => [
								pick(['messages', 'entry', 'changes', 'value', 'message_echoes', 'id', 'type', 'body', 'fromMe', 'self', 'time', 'chatId', 'caption', 'text', 'image', 'contacts', 'from', 'to']),
								junk(depth + 1),
							]),
						);
		for (let i = 0; i < 3000; i++) inputs.push(junk(0));
		let emitted = 0;
		for (const input of inputs) {
			const { messages } = parseIncomingMessages(input);
			const records = new Set<unknown>();
			const collect = (value: unknown) => {
				if (typeof value === 'object' && value !== null && !records.has(value)) {
					records.add(value);
					Object.values(value).forEach(collect);
				}
			};
			collect(input);
			for (const message of messages) {
				expect(records.has(message.raw)).toBe(true);
				expect(MESSAGE_TYPES).toContain(message.type);
				emitted++;
			}
		}
		expect(emitted).toBeGreaterThan(20); // the inputs do reach real messages
	});
});

describe('helpers', () => {
	test.each([
		['14155552671@c.us', '14155552671'],
		['+14155552671', '14155552671'],
		['CO.1726691741709890@lid', null],
		['120363040000000000@g.us', null],
		['abc@c.us', null],
		[null, null],
	])('phoneOfChat(%j) → %j', (chatId, phone) => {
		expect(phoneOfChat(chatId)).toBe(phone);
	});

	test.each([
		[S3, 'invoice.pdf'],
		['https://x.example/a/Factura%20Mayo.pdf', 'Factura Mayo.pdf'],
		['https://x.example/a/', null],
		['https://x.example/download?id=1', null],
		['not a url', null],
	])('fileNameFromUrl(%j) → %j', (url, name) => {
		expect(fileNameFromUrl(url)).toBe(name);
	});
});
