/**
 * Runs many sends with a bounded number in flight and returns one result per item, in input order.
 * What a failure allows is decided by the caller's `classify`:
 * - `rateLimited` (HTTP 429: 1MSG did not process it): the whole queue pauses for Retry-After, or an
 *   exponential backoff with jitter, and sends fewer at once for a while (halved, then +1 per
 *   success); the item is tried again, up to `maxAttempts`.
 * - `notSent` (connection refused before any byte went out): backoff, tried again.
 * - `maybeSent` (timeout, reset after sending, 5xx): tried again only with `retryMaybeSent`, since
 *   the customer may get the message twice.
 * - `final`: the item fails as it is.
 * Timers, clock and randomness are injected: the logic is tested without waiting.
 */

export type FailureKind = 'rateLimited' | 'notSent' | 'maybeSent' | 'final';

export interface Failure {
	kind: FailureKind;
	retryAfterMs?: number;
}

export interface QueueOptions {
	concurrency: number;
	/** Tries per item for retryable failures, the first one included. */
	maxAttempts: number;
	retryMaybeSent: boolean;
	/** Stop starting new items after the first final failure (the node without Continue On Fail). */
	stopOnFailure: boolean;
	baseDelayMs: number;
	maxDelayMs: number;
	sleep: (ms: number) => Promise<void>;
	now: () => number;
	random: () => number;
}

export type ItemResult<T> = { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number };

export interface QueueStats {
	rateLimited: number;
	retried: number;
	/** Lowest number of sends allowed in flight at once during the run. */
	lowestLimit: number;
}

export async function runQueue<T>(
	count: number,
	task: (index: number) => Promise<T>,
	classify: (error: unknown) => Failure,
	options: QueueOptions,
): Promise<{ results: Array<ItemResult<T> | undefined>; stats: QueueStats }> {
	const results: Array<ItemResult<T> | undefined> = new Array(count);
	const stats: QueueStats = { rateLimited: 0, retried: 0, lowestLimit: options.concurrency };
	let next = 0;
	let inFlight = 0;
	let limit = Math.max(1, options.concurrency);
	let successesSinceCut = 0;
	let pausedUntil = 0;
	let stopped = false;
	const waiting: Array<() => void> = [];

	const wakeAll = () => waiting.splice(0).forEach((wake) => wake());

	async function acquire(): Promise<void> {
		for (;;) {
			const pause = pausedUntil - options.now();
			if (pause > 0) {
				await options.sleep(pause);
				continue;
			}
			if (inFlight < limit) {
				inFlight++;
				return;
			}
			await new Promise<void>((resolve) => waiting.push(resolve));
		}
	}

	function release(): void {
		inFlight--;
		wakeAll();
	}

	const backoff = (attempt: number) =>
		Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + options.random() / 2);

	async function process(index: number): Promise<void> {
		for (let attempt = 1; ; attempt++) {
			await acquire();
			try {
				const value = await task(index);
				results[index] = { ok: true, value, attempts: attempt };
				if (limit < options.concurrency && ++successesSinceCut >= limit) {
					limit++;
					successesSinceCut = 0;
				}
				return;
			} catch (error) {
				const failure = classify(error);
				const retryable =
					attempt < options.maxAttempts &&
					(failure.kind === 'rateLimited' || failure.kind === 'notSent' || (failure.kind === 'maybeSent' && options.retryMaybeSent));
				if (failure.kind === 'rateLimited') {
					stats.rateLimited++;
					const wait = failure.retryAfterMs ?? backoff(attempt);
					pausedUntil = Math.max(pausedUntil, options.now() + Math.min(wait, options.maxDelayMs));
					limit = Math.max(1, Math.ceil(limit / 2));
					successesSinceCut = 0;
					stats.lowestLimit = Math.min(stats.lowestLimit, limit);
				}
				if (!retryable) {
					results[index] = { ok: false, error, attempts: attempt };
					if (options.stopOnFailure) stopped = true;
					return;
				}
				stats.retried++;
				if (failure.kind !== 'rateLimited') await options.sleep(backoff(attempt));
			} finally {
				release();
			}
		}
	}

	async function worker(): Promise<void> {
		while (!stopped && next < count) await process(next++);
	}

	await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency), count) }, worker));
	return { results, stats };
}
