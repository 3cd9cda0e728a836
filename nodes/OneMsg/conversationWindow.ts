/**
 * WhatsApp's customer service window, from the chat history (GET /messages): free-form messages
 * may be sent until 24 hours after the customer's last message. Only the customer's own messages
 * open or extend it: the business's messages, templates, read marks and echoes do not. A history
 * without a customer message proves nothing, so the window is then treated as closed.
 */
import { isoTimestamp } from '../api/deliveryEvents';
import { isFromMe } from '../api/incomingMessages';

export const WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ConversationWindow {
	open: boolean;
	expiresAt: string | null;
	lastCustomerMessageAt: string | null;
	lastCustomerMessageId: string | null;
}

const sameChat = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** `history` is the `messages` array of GET /messages, in any order; entries of other chats are ignored. */
export function conversationWindow(history: unknown, chatId: string, now: number): ConversationWindow {
	let last: { at: number; id: string | null } | undefined;
	for (const entry of Array.isArray(history) ? history : []) {
		if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
		const message = entry as Record<string, unknown>;
		if (isFromMe(message)) continue;
		if (typeof message.chatId === 'string' && !sameChat(message.chatId, chatId)) continue;
		const iso = isoTimestamp(message.time ?? message.timestamp);
		if (!iso) continue;
		const at = Date.parse(iso);
		if (!last || at > last.at) last = { at, id: typeof message.id === 'string' ? message.id : null };
	}
	if (!last) return { open: false, expiresAt: null, lastCustomerMessageAt: null, lastCustomerMessageId: null };
	const expires = last.at + WINDOW_MS;
	return {
		open: now < expires,
		expiresAt: new Date(expires).toISOString(),
		lastCustomerMessageAt: new Date(last.at).toISOString(),
		lastCustomerMessageId: last.id,
	};
}
