import { describe, expect, test } from 'vitest';
import { readButtons } from '../../nodes/OneMsg/actions/sendButtons.ts';
import { isWindowClosed } from '../../nodes/transport/apiFailure.ts';
import { conversationWindow, WINDOW_MS } from '../../nodes/OneMsg/conversationWindow.ts';
import { parseRecipient } from '../../nodes/OneMsg/recipient.ts';
import { messageText } from '../../nodes/api/text.ts';

describe('recipient', () => {
	test.each([
		['+1 (415) 555-2671', '14155552671@c.us', { chatId: '14155552671@c.us' }],
		['0014155552671', '14155552671@c.us', { chatId: '14155552671@c.us' }],
		['14155552671@c.us', '14155552671@c.us', { chatId: '14155552671@c.us' }],
		[14155552671, '14155552671@c.us', { chatId: '14155552671@c.us' }],
		['CO.1726691741709890@lid', 'CO.1726691741709890@lid', { chatId: 'CO.1726691741709890@lid' }],
		['120363040000000000@g.us', '120363040000000000@g.us', { chatId: '120363040000000000@g.us' }],
	])('%j → chat %s, fields %j', (to, chatId, fields) => {
		expect(parseRecipient(to)).toEqual({ chatId, fields });
	});

	test('a hidden-number customer can be addressed by BSUID or as phone instead', () => {
		expect(parseRecipient('CO.1726691741709890@lid', 'bsuid').fields).toEqual({ bsuid: 'CO.1726691741709890' });
		expect(parseRecipient('CO.1726691741709890@lid', 'phone').fields).toEqual({ phone: 'CO.1726691741709890' });
		expect(parseRecipient('+1 415 555 2671', 'bsuid').fields).toEqual({ chatId: '14155552671@c.us' });
	});

	test.each([
		['', 'To is empty'],
		['   ', 'To is empty'],
		[null, 'To is empty'],
		['12-34', 'To "12-34" has 4 digits; an international number has 6 to 15'],
		['maria@example.com', 'To "maria@example.com" is not a phone number or a 1MSG chat id'],
		['call me', 'To "call me" contains "c"; only digits, spaces, +, -, (, ), / and . are allowed'],
	])('%j is refused: %s', (to, message) => {
		expect(() => parseRecipient(to)).toThrow(message);
	});
});

describe('message text', () => {
	test('sent as written, line breaks included; emoji count as one character', () => {
		expect(messageText('Line 1\n\n  Line 2', 'Text', 4096)).toBe('Line 1\n\n  Line 2');
		expect(messageText('👍'.repeat(4096), 'Text', 4096)).toHaveLength(8192);
	});

	test.each([
		['', 'Text is empty'],
		[' \n\t', 'Text is empty'],
		['x'.repeat(4097), 'Text has 4097 characters; WhatsApp allows at most 4096'],
	])('%j is refused', (text, message) => {
		expect(() => messageText(text, 'Text', 4096)).toThrow(message);
	});

	test('an optional caption may be empty, not too long', () => {
		expect(messageText('', 'Caption', 1024, { required: false })).toBe('');
		expect(() => messageText('x'.repeat(1025), 'Caption', 1024, { required: false })).toThrow('Caption has 1025 characters; WhatsApp allows at most 1024');
	});
});

describe('reply buttons', () => {
	test('ids default to the titles; titles are trimmed', () => {
		expect(readButtons({ button: [{ title: ' Yes ' }, { id: 'open', title: 'No' }] })).toEqual([
			{ id: 'Yes', title: 'Yes' },
			{ id: 'open', title: 'No' },
		]);
	});

	test.each([
		[{}, 'No buttons given'],
		[{ button: [] }, 'No buttons given'],
		[{ button: [{ title: 'a' }, { title: 'b' }, { title: 'c' }, { title: 'd' }] }, '4 buttons given; WhatsApp allows at most 3 reply buttons'],
		[{ button: [{ title: 'x'.repeat(21) }] }, `Button 1 title "${'x'.repeat(21)}" has 21 characters; WhatsApp allows at most 20`],
		[{ button: [{ title: 'ok' }, { title: '' }] }, 'Button 2 has no title'],
		[{ button: [{ id: 'a', title: 'Yes' }, { id: 'a', title: 'No' }] }, 'Two buttons have the ID "a"'],
	])('%j is refused', (value, message) => {
		expect(() => readButtons(value)).toThrow(message);
	});

	test('20 characters, emoji counted as one, pass', () => {
		expect(readButtons({ button: [{ title: '👍'.repeat(20) }] })).toHaveLength(1);
	});
});

describe('conversation window', () => {
	const chatId = '14155552671@c.us';
	const at = (iso: string) => Date.parse(iso);
	const inbound = (id: string, time: number, extra: Record<string, unknown> = {}) => ({ id, time, fromMe: 0, chatId, ...extra });
	const t0 = Math.floor(at('2026-11-21T10:00:00Z') / 1000);

	test('open until 24 hours after the customer’s last message; closed one second later', () => {
		const history = [inbound('wamid.2', t0), inbound('wamid.1', t0 - 3600)];
		const expected = { expiresAt: '2026-11-22T10:00:00.000Z', lastCustomerMessageAt: '2026-11-21T10:00:00.000Z', lastCustomerMessageId: 'wamid.2' };
		expect(conversationWindow(history, chatId, t0 * 1000 + WINDOW_MS - 1000)).toEqual({ open: true, ...expected });
		expect(conversationWindow(history, chatId, t0 * 1000 + WINDOW_MS)).toEqual({ open: false, ...expected });
		expect(conversationWindow(history, chatId, t0 * 1000 + WINDOW_MS + 1000)).toEqual({ open: false, ...expected });
	});

	test('the business’s own messages, echoes and other chats neither open nor extend it', () => {
		const history = [
			{ id: 'wamid.out', time: t0 + 7200, fromMe: 1, chatId },
			{ id: 'wamid.echo', time: t0 + 7100, fromMe: true, chatId },
			{ id: 'wamid.api', time: t0 + 7000, self: 1, chatId },
			inbound('wamid.other', t0 + 7000, { chatId: '19995550000@c.us' }),
			inbound('wamid.in', t0),
		];
		expect(conversationWindow(history, chatId, t0 * 1000).lastCustomerMessageId).toBe('wamid.in');
	});

	test('no customer message in the history, or no history: closed, nothing known', () => {
		const closed = { open: false, expiresAt: null, lastCustomerMessageAt: null, lastCustomerMessageId: null };
		expect(conversationWindow([], chatId, t0 * 1000)).toEqual(closed);
		expect(conversationWindow(undefined, chatId, t0 * 1000)).toEqual(closed);
		expect(conversationWindow([{ id: 'x', time: t0, fromMe: 1, chatId }, null, 'x', { id: 'y', time: 'soon', chatId }], chatId, t0 * 1000)).toEqual(closed);
	});

	test('in any order, time as number or text', () => {
		const history = [inbound('wamid.old', t0 - 10), inbound('wamid.new', String(t0) as never), inbound('wamid.mid', t0 - 5)];
		expect(conversationWindow(history, chatId, t0 * 1000).lastCustomerMessageId).toBe('wamid.new');
	});
});

describe('closed window wording', () => {
	test.each([
		['Dialog window is closed', true],
		['Message failed: outside the allowed window', true],
		['Re-engagement message', true],
		['error 131047', true],
		['Wrong token', false],
	])('%j → %s', (text, closed) => {
		expect(isWindowClosed(text)).toBe(closed);
	});
});
