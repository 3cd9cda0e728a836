import type { Action } from './common';
import { readRecipient, sendTimeout } from './common';
import { conversationWindow } from '../conversationWindow';
import { oneMsgRequest } from '../../transport/request';

/** The newest messages of the chat read for the window: enough to reach past a burst of the business's own. */
export const HISTORY_LIMIT = 100;

/**
 * Get Conversation Window: whether a free-form message can be sent now, from the chat history
 * (GET /messages, newest first). No customer message in it means closed: send a template.
 */
export const getWindow: Action = {
	properties: [],

	async prepare(context, itemIndex, param) {
		const recipient = readRecipient(param, itemIndex);
		const timeoutMs = sendTimeout(param, itemIndex);
		return async () => {
			const answer = await oneMsgRequest.call(context, {
				method: 'GET',
				path: 'messages',
				qs: { chatId: recipient.chatId, last: true, limit: HISTORY_LIMIT },
				itemIndex,
				timeoutMs,
			});
			return { to: recipient.chatId, ...conversationWindow(answer.messages, recipient.chatId, Date.now()) };
		};
	},
};
