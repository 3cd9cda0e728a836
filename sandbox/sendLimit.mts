/**
 * The benchmark's model of a real API's capacity, as an interceptor of the fake: each send takes
 * `latencyMs`, and beyond `maxInFlight` sends at once the fake answers 429 without Retry-After.
 */
import type { Interceptor } from './fakeOneMsg.mts';

export interface SendLimit extends Interceptor {
	/** Sends answered 429 so far. */
	readonly rateLimited: number;
}

export function sendLimit(latencyMs: number, maxInFlight: number): SendLimit {
	let inFlight = 0;
	const limit = Object.assign(
		async (request: Parameters<Interceptor>[0]) => {
			if (request.apiMethod !== 'sendTemplate') return undefined;
			if (inFlight >= maxInFlight) {
				limit.rateLimited++;
				return { status: 429, body: { error: 'Too many requests' } };
			}
			inFlight++;
			await new Promise((resolve) => setTimeout(resolve, latencyMs));
			inFlight--;
			return undefined;
		},
		{ rateLimited: 0 },
	);
	return limit;
}
