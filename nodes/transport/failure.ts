/**
 * What a failed API call tells about its request, for the code that decides whether to try it
 * again (the transport's read retries, the send queue, Skip Items Already Sent). Kept beside the
 * NodeApiError the user sees, never on it: the error's texts and context are for people.
 */

/**
 * - `rateLimited`: HTTP 429, 1MSG did not process it; `retryAfterMs` when it said how long to wait.
 * - `notSent`: nothing reached 1MSG (the connection was refused or the host not found).
 * - `maybeSent`: the request may have been carried out (a timeout, a reset after sending, a 5xx,
 *   a 2xx that cannot be read).
 * - `final`: anything else; trying again would give the same answer.
 */
export type FailureKind = 'rateLimited' | 'notSent' | 'maybeSent' | 'final';

export interface Failure {
	kind: FailureKind;
	retryAfterMs?: number;
	/** The network error's code (ECONNREFUSED, ECONNRESET…) when there was no HTTP answer. */
	networkCode?: string;
}

const FINAL: Failure = { kind: 'final' };
const failures = new WeakMap<object, Failure>();

/** Records what `error` tells about its request; answers the error. */
export function withFailure<E extends object>(error: E, failure: Failure): E {
	failures.set(error, failure);
	return error;
}

/** What the transport recorded about `error`; `final` for any error it did not make. */
export function failureOf(error: unknown): Failure {
	return (typeof error === 'object' && error !== null && failures.get(error)) || FINAL;
}
