import { describe, expect, test } from 'vitest';
import { retryAfterMs } from '../../nodes/shared/retryAfter.ts';
import { runQueue, type Failure, type QueueOptions } from '../../nodes/shared/sendQueue.ts';

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

describe('retryAfterMs', () => {
	test.each([
		['3', 3000],
		['0', 0],
		[' 1.5 ', 1500],
		[['2'], 2000],
		['Sat, 21 Nov 2026 10:00:05 GMT', 5000],
		['Sat, 21 Nov 2026 09:59:00 GMT', 0],
		['soon', undefined],
		[undefined, undefined],
	])('%j → %j', (value, ms) => {
		expect(retryAfterMs(value, Date.parse('2026-11-21T10:00:00Z'))).toBe(ms);
	});
});
