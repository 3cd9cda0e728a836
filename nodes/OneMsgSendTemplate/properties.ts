import type { INodeProperties } from 'n8n-workflow';

import { SCENARIOS, SEND_OPERATIONS, type ScenarioVariable } from './scenarios';

const forOperations = (operation: string[]) => ({ show: { operation } });

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'ticketAccepted',
	options: SCENARIOS.map((s) => ({
		name: s.displayName,
		value: s.operation,
		action: s.action,
		description: s.description,
	})),
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
		default: { mode: 'name', value: defaultTemplate },
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
				placeholder: defaultTemplate,
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

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: forOperations(SEND_OPERATIONS),
	options: [
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
	],
};

export const sendTemplateProperties: INodeProperties[] = [
	operation,
	phone,
	...scenarioVariables(),
	...SCENARIOS.map((s) => templateLocator(s.defaultTemplate, [s.operation])),
	language,
	namespace,
	options,
];
