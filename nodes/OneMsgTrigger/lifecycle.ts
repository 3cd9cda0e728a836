import { randomBytes } from 'crypto';
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getConnection, oneMsgApiRequest } from '../shared/transport';
import {
	MAX_WEBHOOK_URLS,
	parseWebhookUrls,
	registeredEntry,
	webhookUrlValue,
	withSecret,
} from './webhookUrls';

export interface TriggerStaticData extends IDataObject {
	secret?: string;
	/** The credential's channel at activation: reports for other channels are ignored. */
	channelId?: string;
}

const staticData = (context: IHookFunctions) => context.getWorkflowStaticData('node') as TriggerStaticData;

async function channelWebhookUrls(this: IHookFunctions): Promise<string[]> {
	const answer = await oneMsgApiRequest.call(this, { method: 'GET', path: 'webhook' });
	return parseWebhookUrls(answer.webhookUrl);
}

export async function isRegistered(this: IHookFunctions): Promise<boolean> {
	const { secret } = staticData(this);
	if (!secret) return false;
	const entry = registeredEntry(await channelWebhookUrls.call(this), this.getNodeWebhookUrl('default') as string);
	return entry?.secret === secret;
}

/** Adds this trigger's URL beside the ones already on the channel and turns delivery reports on. */
export async function register(this: IHookFunctions): Promise<boolean> {
	const webhookUrl = this.getNodeWebhookUrl('default') as string;
	const urls = await channelWebhookUrls.call(this);
	// A URL of ours already on the list (from an earlier activation, or pasted by hand) keeps its secret.
	const existing = registeredEntry(urls, webhookUrl);
	const secret = existing?.secret ?? staticData(this).secret ?? randomBytes(24).toString('base64url');
	const url = existing?.url ?? withSecret(webhookUrl, secret);

	if (!existing) {
		if (urls.length >= MAX_WEBHOOK_URLS) {
			throw new NodeOperationError(
				this.getNode(),
				`The 1MSG channel already has ${urls.length} webhook URLs, the most it allows`,
				{
					description: `Remove one in the 1MSG dashboard and publish again, or replace one there by hand with this trigger's URL: ${url}`,
				},
			);
		}
		await oneMsgApiRequest.call(this, { method: 'POST', path: 'webhook', body: { webhookUrl: webhookUrlValue([...urls, url]) } });
	}
	await oneMsgApiRequest.call(this, { method: 'POST', path: 'settings', body: { ackNotificationsOn: true } });
	Object.assign(staticData(this), { secret, channelId: (await getConnection.call(this)).channelId });
	return true;
}

/** Removes this trigger's URL and only it; an emptied list is cleared the way 1MSG requires. */
export async function unregister(this: IHookFunctions): Promise<boolean> {
	const webhookUrl = this.getNodeWebhookUrl('default') as string;
	const urls = await channelWebhookUrls.call(this);
	const ours = urls.filter((u) => registeredEntry([u], webhookUrl));
	if (ours.length) {
		const remaining = urls.filter((u) => !ours.includes(u));
		await oneMsgApiRequest.call(
			this,
			remaining.length
				? { method: 'POST', path: 'webhook', body: { webhookUrl: webhookUrlValue(remaining) } }
				: { method: 'POST', path: 'settings', body: { webhookUrl: '' } },
		);
	}
	delete staticData(this).secret;
	delete staticData(this).channelId;
	return true;
}
