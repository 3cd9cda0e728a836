import { randomBytes } from 'crypto';
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { oneMsgRequest } from '../transport/request';
import {
	MAX_WEBHOOK_URLS,
	parseWebhookUrls,
	registeredEntry,
	webhookUrlValue,
	withSecret,
} from './webhookUrls';

export interface TriggerStaticData extends IDataObject {
	secret?: string;
}

/**
 * 1MSG replaces the whole list on each write, so two triggers publishing at the same moment can
 * overwrite each other. Each writer reads the list back after a short pause and adds itself again
 * when it is missing, at most this many writes.
 */
export const MAX_PUBLISH_WRITES = 3;
const SETTLE_MS = 250;

const staticData = (context: IHookFunctions) => context.getWorkflowStaticData('node') as TriggerStaticData;

async function channelWebhookUrls(this: IHookFunctions): Promise<string[]> {
	const answer = await oneMsgRequest.call(this, { method: 'GET', path: 'webhook' });
	return parseWebhookUrls(answer.webhookUrl);
}

/** Delivery reports on (`ackNotificationsOn`): without it 1MSG sends no statuses. Safe to repeat. */
async function turnReportsOn(this: IHookFunctions): Promise<void> {
	await oneMsgRequest.call(this, { method: 'POST', path: 'settings', body: { ackNotificationsOn: true } });
}

/**
 * n8n asks this before `create` on every activation and skips `create` when it answers true. Someone
 * may have turned delivery reports off meanwhile, so a registered trigger turns them on here.
 */
export async function isRegistered(this: IHookFunctions): Promise<boolean> {
	const { secret } = staticData(this);
	if (!secret) return false;
	const entry = registeredEntry(await channelWebhookUrls.call(this), this.getNodeWebhookUrl('default') as string);
	if (entry?.secret !== secret) return false;
	await turnReportsOn.call(this);
	return true;
}

/** Adds this trigger's URL beside the ones already on the channel and turns delivery reports on. */
export async function register(this: IHookFunctions): Promise<boolean> {
	const webhookUrl = this.getNodeWebhookUrl('default') as string;
	let secret = staticData(this).secret ?? randomBytes(24).toString('base64url');
	for (let writes = 0; ; writes++) {
		if (writes > 0) await sleep(SETTLE_MS * (1 + Math.random()));
		const urls = await channelWebhookUrls.call(this);
		// A URL of ours already on the list (from an earlier activation, or pasted by hand) keeps its secret.
		const existing = registeredEntry(urls, webhookUrl);
		if (existing) {
			secret = existing.secret;
			break;
		}
		const url = withSecret(webhookUrl, secret);
		if (urls.length >= MAX_WEBHOOK_URLS) {
			throw new NodeOperationError(
				this.getNode(),
				`The 1MSG channel already has ${urls.length} webhook URLs, the most it allows`,
				{
					description: `Remove one in the 1MSG dashboard and publish again, or replace one there by hand with this trigger's URL: ${url}`,
				},
			);
		}
		if (writes === MAX_PUBLISH_WRITES) {
			throw new NodeOperationError(this.getNode(), 'The 1MSG channel’s webhook list kept changing while this trigger was added to it', {
				description: `Something else rewrites the list at the same moment (another trigger being published?). Publish again in a moment, or add this trigger's URL by hand in the 1MSG dashboard: ${url}`,
			});
		}
		// kept before the write: 1MSG may report to the URL as soon as it is on the list
		staticData(this).secret = secret;
		await oneMsgRequest.call(this, { method: 'POST', path: 'webhook', body: { webhookUrl: webhookUrlValue([...urls, url]) } });
	}
	staticData(this).secret = secret;
	await turnReportsOn.call(this);
	return true;
}

/** Removes this trigger's URL and only it; an emptied list is cleared the way 1MSG requires. */
export async function unregister(this: IHookFunctions): Promise<boolean> {
	const webhookUrl = this.getNodeWebhookUrl('default') as string;
	const urls = await channelWebhookUrls.call(this);
	const ours = urls.filter((u) => registeredEntry([u], webhookUrl));
	if (ours.length) {
		const remaining = urls.filter((u) => !ours.includes(u));
		await oneMsgRequest.call(
			this,
			remaining.length
				? { method: 'POST', path: 'webhook', body: { webhookUrl: webhookUrlValue(remaining) } }
				: { method: 'POST', path: 'settings', body: { webhookUrl: '' } },
		);
	}
	delete staticData(this).secret;
	return true;
}
