import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { BulkOptions } from '../../itemRun/queueOptions';
import { DEFAULTS, skipKeyOf, timeoutMs } from '../../itemRun/queueOptions';
import type { ItemParameters } from '../../itemRun/itemParameters';
import { isWindowClosed } from '../../transport/apiFailure';
import type { PreparedCall } from '../../itemRun/itemRun';
import { InputProblem } from '../../itemRun/inputProblem';
import { forOperations } from '../../itemRun/operations';
import { parseRecipient, type HiddenNumberRouting, type Recipient } from '../recipient';
import { sendMessageRequest } from '../../transport/request';
import { sentOnce } from '../../itemRun/sendOnce';

/** One operation of the OneMsg node: its fields, and how one item is checked and then run. */
export interface Action {
	properties: INodeProperties[];
	prepare(context: IExecuteFunctions, itemIndex: number, param: ItemParameters): Promise<PreparedCall>;
}

export interface OneMsgOptions extends BulkOptions {
	hiddenNumberRouting?: HiddenNumberRouting;
}

export const SEND_OPERATIONS = ['sendText', 'sendFile', 'sendButtons'];

export const HINTS = {
	windowClosed:
		"The customer's 24-hour window is closed: free-form messages reach a customer only within 24 hours of their last message. Send an approved template with the OneMsg Send Template node, and wait for the customer's reply before sending free-form messages again.",
	notSent: 'Check the recipient, and the channel status in the 1MSG dashboard.',
} as const;

export const options = (param: ItemParameters, itemIndex: number) => param('options', itemIndex, {}) as OneMsgOptions;

export function readRecipient(param: ItemParameters, itemIndex: number): Recipient {
	return parseRecipient(param('to', itemIndex, ''), options(param, itemIndex).hiddenNumberRouting ?? DEFAULTS.hiddenNumberRouting);
}

/** The optional message to quote; 1MSG takes only WhatsApp message ids (`wamid.…`). */
export function readReplyTo(param: ItemParameters, itemIndex: number): string | undefined {
	const value = String(param('replyTo', itemIndex, '') ?? '').trim();
	if (!value) return undefined;
	if (!/^wamid\.\S+$/.test(value)) {
		throw new InputProblem(`Reply To "${value}" is not a WhatsApp message id`, 'Map the messageId of a OneMsg Trigger item (it starts with wamid.)');
	}
	return value;
}

/** A closed window is the one refusal with a known way out: say so, whichever way 1MSG put it. */
function withWindowHint(error: unknown): unknown {
	if (error instanceof NodeApiError && isWindowClosed(error.message)) error.description = HINTS.windowClosed;
	return error;
}

/** A free-form send: the endpoint, the operation, the customer and the rest of the request body. */
interface MessageRequest {
	path: string;
	operation: string;
	recipient: Recipient;
	body: IDataObject;
}

/**
 * A checked free-form send. With Skip Items Already Sent on, its default key is the operation, the
 * chat and `content`: all the message holds (by default, the body sent).
 */
export function preparedSend(
	context: IExecuteFunctions,
	itemIndex: number,
	param: ItemParameters,
	request: MessageRequest,
	content: () => IDataObject = () => request.body,
): PreparedCall {
	const { operation, recipient } = request;
	const itemOptions = options(param, itemIndex);
	const timeout = timeoutMs(itemOptions);
	return sentOnce(
		async () => await sendMessage(context, itemIndex, { ...request, timeoutMs: timeout }),
		skipKeyOf(itemOptions),
		() => [operation, recipient.chatId, content()],
		{ sent: true, skipped: true, messageId: null, to: recipient.chatId, operation },
	);
}

/** POSTs a free-form send; answers the output item, or throws 1MSG's refusal. */
async function sendMessage(context: IExecuteFunctions, itemIndex: number, request: MessageRequest & { timeoutMs: number }): Promise<IDataObject> {
	let answer: IDataObject;
	try {
		answer = await sendMessageRequest.call(
			context,
			{ path: request.path, body: { ...request.recipient.fields, ...request.body }, itemIndex, timeoutMs: request.timeoutMs },
			HINTS.notSent,
		);
	} catch (error) {
		throw withWindowHint(error);
	}
	return {
		sent: true,
		messageId: typeof answer.id === 'string' ? answer.id : null,
		to: request.recipient.chatId,
		operation: request.operation,
		message: typeof answer.message === 'string' ? answer.message : null,
		description: typeof answer.description === 'string' ? answer.description : null,
	};
}

export const sendTimeout = (param: ItemParameters, itemIndex: number) => timeoutMs(options(param, itemIndex));

export const recipientProperty: INodeProperties = {
	displayName: 'To',
	name: 'to',
	type: 'string',
	required: true,
	default: '',
	placeholder: '+1 415 555 2671',
	description:
		'The customer: a phone number in international format written any way, or the chatId of a OneMsg Trigger item (14155552671@c.us, or …@lid for a customer whose number is hidden)',
	displayOptions: forOperations(['sendText', 'sendFile', 'sendButtons', 'getWindow']),
};

export const replyToProperty: INodeProperties = {
	displayName: 'Reply To',
	name: 'replyTo',
	type: 'string',
	default: '',
	placeholder: 'wamid.HBgMNTczMDAxMTEyMjMzFQIAEhgUM0E',
	description: 'Optional: the messageId of a message to quote, e.g. the customer message this answers',
	displayOptions: forOperations(SEND_OPERATIONS),
};

export function textProperty(operation: string, description: string, rows: number): INodeProperties {
	return {
		displayName: 'Text',
		name: 'text',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows },
		description,
		displayOptions: forOperations([operation]),
	};
}
