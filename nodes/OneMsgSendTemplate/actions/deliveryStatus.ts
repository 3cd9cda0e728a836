import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { normalizeStatusRecord, type DeliveryEvent } from '../../api/deliveryEvents';
import { isFinal, latestEvent } from '../deliveryReport';
import { numberInput } from '../../itemRun/numberInput';
import { InputProblem } from '../../itemRun/inputProblem';
import { getConnection, oneMsgRequest, toNodeError } from '../../transport/request';
import { DEFAULTS } from '../../itemRun/queueOptions';
import { forOperations } from '../../itemRun/operations';
import type { PrepareItem } from './common';

export const properties: INodeProperties[] = [
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'wamid.HBgLMTQxNTU1NTI2NzEVAgARGBI5QTM3',
		description: 'The messageId a send returned',
		displayOptions: forOperations(['deliveryStatus']),
	},
	{
		displayName: 'Wait for Final Status',
		name: 'waitForFinal',
		type: 'boolean',
		default: false,
		description:
			'Whether to poll 1MSG until the message is read, failed or undelivered, or the timeout passes (then the last known status is output with final false)',
		displayOptions: forOperations(['deliveryStatus']),
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'waitTimeout',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 0, numberPrecision: 1 },
		description: 'How long to wait at most',
		displayOptions: { show: { operation: ['deliveryStatus'], waitForFinal: [true] } },
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		description: 'Time between two requests to 1MSG',
		displayOptions: { show: { operation: ['deliveryStatus'], waitForFinal: [true] } },
	},
	{
		displayName: 'Options',
		name: 'statusOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: forOperations(['deliveryStatus']),
		options: [
			{
				displayName: 'Delivered Is Final',
				name: 'deliveredIsFinal',
				type: 'boolean',
				default: false,
				description:
					'Whether to treat delivered as final. Turn on when your customers may have read receipts off: 1MSG then never reports read.',
			},
		],
	},
];

/** GET /hookInfo once: the message's status records, normalized like the trigger's items. */
async function statusRecords(context: IExecuteFunctions, messageId: string, itemIndex: number): Promise<DeliveryEvent[] | undefined> {
	const { channelId } = await getConnection.call(context, itemIndex);
	let answer: IDataObject;
	try {
		answer = await oneMsgRequest.call(context, { method: 'GET', path: 'hookInfo', qs: { messageId }, itemIndex });
	} catch (error) {
		if (error instanceof NodeApiError && error.httpCode === '404') return undefined;
		throw toNodeError(context, error, itemIndex);
	}
	const hooks = Array.isArray(answer.hooks) ? answer.hooks : [];
	return hooks.flatMap((record) => normalizeStatusRecord(record, channelId) ?? []);
}

/** Get Delivery Status for one item: its fields are checked now, 1MSG is asked when the call runs. */
export const prepareDeliveryStatus: PrepareItem = async (context, itemIndex, param) => {
	const messageId = String(param('messageId', itemIndex, '') ?? '').trim();
	if (!messageId) throw new InputProblem('Message ID is empty', 'Map the messageId a send returned');
	const waitForFinal = param('waitForFinal', itemIndex, false) as boolean;
	const options = param('statusOptions', itemIndex, {}) as { deliveredIsFinal?: boolean };
	const deliveredIsFinal = options.deliveredIsFinal ?? false;
	const timeoutMs = waitForFinal ? numberInput(param('waitTimeout', itemIndex, DEFAULTS.waitTimeoutSeconds), 'Timeout (Seconds)', { min: 0, max: 86_400 }) * 1000 : 0;
	const intervalMs = waitForFinal ? numberInput(param('pollInterval', itemIndex, DEFAULTS.pollIntervalSeconds), 'Poll Interval (Seconds)', { min: 0.1, max: 3600 }) * 1000 : 0;
	return async () => await pollStatus(context, itemIndex, messageId, { waitForFinal, deliveredIsFinal, timeoutMs, intervalMs });
};

export interface PollClock {
	now: () => number;
	sleep: (ms: number) => Promise<void>;
}

/**
 * Asks until `isDone(answer)` or until `timeoutMs` has passed: every `intervalMs`, the last wait
 * shortened to end at the timeout, then one last ask. With `timeoutMs` 0 it asks once.
 */
export async function pollUntil<T>(
	ask: () => Promise<T>,
	isDone: (answer: T) => boolean,
	{ timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
	clock: PollClock,
): Promise<{ answer: T; done: boolean; elapsedMs: number; polls: number }> {
	const started = clock.now();
	for (let polls = 1; ; polls++) {
		const answer = await ask();
		const done = isDone(answer);
		const elapsedMs = clock.now() - started;
		if (done || elapsedMs >= timeoutMs) return { answer, done, elapsedMs, polls };
		await clock.sleep(Math.min(intervalMs, timeoutMs - elapsedMs));
	}
}

async function pollStatus(
	context: IExecuteFunctions,
	itemIndex: number,
	messageId: string,
	{ waitForFinal, deliveredIsFinal, timeoutMs, intervalMs }: { waitForFinal: boolean; deliveredIsFinal: boolean; timeoutMs: number; intervalMs: number },
): Promise<IDataObject> {
	const { answer: events, done: final, elapsedMs, polls } = await pollUntil(
		async () => await statusRecords(context, messageId, itemIndex),
		(records) => isFinal(records && latestEvent(records)?.status, deliveredIsFinal),
		{ timeoutMs, intervalMs },
		{ now: Date.now, sleep },
	);
	const latest = events && latestEvent(events);
	if (!latest) {
		throw new InputProblem(`1MSG has no delivery records for message "${messageId}"${waitForFinal ? ` after ${Math.round(elapsedMs / 1000)} s` : ''}`,
			'Use the messageId that a send of this channel returned',
		);
	}
	return {
		messageId,
		status: latest.status,
		final,
		hooks: events as unknown as IDataObject[],
		...(waitForFinal ? { timedOut: !final, waitedSeconds: Math.round(elapsedMs / 100) / 10, polls } : {}),
	};
}
