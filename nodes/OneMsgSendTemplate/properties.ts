import type { INodeProperties } from 'n8n-workflow';

import { SCENARIOS, scenarioFor, type ScenarioVariable } from './scenarios';

const SEND_OPERATIONS = [...SCENARIOS.map((s) => s.operation), 'customTemplate'];

const forOperations = (operation: string[]) => ({ show: { operation } });

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'ticketAccepted',
	// Written out (not mapped from SCENARIOS): n8n's linter reads these options literally.
	options: [
		{
			name: 'Ticket Accepted',
			value: 'ticketAccepted',
			action: 'Send a ticket accepted notification',
			description: scenarioFor('ticketAccepted')?.description,
		},
		{
			name: 'Agent Assigned',
			value: 'agentAssigned',
			action: 'Send an agent assigned notification',
			description: scenarioFor('agentAssigned')?.description,
		},
		{
			name: 'Custom Template',
			value: 'customTemplate',
			action: 'Send any approved template',
			description: 'Any approved template of the channel, with fields for exactly the variables it has',
		},
		{
			name: 'Get Delivery Status',
			value: 'deliveryStatus',
			action: 'Get the delivery status of a message',
			description: 'What 1MSG knows about a sent message; optionally wait until it is delivered, read or failed',
		},
	],
};

const phone: INodeProperties = {
	displayName: 'Phone',
	name: 'phone',
	type: 'string',
	required: true,
	default: '',
	placeholder: '+1 415 555 2671',
	description: 'Customer phone in international format, written any way: +1 (415) 555-2671, 0014155552671',
	displayOptions: forOperations(SEND_OPERATIONS),
};

/** One field per variable; a variable shared by both scenarios is one field shown for both. */
function scenarioVariables(): INodeProperties[] {
	const byName = new Map<string, { variable: ScenarioVariable; operations: string[] }>();
	for (const scenario of SCENARIOS) {
		for (const variable of scenario.variables) {
			const entry = byName.get(variable.name) ?? { variable, operations: [] };
			entry.operations.push(scenario.operation);
			byName.set(variable.name, entry);
		}
	}
	return [...byName.values()].map(({ variable, operations }) => ({
		displayName: variable.displayName,
		name: variable.name,
		type: 'string',
		required: true,
		default: '',
		placeholder: variable.placeholder,
		description: variable.description,
		displayOptions: forOperations(operations),
	}));
}

/** Same parameter id for every send operation; only the suggested template differs. */
function templateLocator(defaultTemplate: string, operations: string[]): INodeProperties {
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

const language: INodeProperties = {
	displayName: 'Language',
	name: 'language',
	type: 'string',
	required: true,
	default: 'en',
	placeholder: 'en',
	description: 'Language code of the template version to send, as approved in 1MSG (en, en_US, es, …)',
	displayOptions: forOperations(SEND_OPERATIONS),
};

const namespace: INodeProperties = {
	displayName: 'Namespace',
	name: 'namespace',
	type: 'string',
	default: '',
	placeholder: 'ca300906_cfbc_410b_99fb_dcee8e13d578',
	description: "Template namespace. Leave empty to take it from the channel's template list.",
	displayOptions: forOperations(SEND_OPERATIONS),
};

const variables: INodeProperties = {
	displayName: 'Variables',
	name: 'variables',
	type: 'resourceMapper',
	noDataExpression: true,
	default: { mappingMode: 'defineBelow', value: null },
	required: true,
	description: 'One field per variable of the chosen template: header, body {{1}}…{{n}}, URL button',
	typeOptions: {
		loadOptionsDependsOn: ['template.value', 'language'],
		resourceMapper: {
			resourceMapperMethod: 'getTemplateVariables',
			mode: 'add',
			fieldWords: { singular: 'variable', plural: 'variables' },
			valuesLabel: 'Template Variables',
			addAllFields: true,
			multiKeyMatch: false,
			supportAutoMap: false,
			noFieldsError: 'Choose a template to see its variables',
		},
	},
	displayOptions: forOperations(['customTemplate']),
};

const deliveryStatus: INodeProperties[] = [
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'wamid.HBgLMTQxNTU1NTI2NzEVAgARGBI5QTM3',
		description: 'The messageId a send returned',
		displayOptions: forOperations(['deliveryStatus']),
	},
	{
		displayName: 'Wait for Final Status',
		name: 'waitForFinal',
		type: 'boolean',
		default: false,
		description:
			'Whether to poll 1MSG until the message is read, failed or undelivered, or the timeout passes (then the last known status is output with final false)',
		displayOptions: forOperations(['deliveryStatus']),
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'waitTimeout',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 0, numberPrecision: 1 },
		description: 'How long to wait at most',
		displayOptions: { show: { operation: ['deliveryStatus'], waitForFinal: [true] } },
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		description: 'Time between two requests to 1MSG',
		displayOptions: { show: { operation: ['deliveryStatus'], waitForFinal: [true] } },
	},
	{
		displayName: 'Options',
		name: 'statusOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: forOperations(['deliveryStatus']),
		options: [
			{
				displayName: 'Delivered Is Final',
				name: 'deliveredIsFinal',
				type: 'boolean',
				default: false,
				description:
					'Whether to treat delivered as final. Turn on when your customers may have read receipts off: 1MSG then never reports read.',
			},
		],
	},
];

/** The send queue's options, shared by both sending nodes. */
export const QUEUE_OPTIONS = {
	concurrency: {
		displayName: 'Concurrent Requests',
		name: 'concurrency',
		type: 'number',
		default: 20,
		typeOptions: { minValue: 1, maxValue: 100 },
		description:
			'How many messages are sent at once. When 1MSG answers 429, the node pauses and sends fewer at once for a while.',
	},
	rateLimitRetries: {
		displayName: 'Rate Limit Retries',
		name: 'rateLimitRetries',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0, maxValue: 20 },
		description:
			'How often an item is tried again after a 429 or a refused connection (1MSG did not get it), waiting Retry-After or an increasing delay',
	},
	retryUncertain: {
		displayName: 'Retry When Delivery Is Uncertain',
		name: 'retryUncertain',
		type: 'boolean',
		default: false,
		description:
			'Whether to also retry after a timeout, a connection reset or a 5xx. Risky: 1MSG may have sent the first attempt, and the customer then gets the message twice.',
	},
	skipAlreadySent: {
		displayName: 'Skip Items Already Sent',
		name: 'skipAlreadySent',
		type: 'boolean',
		default: false,
		description:
			'Whether to remember each send in n8n’s database and skip items an earlier run of this node sent (a re-run after a crash). An item whose earlier send was never confirmed fails instead of going out twice.',
	},
	skipKey: {
		displayName: 'Skip Key',
		name: 'skipKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.ticket.number }}-{{ $json.customer.phone }}',
		description:
			'What makes two items the same send for Skip Items Already Sent. Leave empty for the operation, phone, template, language and every variable.',
	},
	timeout: {
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 1 },
		description:
			'How long each call to 1MSG (a send, the template list) may take, from connecting to the last byte of the answer. A send that times out may have gone out.',
	},
} satisfies Record<string, INodeProperties>;

const options: INodeProperties = {
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

/** `{{ … }}` that shows the chosen operation's name under the node on the canvas. */
export function subtitleFor(operation: INodeProperties): string {
	return `={{ (${JSON.stringify(
		Object.fromEntries((operation.options ?? []).map((o) => ['value' in o ? o.value : '', o.name])),
	)})[$parameter["operation"]] }}`;
}

export const operationSubtitle = subtitleFor(operation);

export const sendTemplateProperties: INodeProperties[] = [
	operation,
	phone,
	...scenarioVariables(),
	...SCENARIOS.map((s) => templateLocator(s.defaultTemplate, [s.operation])),
	templateLocator('', ['customTemplate']),
	language,
	namespace,
	variables,
	options,
	...deliveryStatus,
];
