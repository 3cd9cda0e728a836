import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { itemParameters } from '../itemRun/itemParameters';
import { errorFields, runCheckedItems } from '../itemRun/itemRun';
import { forOperations, subtitleFor } from '../itemRun/operations';
import { QUEUE_OPTIONS, queueSettings } from '../itemRun/queueOptions';
import { recipientProperty, replyToProperty, SEND_OPERATIONS } from './actions/common';
import { actionFor, ACTIONS } from './actions/router';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'sendText',
	options: [
		{
			name: 'Get Conversation Window',
			value: 'getWindow',
			action: 'Get the conversation window',
			description: 'Whether a free-form message can be sent now, and until when',
		},
		{
			name: 'Mark as Read',
			value: 'markAsRead',
			action: 'Mark a message as read',
			description: 'Blue ticks on a customer message, optionally with the typing indicator',
		},
		{
			name: 'Send Buttons',
			value: 'sendButtons',
			action: 'Send a message with reply buttons',
			description: 'A question with up to 3 reply buttons',
		},
		{
			name: 'Send File',
			value: 'sendFile',
			action: 'Send a file',
			description: 'A document, image, audio or video from a link or from the input item’s binary data, with a caption',
		},
		{
			name: 'Send Text',
			value: 'sendText',
			action: 'Send a text message',
			description: 'A free-form text, optionally quoting a message; only within 24 hours of the customer’s last message',
		},
	],
};

/** Inside Options: shown for the send operations (`/` names a field at the top of the node). */
const sendsOnly = { show: { '/operation': SEND_OPERATIONS } };

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		QUEUE_OPTIONS.concurrency,
		{
			displayName: 'Hidden-Number Recipients',
			name: 'hiddenNumberRouting',
			type: 'options',
			default: 'chatId',
			description:
				'How a customer whose number is hidden (a …@lid chat) is addressed. Sources disagree on what 1MSG accepts: change it if sends to such customers are refused.',
			options: [
				{ name: 'As Chat ID (X@lid)', value: 'chatId' },
				{ name: 'As BSUID (X)', value: 'bsuid' },
				{ name: 'As Phone (X)', value: 'phone' },
			],
		},
		QUEUE_OPTIONS.rateLimitRetries,
		QUEUE_OPTIONS.retryUncertain,
		// the sends only: marking a message read again does no harm, and reading the window sends nothing
		{ ...QUEUE_OPTIONS.skipAlreadySent, displayOptions: sendsOnly },
		{ ...QUEUE_OPTIONS.skipKey, displayOptions: sendsOnly },
		QUEUE_OPTIONS.timeout,
	],
};

export class OneMsg implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneMsg',
		name: 'oneMsg',
		icon: { light: 'file:../../icons/oneMsg.svg', dark: 'file:../../icons/oneMsg.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: subtitleFor(operation),
		description: 'Reply to WhatsApp customers through 1MSG: texts, files, buttons, read marks and the 24-hour window',
		defaults: { name: 'OneMsg' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'oneMsgChannelApi', required: true }],
		properties: [
			operation,
			recipientProperty,
			...Object.values(ACTIONS).flatMap((action) => action.properties),
			replyToProperty,
			{ ...options, displayOptions: forOperations(Object.keys(ACTIONS)) },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		const action = actionFor(operation);
		if (!action) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
		const param = itemParameters(this);
		const sends = SEND_OPERATIONS.includes(operation);
		return [
			await runCheckedItems(this, async (itemIndex) => await action.prepare(this, itemIndex, param), {
				queue: queueSettings(this, operation),
				done: sends ? 'sent' : 'done',
				errorItem: (error) => ({ ...(sends ? { sent: false } : {}), operation, ...errorFields(error) }),
			}),
		];
	}
}
