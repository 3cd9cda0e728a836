import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { HINTS } from '../transport/apiFailure';
import { SendOnce } from './sendOnce';
import { failureOf } from '../transport/failure';
import { countResults, runQueue, type QueueOptions } from './sendQueue';
import { toNodeError } from '../transport/request';

/**
 * A checked item, ready to go: calling it sends (again, when the queue retries). With Skip Items
 * Already Sent on, `once` holds its key and the output item for when an earlier run sent it.
 */
export type PreparedCall = (() => Promise<IDataObject>) & { once?: { key: string; skipped: IDataObject } };

export type NodeError = ReturnType<typeof toNodeError>;

/**
 * How a node runs its items against 1MSG: every item is checked first (without Continue On Fail,
 * one bad item stops the node before anything is sent), then the checked calls go through the send
 * queue, and the output has one item per input item, in input order. A failed item is the node's
 * error, or with Continue On Fail the item `errorItem` makes of it.
 */
export async function runCheckedItems(
	context: IExecuteFunctions,
	prepare: (itemIndex: number) => Promise<PreparedCall>,
	options: {
		queue: Pick<QueueOptions, 'concurrency' | 'maxAttempts' | 'retryMaybeSent' | 'baseDelayMs' | 'maxDelayMs'>;
		errorItem: (error: NodeError) => IDataObject;
		/** What a success did, for the counts in the node's error: "sent" or "answered". */
		done?: string;
	},
): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const continueOnFail = context.continueOnFail();
	const prepared = await Promise.all(
		items.map(async (_, itemIndex) => {
			try {
				return { call: await prepare(itemIndex) };
			} catch (error) {
				return { error: toNodeError(context, error, itemIndex) };
			}
		}),
	);
	const firstProblem = prepared.find((p) => p.error)?.error;
	if (firstProblem && !continueOnFail) throw firstProblem;

	const sendOnce = prepared.some((p) => p.call?.once) ? skipItemsAlreadySent(context) : undefined;
	// A retry sends the checked item again without checking it again. An item that failed its
	// checks fails as it is: its error is not an answer from 1MSG to try again.
	const failedChecks = new Set(prepared.map((p) => p.error).filter(Boolean));
	const { results } = await runQueue(
		items.length,
		async (itemIndex) => {
			const { call, error } = prepared[itemIndex];
			if (!call) throw error;
			const once = call.once;
			return once && sendOnce ? await sendOnce.send(once.key, itemIndex, call, () => once.skipped) : await call();
		},
		(error) => (failedChecks.has(error as never) ? { kind: 'final' } : failureOf(error)),
		{ ...options.queue, stopOnFailure: !continueOnFail, sleep, now: Date.now, random: Math.random },
	);

	const output: INodeExecutionData[] = [];
	for (const [itemIndex, result] of results.entries()) {
		if (!result) continue; // not started: an earlier item failed and Continue On Fail is off
		if (result.ok) {
			output.push({ json: result.value, pairedItem: { item: itemIndex } });
			continue;
		}
		const error = toNodeError(context, result.error, itemIndex);
		if (result.attempts > 1 && error.description && !error.description.includes(' tries)')) {
			error.description += ` (${result.attempts} tries)`;
		}
		if (!continueOnFail && items.length > 1) {
			const { succeeded, failed, notStarted } = countResults(results);
			const skipped = results.filter((r) => r?.ok && r.value.skipped === true).length;
			const done = options.done ?? 'sent';
			const skips = skipped ? ` ${skipped} skipped (already sent),` : '';
			error.description = `${error.description ?? ''} Of ${items.length} items, ${succeeded - skipped} ${done},${skips} ${failed} failed, ${notStarted} not ${done} (the node stops at the first failure).`.trim();
		}
		if (!continueOnFail) throw error;
		output.push({ json: options.errorItem(error), pairedItem: { item: itemIndex } });
	}
	return output;
}

/** The fields every error item has: the message, the hint and the HTTP code. */
export function errorFields(error: NodeError): IDataObject {
	return {
		error: error.message,
		description: error.description ?? null,
		httpCode: 'httpCode' in error ? (error.httpCode ?? null) : null,
	};
}

/** Skip Items Already Sent: n8n's de-duplication store, and what counts as a send that may have gone out. */
function skipItemsAlreadySent(context: IExecuteFunctions): SendOnce {
	return new SendOnce(context.helpers, {
		mayHaveBeenSent: (error) => failureOf(error).kind === 'maybeSent',
		uncertain: () =>
			new NodeOperationError(
				context.getNode(),
				'This message may or may not have been sent: an earlier run started sending it and never saw 1MSG accept it',
				{ description: `${HINTS.maybeSent} To send it anyway, run the item with Skip Items Already Sent off or another Skip Key.` },
			),
	});
}
