import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { numberInput, type NumberRule } from './numberInput';
import { BASE_RETRY_DELAY_MS, MAX_RETRY_WAIT_MS } from '../transport/retryAfter';
import type { QueueOptions } from './sendQueue';
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
	skipAlreadySent: false,
	skipKey: '',
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
	skipAlreadySent?: boolean;
	skipKey?: unknown;
	timeout?: unknown;
}

// The editor's limits (QUEUE_OPTIONS below); an expression can give anything, so they are checked here too.
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

/** Skip Items Already Sent: the Skip Key given ('' for the default key), or undefined when the option is off. */
export function skipKeyOf(options: BulkOptions): string | undefined {
	return (options.skipAlreadySent ?? DEFAULTS.skipAlreadySent) ? String(options.skipKey ?? DEFAULTS.skipKey).trim() : undefined;
}

/** The send queue's options, shared by both sending nodes. */
export const QUEUE_OPTIONS = {
	concurrency: {
		displayName: 'Concurrent Requests',
		name: 'concurrency',
		type: 'number',
		default: 20,
		typeOptions: { minValue: 1, maxValue: 100 },
		description:
			'How many messages are sent at once. When 1MSG answers 429, the node pauses and sends fewer at once for a while.',
	},
	rateLimitRetries: {
		displayName: 'Rate Limit Retries',
		name: 'rateLimitRetries',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0, maxValue: 20 },
		description:
			'How often an item is tried again after a 429 or a refused connection (1MSG did not get it), waiting Retry-After or an increasing delay',
	},
	retryUncertain: {
		displayName: 'Retry When Delivery Is Uncertain',
		name: 'retryUncertain',
		type: 'boolean',
		default: false,
		description:
			'Whether to also retry after a timeout, a connection reset or a 5xx. Risky: 1MSG may have sent the first attempt, and the customer then gets the message twice.',
	},
	skipAlreadySent: {
		displayName: 'Skip Items Already Sent',
		name: 'skipAlreadySent',
		type: 'boolean',
		default: false,
		description:
			'Whether to remember each send in n8n’s database and skip items an earlier run of this node sent (a re-run after a crash). An item whose earlier send was never confirmed fails instead of going out twice.',
	},
	skipKey: {
		displayName: 'Skip Key',
		name: 'skipKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.ticket.number }}-{{ $json.customer.phone }}',
		description:
			'What makes two items the same send for Skip Items Already Sent. Leave empty for the operation, the recipient and all the message holds: template, language and every variable; or text, file (link or content), file name, caption, buttons and quoted message.',
	},
	timeout: {
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 1 },
		description:
			'How long each call to 1MSG (a send, the template list) may take, from connecting to the last byte of the answer. A send that times out may have gone out.',
	},
} satisfies Record<string, INodeProperties>;
