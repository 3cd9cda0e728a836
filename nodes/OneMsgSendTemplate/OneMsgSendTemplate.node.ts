import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../shared/transport';
import { getDeliveryStatus } from './deliveryStatus';
import { sendTemplateProperties } from './properties';
import { scenarioFor } from './scenarios';
import { sendCustomTemplate, sendScenario } from './send';
import { getTemplateVariables, searchTemplates, templateCatalog } from './templateCatalog';

export class OneMsgSendTemplate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneMsg Send Template',
		name: 'oneMsgSendTemplate',
		icon: { light: 'file:oneMsg.svg', dark: 'file:oneMsg.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Send WhatsApp template messages through 1MSG',
		defaults: { name: 'OneMsg Send Template' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'oneMsgApi', required: true }],
		properties: sendTemplateProperties,
	};

	methods = {
		listSearch: { searchTemplates },
		resourceMapping: { getTemplateVariables },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const catalog = templateCatalog(this);
		const results: INodeExecutionData[] = [];

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			try {
				const json = await runOperation.call(this, operation, itemIndex, catalog);
				results.push({ json, pairedItem: { item: itemIndex } });
			} catch (caught) {
				const error = toNodeError(this, caught, itemIndex);
				if (!this.continueOnFail()) throw error;
				results.push({ json: errorItem(error, operation), pairedItem: { item: itemIndex } });
			}
		}
		return [results];
	}
}

async function runOperation(
	this: IExecuteFunctions,
	operation: string,
	itemIndex: number,
	catalog: ReturnType<typeof templateCatalog>,
): Promise<IDataObject> {
	const scenario = scenarioFor(operation);
	if (scenario) return await sendScenario.call(this, scenario, itemIndex, catalog);
	if (operation === 'customTemplate') return await sendCustomTemplate.call(this, itemIndex, catalog);
	if (operation === 'deliveryStatus') return await getDeliveryStatus.call(this, itemIndex);
	throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`, { itemIndex });
}

function errorItem(error: ReturnType<typeof toNodeError>, operation: string): IDataObject {
	return {
		...(operation === 'deliveryStatus' ? {} : { sent: false }),
		operation,
		error: error.message,
		description: error.description ?? null,
		httpCode: 'httpCode' in error ? (error.httpCode ?? null) : null,
	};
}
