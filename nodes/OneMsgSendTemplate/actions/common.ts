import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { sentOnce } from '../../itemRun/sendOnce';
import { sendTemplateBody, type TemplateValues } from '../payload';
import { normalizePhone } from '../../api/phone';
import { InputProblem } from '../../itemRun/inputProblem';
import type { WhitespacePolicy } from '../../api/text';
import type { Template } from '../templates';
import type { PreparedCall } from '../../itemRun/itemRun';
import { sendMessageRequest } from '../../transport/request';
import { DEFAULTS, QUEUE_OPTIONS, skipKeyOf, timeoutMs, type BulkOptions } from '../../itemRun/queueOptions';
import { forOperations } from '../../itemRun/operations';
import type { ItemParameters } from '../../itemRun/itemParameters';
import type { ChosenTemplate } from '../templateCatalog';

/** A Send Template operation: how one item is checked, then sent (or asked about) when the queue runs it. */
export type PrepareItem = (
	context: IExecuteFunctions,
	itemIndex: number,
	param: ItemParameters,
	catalog: () => Promise<Template[]>,
) => Promise<PreparedCall>;

/** The operations that send a template; written out, as n8n's linter reads display options literally. */
export const SEND_OPERATIONS = ['ticketAccepted', 'agentAssigned', 'customTemplate'];

/** The fields every send operation has, read and checked for one item. */
export interface SendRequest {
	phone: string;
	template: string;
	language: string;
	namespace: string;
	policy: WhitespacePolicy;
	timeoutMs: number;
	/** Skip Items Already Sent: the key the user gave ('' for the default one), or undefined when off. */
	skipKey?: string;
}

export function readSendRequest(param: ItemParameters, itemIndex: number): SendRequest {
	const options = param('options', itemIndex, {}) as { whitespace?: WhitespacePolicy } & BulkOptions;
	const phone = normalizePhone(param('phone', itemIndex, ''));
	const template = String(param('template', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!template) throw new InputProblem('Template is empty', 'Pick a template from the list or type its name');
	const language = String(param('language', itemIndex, 'en') ?? '').trim();
	if (!language) throw new InputProblem('Language is empty', 'Enter the template language code, e.g. en');
	const namespace = String(param('namespace', itemIndex, '') ?? '').trim();
	return { phone, template, language, namespace, policy: options.whitespace ?? DEFAULTS.whitespace, timeoutMs: timeoutMs(options), skipKey: skipKeyOf(options) };
}

export function sentOnceBy(call: () => Promise<IDataObject>, operation: string, request: SendRequest, chosen: ChosenTemplate, values: TemplateValues): PreparedCall {
	const { phone, template, language } = request;
	const skipped = { sent: true, skipped: true, messageId: null, phone, template, language, namespace: chosen.namespace, operation };
	return sentOnce(call, request.skipKey, () => [operation, phone, template, language, values], skipped);
}

/** Sends the checked request; answers the output item, or throws 1MSG's refusal. */
export async function send(
	context: IExecuteFunctions,
	itemIndex: number,
	operation: string,
	request: SendRequest,
	chosen: ChosenTemplate,
	values: TemplateValues,
): Promise<IDataObject> {
	const { phone, template, language } = request;
	const answer = await sendMessageRequest.call(context, {
		path: 'sendTemplate',
		body: { ...sendTemplateBody({ phone, template, namespace: chosen.namespace, language, values }) },
		itemIndex,
		timeoutMs: request.timeoutMs,
	});
	return {
		sent: true,
		messageId: typeof answer.id === 'string' ? answer.id : null,
		phone,
		template,
		language,
		namespace: chosen.namespace,
		operation,
		message: answer.message ?? null,
		description: answer.description ?? null,
	};
}

// The fields every send operation shows.

export const phone: INodeProperties = {
	displayName: 'Phone',
	name: 'phone',
	type: 'string',
	required: true,
	default: '',
	placeholder: '+1 415 555 2671',
	description: 'Customer phone in international format, written any way: +1 (415) 555-2671, 0014155552671',
	displayOptions: forOperations(SEND_OPERATIONS),
};

/** Same parameter id for every send operation; only the suggested template differs. */
export function templateLocator(defaultTemplate: string, operations: string[]): INodeProperties {
	return {
		displayName: 'Template',
		name: 'template',
		type: 'resourceLocator',
		required: true,
		default: { mode: defaultTemplate ? 'name' : 'list', value: defaultTemplate },
		description: 'Approved WhatsApp template of the channel',
		displayOptions: forOperations(operations),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a template…',
				typeOptions: { searchListMethod: 'searchTemplates', searchable: true },
			},
			{
				displayName: 'By Name',
				name: 'name',
				type: 'string',
				placeholder: defaultTemplate || 'ticket_resolved',
			},
		],
	};
}

export const language: INodeProperties = {
	displayName: 'Language',
	name: 'language',
	type: 'string',
	required: true,
	default: 'en',
	placeholder: 'en',
	description: 'Language code of the template version to send, as approved in 1MSG (en, en_US, es, …)',
	displayOptions: forOperations(SEND_OPERATIONS),
};

export const namespace: INodeProperties = {
	displayName: 'Namespace',
	name: 'namespace',
	type: 'string',
	default: '',
	placeholder: 'ca300906_cfbc_410b_99fb_dcee8e13d578',
	description: "Template namespace. Leave empty to take it from the channel's template list.",
	displayOptions: forOperations(SEND_OPERATIONS),
};

export const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: forOperations(SEND_OPERATIONS),
	options: [
		QUEUE_OPTIONS.concurrency,
		{
			displayName: 'Line Breaks and Tabs',
			name: 'whitespace',
			type: 'options',
			default: 'clean',
			description:
				'WhatsApp refuses variables with line breaks, tabs or more than 4 spaces in a row. Choose what to do with them.',
			options: [
				{
					name: 'Replace With a Space',
					value: 'clean',
					description: 'Send the text with each such run turned into one space',
				},
				{
					name: 'Fail the Item',
					value: 'reject',
					description: 'Send nothing for the item and report which field holds them',
				},
			],
		},
		QUEUE_OPTIONS.rateLimitRetries,
		QUEUE_OPTIONS.retryUncertain,
		QUEUE_OPTIONS.skipAlreadySent,
		QUEUE_OPTIONS.skipKey,
		QUEUE_OPTIONS.timeout,
	],
};
