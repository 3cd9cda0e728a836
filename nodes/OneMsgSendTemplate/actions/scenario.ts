/**
 * Ticket Accepted and Agent Assigned: the two helpdesk scenarios, one template each with three body
 * variables. The scenarios as data (which parameters fill {{1}} {{2}} {{3}}), and from it both the
 * editor fields and the preparation of an item.
 */
import type { INodeProperties } from 'n8n-workflow';

import { templateVariableText } from '../../api/text';
import { InputProblem } from '../../itemRun/inputProblem';
import { forOperations } from '../../itemRun/operations';
import { templateSlots, type Template } from '../templates';
import { chooseTemplate } from '../templateCatalog';
import { readSendRequest, send, sentOnceBy, templateLocator, type PrepareItem } from './common';

export interface ScenarioVariable {
	/** Parameter id (public contract). */
	name: string;
	displayName: string;
	description: string;
	placeholder: string;
}

export interface Scenario {
	operation: 'ticketAccepted' | 'agentAssigned';
	displayName: string;
	description: string;
	defaultTemplate: string;
	/** In body-variable order: index 0 fills {{1}}. */
	variables: [ScenarioVariable, ScenarioVariable, ScenarioVariable];
}

const customerName: ScenarioVariable = {
	name: 'customerName',
	displayName: 'Customer Name',
	description: 'Body variable {{1}}: the customer’s name',
	placeholder: 'Maria',
};

const ticketNumber: ScenarioVariable = {
	name: 'ticketNumber',
	displayName: 'Ticket Number',
	description: 'Body variable {{2}}: the ticket or case number (numbers are fine)',
	placeholder: '12345',
};

export const SCENARIOS: Scenario[] = [
	{
		operation: 'ticketAccepted',
		displayName: 'Ticket Accepted',
		description:
			'Hello, {{1}}! Your request #{{2}} has been accepted for processing. {{3}} We will keep you updated on progress.',
		defaultTemplate: 'ticket_accepted',
		variables: [
			customerName,
			ticketNumber,
			{
				name: 'nextStep',
				displayName: 'Next Step',
				description: 'Body variable {{3}}: the next step or expected response time',
				placeholder: 'Expect a specialist reply within 2 hours',
			},
		],
	},
	{
		operation: 'agentAssigned',
		displayName: 'Agent Assigned',
		description:
			'Hello, {{1}}! A specialist has been assigned to your request #{{2}}: {{3}}. We will contact you shortly.',
		defaultTemplate: 'agent_assigned',
		variables: [
			customerName,
			ticketNumber,
			{
				name: 'specialistName',
				displayName: 'Specialist Name',
				description: 'Body variable {{3}}: the name of the assigned specialist',
				placeholder: 'Alexey Petrov',
			},
		],
	},
];

export function scenarioFor(operation: string): Scenario | undefined {
	return SCENARIOS.find((s) => s.operation === operation);
}

/** One field per variable; a variable shared by both scenarios is one field shown for both. */
function variableFields(): INodeProperties[] {
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

/** A template a scenario can fill: three body variables and nothing else to fill. */
function checkScenarioTemplate(template: Template, scenario: Scenario): void {
	const slots = templateSlots(template);
	if (slots.body !== scenario.variables.length) {
		throw new InputProblem(`Template "${template.name}" has ${slots.body} body variable${slots.body === 1 ? '' : 's'}; ${scenario.displayName} fills exactly ${scenario.variables.length}`,
			'Choose a template with {{1}} {{2}} {{3}} in its body, or use the Custom Template operation',
		);
	}
	const extra = [
		slots.headerText && 'a header variable',
		slots.headerMedia && `a ${slots.headerMedia} header`,
		slots.urlButtons.length && 'a URL button variable',
	].filter(Boolean);
	if (extra.length) {
		throw new InputProblem(`Template "${template.name}" also needs ${extra.join(' and ')}, which ${scenario.displayName} does not fill`,
			'Use the Custom Template operation for this template',
		);
	}
}

/** Ticket Accepted / Agent Assigned for one item. Everything is checked before the request goes out. */
const prepareScenario = (scenario: Scenario): PrepareItem => async (context, itemIndex, param, catalog) => {
	const request = readSendRequest(param, itemIndex);
	const body = scenario.variables.map((variable) =>
		templateVariableText(param(variable.name, itemIndex, ''), variable.displayName, request.policy),
	);
	const chosen = await chooseTemplate(catalog, request.template, request.language, request.namespace);
	if (chosen.template) checkScenarioTemplate(chosen.template, scenario);
	const values = { body };
	return sentOnceBy(async () => await send(context, itemIndex, scenario.operation, request, chosen, values), scenario.operation, request, chosen, values);
};

/** The scenarios' fields: their variables (one field for a variable both share), then their template. */
export const scenarioProperties: INodeProperties[] = [
	...variableFields(),
	...SCENARIOS.map((s) => templateLocator(s.defaultTemplate, [s.operation])),
];

export const prepareTicketAccepted = prepareScenario(SCENARIOS[0]);
export const prepareAgentAssigned = prepareScenario(SCENARIOS[1]);
