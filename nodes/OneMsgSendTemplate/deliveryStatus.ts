import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { normalizeStatusRecord, type DeliveryEvent } from '../shared/deliveryEvents';
import { isFinal, latestEvent } from '../shared/deliveryReport';
import { InputProblem } from '../shared/problems';
import { getConnection, oneMsgApiRequest, toNodeError } from '../shared/transport';
import type { ItemParameters } from './itemParameters';

/** GET /hookInfo once: the message's status records, normalized like the trigger's items. */
async function statusRecords(context: IExecuteFunctions, messageId: string, itemIndex: number): Promise<DeliveryEvent[] | undefined> {
	const { channelId } = await getConnection.call(context, itemIndex);
	let answer: IDataObject;
	try {
		answer = await oneMsgApiRequest.call(context, { method: 'GET', path: 'hookInfo', qs: { messageId }, itemIndex });
	} catch (error) {
		if (error instanceof NodeApiError && error.httpCode === '404') return undefined;
		throw toNodeError(context, error, itemIndex);
	}
	const hooks = Array.isArray(answer.hooks) ? answer.hooks : [];
	return hooks.flatMap((record) => normalizeStatusRecord(record, channelId) ?? []);
}

/** Get Delivery Status for one item: its fields are checked now, 1MSG is asked when the call runs. */
export async function prepareDeliveryStatus(
	this: IExecuteFunctions,
	itemIndex: number,
	param: ItemParameters,
): Promise<() => Promise<IDataObject>> {
	const messageId = String(param('messageId', itemIndex, '') ?? '').trim();
	if (!messageId) throw new InputProblem('Message ID', 'Message ID is empty', 'Map the messageId a send returned');
	const waitForFinal = param('waitForFinal', itemIndex, false) as boolean;
	const options = param('statusOptions', itemIndex, {}) as { deliveredIsFinal?: boolean };
	const deliveredIsFinal = options.deliveredIsFinal ?? false;
	const timeoutMs = waitForFinal ? Number(param('waitTimeout', itemIndex, 60)) * 1000 : 0;
	const intervalMs = Math.max(100, Number(param('pollInterval', itemIndex, 5)) * 1000);
	return async () => await pollStatus(this, itemIndex, messageId, { waitForFinal, deliveredIsFinal, timeoutMs, intervalMs });
}

async function pollStatus(
	context: IExecuteFunctions,
	itemIndex: number,
	messageId: string,
	{ waitForFinal, deliveredIsFinal, timeoutMs, intervalMs }: { waitForFinal: boolean; deliveredIsFinal: boolean; timeoutMs: number; intervalMs: number },
): Promise<IDataObject> {
	const started = Date.now();
	for (let polls = 1; ; polls++) {
		const events = await statusRecords(context, messageId, itemIndex);
		const latest = events && latestEvent(events);
		const final = isFinal(latest?.status, deliveredIsFinal);
		const elapsed = Date.now() - started;
		if (final || elapsed + intervalMs > timeoutMs) {
			if (!latest) {
				throw new InputProblem(
					'Message ID',
					`1MSG has no delivery records for message "${messageId}"${waitForFinal ? ` after ${Math.round(elapsed / 1000)} s` : ''}`,
					'Use the messageId that a send of this channel returned',
				);
			}
			return {
				messageId,
				status: latest.status,
				final,
				hooks: events as unknown as IDataObject[],
				...(waitForFinal ? { timedOut: !final, waitedSeconds: Math.round(elapsed / 100) / 10, polls } : {}),
			};
		}
		await sleep(intervalMs);
	}
}
