/**
 * When to try again after a failure that 1MSG did not process: its Retry-After, or an exponential
 * backoff with jitter. One policy for the send queue and for the transport's read retries.
 */

/** The longest wait for a retry. A Retry-After beyond it fails the call instead (README → Many items at once). */
export const MAX_RETRY_WAIT_MS = 30_000;
export const BASE_RETRY_DELAY_MS = 500;

// An HTTP-date always starts with the day's name (RFC 9110 §5.6.7: IMF-fixdate, RFC 850, asctime).
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;

/**
 * Retry-After: delay-seconds or an HTTP date (RFC 9110). Answers milliseconds from `now`, or
 * undefined for anything else (`-1`, `soon`): the caller then uses its own backoff.
 */
export function retryAfterMs(value: unknown, now: number): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const trimmed = String(text).trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	if (!HTTP_DATE.test(trimmed)) return undefined;
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** base, 2·base, 4·base… up to `maxMs`, times a jitter factor in [0.5, 1). `attempt` counts from 1. */
export function backoffMs(attempt: number, random: () => number, baseMs = BASE_RETRY_DELAY_MS, maxMs = MAX_RETRY_WAIT_MS): number {
	return Math.min(maxMs, baseMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);
}

/** True when 1MSG asks for a longer pause than this package waits: the call fails rather than waiting. */
export function waitsTooLong(retryAfter: number | undefined, maxMs = MAX_RETRY_WAIT_MS): boolean {
	return retryAfter !== undefined && retryAfter > maxMs;
}
