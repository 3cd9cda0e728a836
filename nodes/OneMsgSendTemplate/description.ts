import type { INodeProperties } from 'n8n-workflow';

import { subtitleFor } from '../itemRun/operations';
import { language, namespace, options, phone } from './actions/common';
import { templateField, variables } from './actions/customTemplate';
import { properties as deliveryStatus } from './actions/deliveryStatus';
import { scenarioFor, scenarioProperties } from './actions/scenario';

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

export const operationSubtitle = subtitleFor(operation);

/** Every field, in the order the editor shows them; each operation's own fields live in its action. */
export const sendTemplateProperties: INodeProperties[] = [
	operation,
	phone,
	...scenarioProperties,
	templateField,
	language,
	namespace,
	variables,
	options,
	...deliveryStatus,
];
