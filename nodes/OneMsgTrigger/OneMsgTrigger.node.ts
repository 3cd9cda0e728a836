import type { IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DELIVERY_STATUSES } from '../api/deliveryEvents';
import { isRegistered, register, unregister } from './lifecycle';
import { receive } from './receive';

// The Statuses options are mapped from DELIVERY_STATUSES, not written out: so the editor lists them in
// delivery order (written out, n8n's linter would want them sorted by name).
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
		icon: { light: 'file:../../icons/oneMsg.svg', dark: 'file:../../icons/oneMsg.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || ["status"]).join(", ") }}',
		description:
			'Starts the workflow when a customer writes on WhatsApp, or when 1MSG reports a delivery status: sent, delivered, read, failed or undelivered',
		defaults: { name: 'OneMsg Trigger' },
		eventTriggerDescription: 'Waiting for a message or a delivery report from 1MSG',
		activationMessage: 'Your 1MSG channel now starts this workflow.',
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
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				default: ['status'],
				description: 'What starts the workflow; everything else 1MSG sends is acknowledged and dropped',
				options: [
					{
						name: 'Delivery Status',
						value: 'status',
						description: 'Sent, delivered, read, failed or undelivered reports of the messages you send',
					},
					{ name: 'Customer Message', value: 'message', description: 'Every message a customer sends to the channel' },
					{
						name: 'Echo of a Sent Message',
						value: 'echo',
						description: 'Messages the business sent (from n8n, the 1MSG dashboard or the phone app), as 1MSG reports them',
					},
				],
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				default: [...DELIVERY_STATUSES],
				description: 'Delivery statuses that start the workflow; the others are acknowledged and dropped',
				options: DELIVERY_STATUSES.map((status) => ({ name: STATUS_LABELS[status], value: status })),
				displayOptions: { show: { events: ['status'] } },
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
							'Whether to drop an event whose message ID and status (or a message whose ID) was already seen in the last hour by this n8n process',
					},
					{
						displayName: 'Download Media',
						name: 'downloadMedia',
						type: 'boolean',
						default: false,
						description:
							'Whether to download the file of an image, video, audio, voice, document or sticker message when it arrives (its link expires within minutes) and attach it as binary property "data"',
					},
					{
						displayName: 'Max Media Size (MB)',
						name: 'maxMediaSize',
						type: 'number',
						default: 25,
						typeOptions: { minValue: 0 },
						description: 'Larger files are not attached; the item still comes out, with mediaError saying why',
						displayOptions: { show: { downloadMedia: [true] } },
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
