import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { errorFields, runCheckedItems, type PreparedCall } from '../shared/itemRun';
import { queueSettings } from './bulk';
import { itemParameters, type ItemParameters } from './itemParameters';
import { prepareDeliveryStatus } from './deliveryStatus';
import { operationSubtitle, sendTemplateProperties } from './properties';
import { scenarioFor } from './scenarios';
import { prepareCustomTemplate, prepareScenario } from './send';
import { getTemplateVariables, searchTemplates, templateCatalog } from './templateCatalog';

export class OneMsgSendTemplate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneMsg Send Template',
		name: 'oneMsgSendTemplate',
		icon: { light: 'file:oneMsg.svg', dark: 'file:oneMsg.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: operationSubtitle,
		description: 'Send WhatsApp template messages through 1MSG',
		defaults: { name: 'OneMsg Send Template' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'oneMsgChannelApi', required: true }],
		properties: sendTemplateProperties,
	};

	methods = {
		listSearch: { searchTemplates },
		resourceMapping: { getTemplateVariables },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		const param = itemParameters(this);
		const queue = queueSettings(this, operation);
		const catalog = templateCatalog(this, queue.timeoutMs);
		// Checking is cheap next to sending (see itemParameters), so every item is checked first.
		return [
			await runCheckedItems(this, async (itemIndex) => await prepareOperation.call(this, operation, itemIndex, catalog, param), {
				queue,
				done: operation === 'deliveryStatus' ? 'answered' : 'sent',
				errorItem: (error) => ({ ...(operation === 'deliveryStatus' ? {} : { sent: false }), operation, ...errorFields(error) }),
			}),
		];
	}
}

async function prepareOperation(
	this: IExecuteFunctions,
	operation: string,
	itemIndex: number,
	catalog: ReturnType<typeof templateCatalog>,
	param: ItemParameters,
): Promise<PreparedCall> {
	const scenario = scenarioFor(operation);
	if (scenario) return await prepareScenario.call(this, scenario, itemIndex, catalog, param);
	if (operation === 'customTemplate') return await prepareCustomTemplate.call(this, itemIndex, catalog, param);
	if (operation === 'deliveryStatus') return await prepareDeliveryStatus.call(this, itemIndex, param);
	throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`, { itemIndex });
}
