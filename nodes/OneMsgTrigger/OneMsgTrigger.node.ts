import type { IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DELIVERY_STATUSES } from '../shared/deliveryEvents';
import { isRegistered, register, unregister } from './lifecycle';
import { receive } from './receive';

const STATUS_LABELS: Record<(typeof DELIVERY_STATUSES)[number], string> = {
	sent: 'Sent',
	delivered: 'Delivered',
	read: 'Read',
	failed: 'Failed',
	undelivered: 'Undelivered',
};

export class OneMsgTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneMsg Trigger',
		name: 'oneMsgTrigger',
		icon: { light: 'file:oneMsg.svg', dark: 'file:oneMsg.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["statuses"] || []).join(", ") }}',
		description: 'Starts the workflow when 1MSG reports a delivery status: sent, delivered, read, failed or undelivered',
		defaults: { name: 'OneMsg Trigger' },
		eventTriggerDescription: 'Waiting for a delivery report from 1MSG',
		activationMessage: 'Delivery reports of your 1MSG channel now start this workflow.',
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'oneMsgChannelApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'onemsg' }],
		properties: [
			{
				displayName:
					'Publishing adds this trigger’s URL, with a secret, to the channel’s webhook list in 1MSG (at most 5 URLs) and turns delivery reports on; unpublishing removes it',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				default: [...DELIVERY_STATUSES],
				description: 'Delivery statuses that start the workflow; the others are acknowledged and dropped',
				options: DELIVERY_STATUSES.map((status) => ({ name: STATUS_LABELS[status], value: status })),
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Ignore Repeated Events',
						name: 'ignoreRepeats',
						type: 'boolean',
						default: true,
						description:
							'Whether to drop an event whose message ID and status were already seen in the last hour by this n8n process',
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await isRegistered.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await register.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await unregister.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receive.call(this);
	}
}
