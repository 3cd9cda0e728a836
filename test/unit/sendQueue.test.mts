import { describe, expect, test } from 'vitest';
import { pollUntil } from '../../nodes/OneMsgSendTemplate/actions/deliveryStatus.ts';
import { retryAfterMs } from '../../nodes/transport/retryAfter.ts';
import type { Failure } from '../../nodes/transport/failure.ts';
import { countResults, runQueue, type QueueOptions } from '../../nodes/itemRun/sendQueue.ts';

/** A virtual clock: sleep() advances it, so the tests never wait. */
function virtualTime() {
	let now = 0;
	return {
		now: () => now,
		sleep: async (ms: number) => {
			now += ms;
			await Promise.resolve();
		},
	};
}

function options(overrides: Partial<QueueOptions> = {}): QueueOptions {
	return {
		concurrency: 4,
		maxAttempts: 3,
		retryMaybeSent: false,
		stopOnFailure: false,
		baseDelayMs: 100,
		maxDelayMs: 10_000,
		random: () => 0.5,
		...virtualTime(),
		...overrides,
	};
}

class Boom extends Error {
	constructor(readonly failure: Failure) {
		super(failure.kind);
	}
}
const classify = (error: unknown): Failure => (error instanceof Boom ? error.failure : { kind: 'final' });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('runQueue', () => {
	test('results in input order; never more in flight than the concurrency', async () => {
		let inFlight = 0;
		let most = 0;
		const { results } = await runQueue(
			50,
			async (i) => {
				most = Math.max(most, ++inFlight);
				await tick();
				inFlight--;
				return i * 2;
			},
			classify,
			options({ concurrency: 7 }),
		);
		expect(results.map((r) => r?.ok && r.value)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
		expect(most).toBe(7);
	});

	test('a 429 pauses every sender for Retry-After, halves the concurrency, and the item is tried again', async () => {
		const time = virtualTime();
		const starts: Array<[number, number]> = [];
		let limited = false;
		let startsBefore429 = 0;
		const { results, stats } = await runQueue(
			20,
			async (i) => {
				starts.push([i, time.now()]);
				await tick();
				if (i === 3 && !limited) {
					limited = true;
					startsBefore429 = starts.length;
					throw new Boom({ kind: 'rateLimited', retryAfterMs: 2000 });
				}
				return i;
			},
			classify,
			options({ ...time, concurrency: 8 }),
		);
		expect(results.every((r) => r?.ok)).toBe(true);
		expect(stats).toMatchObject({ rateLimited: 1, retried: 1, lowestLimit: 4 });
		// nothing starts during the pause: every start after the 429 is at t >= 2000
		const later = starts.slice(startsBefore429);
		expect(later.length).toBeGreaterThan(8);
		expect(later.every(([, at]) => at >= 2000)).toBe(true);
		expect(starts.filter(([i]) => i === 3)).toHaveLength(2);
	});

	test('without Retry-After the pause grows exponentially, and the tries are bounded', async () => {
		const time = virtualTime();
		const { results } = await runQueue(
			1,
			async () => {
				throw new Boom({ kind: 'rateLimited' });
			},
			classify,
			options({ ...time, maxAttempts: 4 }),
		);
		expect(results[0]).toMatchObject({ ok: false, attempts: 4 });
		// 100·0.75 + 200·0.75 + 400·0.75 of pauses (jitter 0.5 → factor 0.75)
		expect(time.now()).toBe(525);
	});

	test('refused before sending: retried; maybe sent: not retried unless allowed', async () => {
		const calls = new Map<number, number>();
		const task = async (i: number) => {
			const n = (calls.get(i) ?? 0) + 1;
			calls.set(i, n);
			if (n === 1) throw new Boom({ kind: i === 0 ? 'notSent' : 'maybeSent' });
			return i;
		};
		let { results } = await runQueue(2, task, classify, options());
		expect(results.map((r) => r?.ok)).toEqual([true, false]);
		calls.clear();
		({ results } = await runQueue(2, task, classify, options({ retryMaybeSent: true })));
		expect(results.map((r) => r?.ok)).toEqual([true, true]);
	});

	test('a final failure is not retried; with stopOnFailure no new item starts after it', async () => {
		const started: number[] = [];
		const { results } = await runQueue(
			10,
			async (i) => {
				started.push(i);
				await tick();
				if (i === 1) throw new Error('bad');
				return i;
			},
			classify,
			options({ concurrency: 2, stopOnFailure: true }),
		);
		expect(results[1]).toMatchObject({ ok: false, attempts: 1 });
		expect(started.length).toBeLessThan(10);
		expect(results.slice(0, 2).every(Boolean)).toBe(true);
	});
});

describe('runQueue: stopping at the first failure', () => {
	/** A clock whose sleeps end only after `until`: what waits is still waiting when the failure comes. */
	function clockAfter(until: Promise<void>) {
		let now = 0;
		return {
			now: () => now,
			sleep: async (ms: number) => {
				await until;
				await tick();
				now += ms;
			},
		};
	}

	test('items waiting out a 429 pause never start once an item has failed for good; they count as not started', async () => {
		let failed!: () => void;
		const failure = new Promise<void>((resolve) => (failed = resolve));
		const tries: number[] = [];
		let release429!: () => void;
		const answered429 = new Promise<void>((resolve) => (release429 = resolve));
		// concurrency 4: item 0 gets one 429, items 1 and 3 succeed (so 4 and 5 wait out the pause), item 2 gets a 400
		const { results } = await runQueue(
			6,
			async (i) => {
				tries.push(i);
				if (i === 0 && tries.filter((t) => t === 0).length === 1) {
					release429();
					throw new Boom({ kind: 'rateLimited', retryAfterMs: 5000 });
				}
				if (i === 2) {
					await answered429;
					for (let n = 0; n < 5; n++) await tick();
					failed();
					throw new Error('400');
				}
				return i;
			},
			classify,
			options({ ...clockAfter(failure), concurrency: 4, stopOnFailure: true }),
		);
		expect(tries.filter((i) => i >= 4)).toEqual([]);
		expect(tries.filter((i) => i === 0)).toHaveLength(1);
		expect(countResults(results)).toEqual({ succeeded: 2, failed: 1, notStarted: 3 });
	});

	test('a retry after an uncertain try that is stopped keeps that try’s failure', async () => {
		let failed!: () => void;
		const failure = new Promise<void>((resolve) => (failed = resolve));
		const { results } = await runQueue(
			2,
			async (i) => {
				if (i === 0) throw new Boom({ kind: 'maybeSent' });
				await tick();
				failed();
				throw new Error('final');
			},
			classify,
			options({ ...clockAfter(failure), concurrency: 2, stopOnFailure: true, retryMaybeSent: true }),
		);
		expect(results[0]).toMatchObject({ ok: false, attempts: 1 });
		expect(countResults(results)).toEqual({ succeeded: 0, failed: 2, notStarted: 0 });
	});
});

describe('runQueue: Retry-After beyond the longest wait', () => {
	test('fails the item at once instead of pausing everyone', async () => {
		const time = virtualTime();
		let tries = 0;
		const { results } = await runQueue(
			1,
			async () => {
				tries++;
				throw new Boom({ kind: 'rateLimited', retryAfterMs: 86_400_000 });
			},
			classify,
			options({ ...time, maxDelayMs: 30_000 }),
		);
		expect(results[0]).toMatchObject({ ok: false, attempts: 1 });
		expect(tries).toBe(1);
		expect(time.now()).toBe(0);
	});
});

describe('retryAfterMs', () => {
	test.each([
		['3', 3000],
		['0', 0],
		[' 1.5 ', 1500],
		[['2'], 2000],
		['Sat, 21 Nov 2026 10:00:05 GMT', 5000],
		['Sat, 21 Nov 2026 09:59:00 GMT', 0],
		['soon', undefined],
		['-1', undefined],
		['-5.5', undefined],
		['1e3', undefined],
		[undefined, undefined],
	])('%j → %j', (value, ms) => {
		expect(retryAfterMs(value, Date.parse('2026-11-21T10:00:00Z'))).toBe(ms);
	});
});

describe('pollUntil (Wait for Final Status) on a virtual clock', () => {
	const poll = async (timeoutMs: number, intervalMs: number, finalAtMs = Number.POSITIVE_INFINITY) => {
		const time = virtualTime();
		const askedAt: number[] = [];
		const outcome = await pollUntil(
			async () => {
				askedAt.push(time.now());
				return time.now() >= finalAtMs;
			},
			(final) => final,
			{ timeoutMs, intervalMs },
			time,
		);
		return { ...outcome, askedAt };
	};

	test('timeout 3 s, interval 1 s: asks at 0, 1, 2 and 3 s, and ends at the timeout, not before', async () => {
		const outcome = await poll(3000, 1000);
		expect(outcome.askedAt).toEqual([0, 1000, 2000, 3000]);
		expect(outcome).toMatchObject({ done: false, elapsedMs: 3000, polls: 4 });
	});

	test('timeout 2 s, interval 5 s: the wait is shortened to the timeout, then one last ask', async () => {
		const outcome = await poll(2000, 5000);
		expect(outcome.askedAt).toEqual([0, 2000]);
		expect(outcome.elapsedMs).toBe(2000);
	});

	test('timeout 60 s, interval 30 s: asks at 0, 30 and 60 s', async () => {
		expect((await poll(60_000, 30_000)).askedAt).toEqual([0, 30_000, 60_000]);
	});

	test('timeout 2.5 s, interval 1 s: the last wait is half a second', async () => {
		expect((await poll(2500, 1000)).askedAt).toEqual([0, 1000, 2000, 2500]);
	});

	test('ends at the first final answer', async () => {
		const outcome = await poll(60_000, 1000, 2000);
		expect(outcome).toMatchObject({ done: true, elapsedMs: 2000, polls: 3 });
	});

	test('without waiting (timeout 0): one ask', async () => {
		expect((await poll(0, 5000)).askedAt).toEqual([0]);
	});
});
