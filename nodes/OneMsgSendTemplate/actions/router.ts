import type { PrepareItem } from './common';
import { prepareCustomTemplate } from './customTemplate';
import { prepareDeliveryStatus } from './deliveryStatus';
import { prepareAgentAssigned, prepareTicketAccepted } from './scenario';

const ACTIONS: Record<string, PrepareItem> = {
	ticketAccepted: prepareTicketAccepted,
	agentAssigned: prepareAgentAssigned,
	customTemplate: prepareCustomTemplate,
	deliveryStatus: prepareDeliveryStatus,
};

/** How the operation prepares one item, or undefined for an operation the node does not have. */
export function actionFor(operation: string): PrepareItem | undefined {
	return Object.hasOwn(ACTIONS, operation) ? ACTIONS[operation] : undefined;
}
