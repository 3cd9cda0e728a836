import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { resolveConnection } from '../shared/connection';
import { DELIVERY_STATUSES, parseDeliveryReport, type DeliveryEvent } from '../shared/deliveryEvents';
import { RecentKeys } from '../shared/repeatFilter';
import { CREDENTIAL_TYPE } from '../shared/transport';
import type { TriggerStaticData } from './lifecycle';
import { messageItems } from './messages';
import { SECRET_PARAM } from './webhookUrls';

/** Per n8n process: see README → "Repeated events". */
const recentEvents = new RecentKeys();

function sameSecret(given: unknown, expected: string): boolean {
	if (typeof given !== 'string') return false;
	const digest = (value: string) => createHash('sha256').update(value).digest();
	return timingSafeEqual(digest(given), digest(expected));
}

function answer(context: IWebhookFunctions, status: number, body: IDataObject, headers: Record<string, string> = {}): IWebhookResponseData {
	const response = context.getResponseObject();
	response.status(status);
	for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
	response.json(body);
	return { noWebhookResponse: true };
}

/**
 * The channel of the node's credential, as stored at activation. Reading the credential instead costs
 * 40–80 ms per request in n8n 2.40; it is the fallback for a trigger activated before this was stored.
 * Undefined when it cannot be told: then nothing is filtered.
 */
async function ownChannel(context: IWebhookFunctions, stored: string | undefined): Promise<string | undefined> {
	if (stored) return stored;
	const credentials = await context.getCredentials(CREDENTIAL_TYPE).catch(() => undefined);
	try {
		return credentials ? resolveConnection(credentials).channelId : undefined;
	} catch {
		return undefined;
	}
}

/**
 * One POST from 1MSG. Never throws: a thrown error would be a 500 that still starts an execution.
 * Only a request with the secret and at least one wanted event starts the workflow.
 */
export async function receive(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const { secret, channelId } = this.getWorkflowStaticData('node') as TriggerStaticData;
	if (!secret) {
		// Activation has registered the URL but n8n has not stored the secret yet (a moment's window).
		return answer(this, 503, { error: 'This trigger is being activated; try again shortly' }, { 'Retry-After': '5' });
	}
	if (!sameSecret((this.getQueryData() as IDataObject)[SECRET_PARAM], secret)) {
		return answer(this, 401, { error: 'Unauthorized' });
	}

	const body = this.getBodyData();
	const report = parseDeliveryReport(body);
	const channel = report.channelId ? await ownChannel(this, channelId) : undefined;
	if (report.channelId && channel && report.channelId !== channel) {
		return answer(this, 200, { received: true, events: 0, ignored: 'the report is for another channel' });
	}

	const eventTypes = this.getNodeParameter('events', ['status']) as string[];
	const wanted = new Set(this.getNodeParameter('statuses', [...DELIVERY_STATUSES]) as string[]);
	const ignoreRepeats = this.getNodeParameter('options.ignoreRepeats', true) as boolean;
	const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
	const now = Date.now();
	const events = report.events.filter(
		(event: DeliveryEvent) =>
			eventTypes.includes('status') &&
			wanted.has(event.status) &&
			!(ignoreRepeats && recentEvents.seenBefore(`${scope}:${event.messageId}:${event.status}`, now)),
	);
	// messages share the repeat memory with statuses: their keys end in `message` or `echo`, never a status
	const messages = await messageItems(this, body, eventTypes, (message) =>
		ignoreRepeats && message.messageId !== null && recentEvents.seenBefore(`${scope}:${message.messageId}:${message.event}`, now),
	);
	if (!events.length && !messages.length) {
		return answer(this, 200, { received: true, events: 0 });
	}
	const items: INodeExecutionData[] = events.map((event) => ({ json: event as unknown as IDataObject }));
	return { workflowData: [[...items, ...messages]] };
}
