/**
 * Runs many sends with a bounded number in flight and returns one result per item, in input order.
 * What a failure allows is decided by the caller's `classify`:
 * - `rateLimited` (HTTP 429: 1MSG did not process it): the whole queue pauses for Retry-After, or an
 *   exponential backoff with jitter, and sends fewer at once for a while (halved, then +1 per
 *   success); the item is tried again, up to `maxAttempts`.
 * - `notSent` (connection refused before any byte went out): backoff, tried again.
 * - `maybeSent` (timeout, reset after sending, 5xx): tried again only with `retryMaybeSent`, since
 *   the customer may get the message twice.
 * - `final`: the item fails as it is. So does a 429 whose Retry-After is longer than `maxDelayMs`.
 * With `stopOnFailure`, the first item that fails for good stops the queue: nothing that has not
 * started goes out after it, neither new items nor retries waiting out a pause; their results stay
 * undefined ("not sent").
 * Timers, clock and randomness are injected: the logic is tested without waiting.
 */
import type { Failure } from '../transport/failure';
import { backoffMs, waitsTooLong } from '../transport/retryAfter';

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

	let stopping!: () => void;
	const stoppedSignal = new Promise<void>((resolve) => (stopping = resolve));
	const stop = () => {
		stopped = true;
		stopping();
		wakeAll();
	};
	// A pause or backoff ends early when the queue stops: what waits is then not sent at all.
	const sleepUnlessStopped = (ms: number) => Promise.race([options.sleep(ms), stoppedSignal]);

	/** Takes a slot for one try; false when the queue has stopped and the try must not start. */
	async function acquire(): Promise<boolean> {
		for (;;) {
			if (stopped) return false;
			const pause = pausedUntil - options.now();
			if (pause > 0) {
				await sleepUnlessStopped(pause);
				continue;
			}
			if (inFlight < limit) {
				inFlight++;
				return true;
			}
			await new Promise<void>((resolve) => waiting.push(resolve));
		}
	}

	function release(): void {
		inFlight--;
		wakeAll();
	}

	const backoff = (attempt: number) => backoffMs(attempt, options.random, options.baseDelayMs, options.maxDelayMs);

	async function process(index: number): Promise<void> {
		let mayHaveGoneOut: { error: unknown; attempts: number } | undefined;
		for (let attempt = 1; ; attempt++) {
			if (!(await acquire())) {
				// stopped before this try: a retry after an uncertain try keeps that try's failure
				if (mayHaveGoneOut) results[index] = { ok: false, ...mayHaveGoneOut };
				return;
			}
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
				const tooLong = failure.kind === 'rateLimited' && waitsTooLong(failure.retryAfterMs, options.maxDelayMs);
				const retryable =
					attempt < options.maxAttempts &&
					!tooLong &&
					(failure.kind === 'rateLimited' || failure.kind === 'notSent' || (failure.kind === 'maybeSent' && options.retryMaybeSent));
				if (failure.kind === 'rateLimited') {
					stats.rateLimited++;
					if (!tooLong) pausedUntil = Math.max(pausedUntil, options.now() + (failure.retryAfterMs ?? backoff(attempt)));
					limit = Math.max(1, Math.ceil(limit / 2));
					successesSinceCut = 0;
					stats.lowestLimit = Math.min(stats.lowestLimit, limit);
				}
				if (!retryable) {
					results[index] = { ok: false, error, attempts: attempt };
					if (options.stopOnFailure) stop();
					return;
				}
				if (failure.kind === 'maybeSent') mayHaveGoneOut = { error, attempts: attempt };
				stats.retried++;
				if (failure.kind !== 'rateLimited') await sleepUnlessStopped(backoff(attempt));
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

export interface QueueCounts {
	succeeded: number;
	failed: number;
	/** Never started: the queue stopped first. */
	notStarted: number;
}

export function countResults(results: Array<ItemResult<unknown> | undefined>): QueueCounts {
	const counts: QueueCounts = { succeeded: 0, failed: 0, notStarted: 0 };
	for (let i = 0; i < results.length; i++) {
		const result = results[i];
		if (!result) counts.notStarted++;
		else if (result.ok) counts.succeeded++;
		else counts.failed++;
	}
	return counts;
}
