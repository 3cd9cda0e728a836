import type { Action } from './common';
import { preparedSend, readRecipient, readReplyTo, textProperty } from './common';
import { messageText } from '../../api/text';

export const MAX_TEXT = 4096;

/** Send Text: POST /sendMessage, a free-form text inside the 24-hour window, optionally quoting a message. */
export const sendText: Action = {
	properties: [
		textProperty(
			'sendText',
			'The message, 1 to 4,096 characters; line breaks and WhatsApp formatting (*bold*, _italic_) are kept',
			4,
		),
	],

	async prepare(context, itemIndex, param) {
		const recipient = readRecipient(param, itemIndex);
		const text = messageText(param('text', itemIndex, ''), 'Text', MAX_TEXT);
		const replyTo = readReplyTo(param, itemIndex);
		return preparedSend(context, itemIndex, param, {
			path: 'sendMessage',
			operation: 'sendText',
			recipient,
			body: { body: text, ...(replyTo ? { quotedMsgId: replyTo } : {}) },
		});
	},
};
