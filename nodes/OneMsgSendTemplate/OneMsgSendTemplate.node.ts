import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { itemParameters } from '../itemRun/itemParameters';
import { errorFields, runCheckedItems } from '../itemRun/itemRun';
import { queueSettings } from '../itemRun/queueOptions';
import { actionFor } from './actions/router';
import { operationSubtitle, sendTemplateProperties } from './description';
import { listSearch, resourceMapping } from './methods';
import { templateCatalog } from './templateCatalog';

export class OneMsgSendTemplate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneMsg Send Template',
		name: 'oneMsgSendTemplate',
		icon: { light: 'file:../../icons/oneMsg.svg', dark: 'file:../../icons/oneMsg.dark.svg' },
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

	methods = { listSearch, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		const prepare = actionFor(operation);
		const param = itemParameters(this);
		const queue = queueSettings(this, operation);
		const catalog = templateCatalog(this, queue.timeoutMs);
		// Checking is cheap next to sending (see itemParameters), so every item is checked first.
		return [
			await runCheckedItems(this, async (itemIndex) => {
				if (!prepare) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`, { itemIndex });
				return await prepare(this, itemIndex, param, catalog);
			}, {
				queue,
				done: operation === 'deliveryStatus' ? 'answered' : 'sent',
				errorItem: (error) => ({ ...(operation === 'deliveryStatus' ? {} : { sent: false }), operation, ...errorFields(error) }),
			}),
		];
	}
}
