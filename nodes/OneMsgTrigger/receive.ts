import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { DELIVERY_STATUSES, parseDeliveryReport, type DeliveryEvent } from '../api/deliveryEvents';
import { RecentKeys } from './repeatFilter';
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
 * One POST from 1MSG. Never throws: a thrown error would be a 500 that still starts an execution.
 * Only a request with the secret and at least one wanted event starts the workflow.
 */
export async function receive(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const { secret } = this.getWorkflowStaticData('node') as TriggerStaticData;
	if (!secret) {
		// Activation has registered the URL but n8n has not stored the secret yet (a moment's window).
		return answer(this, 503, { error: 'This trigger is being activated; try again shortly' }, { 'Retry-After': '5' });
	}
	if (!sameSecret((this.getQueryData() as IDataObject)[SECRET_PARAM], secret)) {
		return answer(this, 401, { error: 'Unauthorized' });
	}

	// The secret authenticates the sender; the channel a report names is never a reason to drop it
	// (channel ids come in several spellings): each item carries the channel its report names.
	const body = this.getBodyData();
	const report = parseDeliveryReport(body);

	const eventTypes = this.getNodeParameter('events', ['status']) as string[];
	const wanted = new Set(this.getNodeParameter('statuses', [...DELIVERY_STATUSES]) as string[]);
	const ignoreRepeats = this.getNodeParameter('options.ignoreRepeats', true) as boolean;
	// the test URL ("Listen for test event") and the production URL remember repeats apart
	const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}:${this.getMode() === 'manual' ? 'test' : 'production'}`;
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
