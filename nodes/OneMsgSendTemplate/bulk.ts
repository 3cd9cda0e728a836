import type { IExecuteFunctions } from 'n8n-workflow';

import { numberInput, type NumberRule } from '../shared/numberInput';
import { BASE_RETRY_DELAY_MS, MAX_RETRY_WAIT_MS } from '../transport/retryAfter';
import type { QueueOptions } from '../shared/sendQueue';
import { DEFAULT_TIMEOUT_MS, toNodeError } from '../transport/request';

/**
 * Every default the code falls back to when an option is not set. The editor's descriptions write
 * the same values as literals (n8n's linter reads them literally); test/unit/defaults.test.mts
 * checks that both agree.
 */
export const DEFAULTS = {
	concurrency: 20,
	rateLimitRetries: 5,
	retryUncertain: false,
	timeoutSeconds: DEFAULT_TIMEOUT_MS / 1000,
	baseDelayMs: BASE_RETRY_DELAY_MS,
	maxDelayMs: MAX_RETRY_WAIT_MS,
	whitespace: 'clean',
	hiddenNumberRouting: 'chatId',
	waitTimeoutSeconds: 60,
	pollIntervalSeconds: 5,
} as const;

export interface BulkOptions {
	concurrency?: unknown;
	rateLimitRetries?: unknown;
	retryUncertain?: boolean;
	timeout?: unknown;
}

// The editor's limits (properties.ts); an expression can give anything, so they are checked here too.
const RULES = {
	concurrency: { min: 1, max: 100, integer: true },
	rateLimitRetries: { min: 0, max: 20, integer: true },
	timeout: { min: 0.1, max: 3600 },
} satisfies Record<string, NumberRule>;

const option = (value: unknown, field: string, rule: NumberRule, fallback: number) =>
	value === undefined || value === null ? fallback : numberInput(value, field, rule);

/** How many sends at once and how failures are retried: one setting for the whole node run. */
export function queueSettings(
	context: IExecuteFunctions,
	operation: string,
): Pick<QueueOptions, 'concurrency' | 'maxAttempts' | 'retryMaybeSent' | 'baseDelayMs' | 'maxDelayMs'> & { timeoutMs: number } {
	try {
		const options = (operation === 'deliveryStatus' ? {} : context.getNodeParameter('options', 0, {})) as BulkOptions;
		return {
			timeoutMs: timeoutMs(options),
			concurrency: option(options.concurrency, 'Concurrent Requests', RULES.concurrency, DEFAULTS.concurrency),
			maxAttempts: 1 + option(options.rateLimitRetries, 'Rate Limit Retries', RULES.rateLimitRetries, DEFAULTS.rateLimitRetries),
			retryMaybeSent: options.retryUncertain ?? DEFAULTS.retryUncertain,
			baseDelayMs: DEFAULTS.baseDelayMs,
			maxDelayMs: DEFAULTS.maxDelayMs,
		};
	} catch (error) {
		// a bad option fails the node before anything is sent
		throw toNodeError(context, error, 0);
	}
}

/** The deadline of each API call of the node's run (Options → Timeout). */
export function timeoutMs(options: BulkOptions): number {
	return option(options.timeout, 'Timeout (Seconds)', RULES.timeout, DEFAULTS.timeoutSeconds) * 1000;
}
