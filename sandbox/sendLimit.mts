/**
 * The benchmark's model of a real API's capacity, as an interceptor of the fake: each send takes
 * `latencyMs`, and beyond `maxInFlight` sends at once the fake answers 429 without Retry-After.
 * `rateLimited` counts the sends answered 429.
 */
import type { RecordedRequest } from './fakeOneMsg.mts';

export function sendLimit(latencyMs: number, maxInFlight: number) {
	let inFlight = 0;
	const limit = Object.assign(
		async (request: RecordedRequest) => {
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
