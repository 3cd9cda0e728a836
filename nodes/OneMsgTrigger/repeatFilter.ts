/**
 * Remembers recently seen keys for a bounded time and count, to drop repeated events. Lives in the
 * memory of one n8n process: a restart, or another worker, starts with nothing remembered.
 */
export class RecentKeys {
	private readonly seenAt = new Map<string, number>();

	constructor(
		private readonly maxEntries = 10_000,
		private readonly windowMs = 60 * 60 * 1000,
	) {}

	/** True if `key` was seen within the window; records it as seen now either way. */
	seenBefore(key: string, now: number): boolean {
		const last = this.seenAt.get(key);
		this.seenAt.delete(key); // re-inserted last: the map stays ordered by time seen
		this.seenAt.set(key, now);
		this.evict(now);
		return last !== undefined && now - last <= this.windowMs;
	}

	get size(): number {
		return this.seenAt.size;
	}

	private evict(now: number): void {
		for (const [key, at] of this.seenAt) {
			if (this.seenAt.size <= this.maxEntries && now - at <= this.windowMs) break;
			this.seenAt.delete(key);
		}
	}
}
