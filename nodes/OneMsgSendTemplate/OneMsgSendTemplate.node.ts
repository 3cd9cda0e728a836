import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, sleep } from 'n8n-workflow';

import { countResults, runQueue } from '../shared/sendQueue';
import { toNodeError } from '../shared/transport';
import { classifyFailure, queueSettings } from './bulk';
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
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		const param = itemParameters(this);
		const continueOnFail = this.continueOnFail();
		let settings: ReturnType<typeof queueSettings>;
		try {
			settings = queueSettings(this, operation);
		} catch (error) {
			throw toNodeError(this, error, 0);
		}
		const catalog = templateCatalog(this, settings.timeoutMs);

		// Every item is checked before anything is sent: without Continue On Fail, one bad item stops
		// the node before any message goes out. (Checking is cheap next to sending: see itemParameters.)
		const prepared = await Promise.all(
			items.map(async (_, itemIndex) => {
				try {
					return { call: await prepareOperation.call(this, operation, itemIndex, catalog, param) };
				} catch (error) {
					return { error: toNodeError(this, error, itemIndex) };
				}
			}),
		);
		const firstProblem = prepared.find((p) => p.error)?.error;
		if (firstProblem && !continueOnFail) throw firstProblem;

		// A retry sends the checked item again without checking it again. An item that failed its
		// checks fails as it is: its error is not an answer from 1MSG to try again.
		const failedChecks = new Set(prepared.map((p) => p.error).filter(Boolean));
		const { results } = await runQueue(
			items.length,
			async (itemIndex) => {
				const { call, error } = prepared[itemIndex];
				if (!call) throw error;
				return await call();
			},
			(error) => (failedChecks.has(error as never) ? { kind: 'final' } : classifyFailure(error)),
			{ ...settings, stopOnFailure: !continueOnFail, sleep, now: Date.now, random: Math.random },
		);

		const output: INodeExecutionData[] = [];
		for (const [itemIndex, result] of results.entries()) {
			if (!result) continue; // not started: an earlier item failed and Continue On Fail is off
			if (result.ok) {
				output.push({ json: result.value, pairedItem: { item: itemIndex } });
				continue;
			}
			const error = toNodeError(this, result.error, itemIndex);
			if (result.attempts > 1 && error.description && !error.description.includes(' tries)')) {
				error.description += ` (${result.attempts} tries)`;
			}
			if (!continueOnFail && items.length > 1) {
				const { succeeded, failed, notStarted } = countResults(results);
				const done = operation === 'deliveryStatus' ? 'answered' : 'sent';
				error.description = `${error.description ?? ''} Of ${items.length} items, ${succeeded} ${done}, ${failed} failed, ${notStarted} not ${done} (the node stops at the first failure).`.trim();
			}
			if (!continueOnFail) throw error;
			output.push({ json: errorItem(error, operation), pairedItem: { item: itemIndex } });
		}
		return [output];
	}
}

async function prepareOperation(
	this: IExecuteFunctions,
	operation: string,
	itemIndex: number,
	catalog: ReturnType<typeof templateCatalog>,
	param: ItemParameters,
): Promise<() => Promise<IDataObject>> {
	const scenario = scenarioFor(operation);
	if (scenario) return await prepareScenario.call(this, scenario, itemIndex, catalog, param);
	if (operation === 'customTemplate') return await prepareCustomTemplate.call(this, itemIndex, catalog, param);
	if (operation === 'deliveryStatus') return await prepareDeliveryStatus.call(this, itemIndex, param);
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
