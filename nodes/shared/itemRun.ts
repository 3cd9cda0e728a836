import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { runQueue, type Failure, type QueueOptions } from './sendQueue';
import { toNodeError } from './transport';

/** A checked item, ready to go: calling it sends (again, when the queue retries). */
export type PreparedCall = () => Promise<IDataObject>;

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
		classify: (error: unknown) => Failure;
		errorItem: (error: NodeError) => IDataObject;
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

	// A retry sends the checked item again without checking it again.
	const { results } = await runQueue(
		items.length,
		async (itemIndex) => {
			const { call, error } = prepared[itemIndex];
			if (!call) throw error;
			return await call();
		},
		options.classify,
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
