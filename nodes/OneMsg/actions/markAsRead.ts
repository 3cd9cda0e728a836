import type { Action } from './common';
import { forOperations } from '../../itemRun/operations';
import { sendTimeout } from './common';
import { InputProblem } from '../../itemRun/inputProblem';
import { oneMsgRequest } from '../../transport/request';

/** Mark as Read: POST /readMessage; with Typing, the customer also sees "typing…" until the reply (at most 25 s). */
export const markAsRead: Action = {
	properties: [
		{
			displayName: 'Message ID',
			name: 'messageId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'wamid.HBgMNTczMDAxMTEyMjMzFQIAEhgUM0E',
			description: 'The messageId of a customer message (from the OneMsg Trigger)',
			displayOptions: forOperations(['markAsRead']),
		},
		{
			displayName: 'Show Typing Indicator',
			name: 'typing',
			type: 'boolean',
			default: false,
			description: 'Whether the customer also sees that you are typing, until your reply arrives or 25 seconds pass',
			displayOptions: forOperations(['markAsRead']),
		},
	],

	async prepare(context, itemIndex, param) {
		const messageId = String(param('messageId', itemIndex, '') ?? '').trim();
		if (!messageId) throw new InputProblem('Message ID is empty', 'Map the messageId of a OneMsg Trigger item');
		const typing = param('typing', itemIndex, false) === true;
		const timeoutMs = sendTimeout(param, itemIndex);
		return async () => {
			await oneMsgRequest.call(context, {
				method: 'POST',
				path: 'readMessage',
				body: { messageId, typingIndicator: typing },
				itemIndex,
				timeoutMs,
			});
			return { messageId, read: true, typing };
		};
	},
};
