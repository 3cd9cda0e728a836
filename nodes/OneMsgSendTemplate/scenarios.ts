/**
 * The two helpdesk scenarios (Ticket Accepted, Agent Assigned) as data: which parameters fill {{1}} {{2}} {{3}}.
 * Both the editor fields and the send code are built from this.
 */

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
