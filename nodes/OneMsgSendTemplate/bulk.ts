import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { Failure, QueueOptions } from '../shared/sendQueue';
import type { SendOutcome } from '../shared/transport';

// The same numbers are the options' defaults in properties.ts (n8n's linter wants literals there).
export const DEFAULTS = {
	concurrency: 20,
	rateLimitRetries: 5,
	timeoutSeconds: 30,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
} as const;

export interface BulkOptions {
	concurrency?: number;
	rateLimitRetries?: number;
	retryUncertain?: boolean;
	timeout?: number;
}


/** How many sends at once and how failures are retried: one setting for the whole node run. */
export function queueSettings(
	context: IExecuteFunctions,
	operation: string,
): Pick<QueueOptions, 'concurrency' | 'maxAttempts' | 'retryMaybeSent' | 'baseDelayMs' | 'maxDelayMs'> {
	const options = (operation === 'deliveryStatus' ? {} : context.getNodeParameter('options', 0, {})) as BulkOptions;
	return {
		concurrency: Math.max(1, Math.floor(options.concurrency ?? DEFAULTS.concurrency)),
		maxAttempts: 1 + Math.max(0, Math.floor(options.rateLimitRetries ?? DEFAULTS.rateLimitRetries)),
		retryMaybeSent: options.retryUncertain ?? false,
		baseDelayMs: DEFAULTS.baseDelayMs,
		maxDelayMs: DEFAULTS.maxDelayMs,
	};
}

export function timeoutMs(options: BulkOptions): number {
	return Math.max(1, (options.timeout ?? DEFAULTS.timeoutSeconds) * 1000);
}

/** What the transport found out about a failed call decides whether the queue may try it again. */
export function classifyFailure(error: unknown): Failure {
	if (!(error instanceof NodeApiError)) return { kind: 'final' };
	if (error.httpCode === '429') {
		const retryAfterMs = error.context.retryAfterMs;
		return { kind: 'rateLimited', retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : undefined };
	}
	const outcome = error.context.sendOutcome as SendOutcome | undefined;
	return outcome ? { kind: outcome } : { kind: 'final' };
}
