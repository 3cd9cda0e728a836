/**
 * Skip Items Already Sent: each send is keyed, and n8n's own de-duplication store (the helpers n8n
 * gives execute contexts: `checkProcessedAndRecord`, `removeProcessed`, kept in n8n's database per
 * node) records `mark:<key>` before the request goes out and `sent:<key>` after 1MSG accepted it.
 * A later run (a re-run after a crash, say) then skips confirmed keys and refuses keys that were
 * marked but never confirmed: that send may or may not have reached 1MSG.
 *
 * n8n stores only an md5 hash of each recorded value, and a check always records: so "is this
 * confirmed?" is asked by recording `sent:<key>` and taking the record back when it was new. The
 * store keeps a node's values in one row that each call reads and rewrites, so calls must not
 * overlap: they go through one lane, and what piles up meanwhile goes in one call.
 */
import type { IDataObject } from 'n8n-workflow';

import type { PreparedCall } from './itemRun';

/** The part of n8n's de-duplication helpers this uses (scope 'node', mode 'entries'). */
export interface ProcessedStore {
	checkProcessedAndRecord(
		items: string[],
		scope: 'node',
		options: { mode: 'entries'; maxEntries?: number },
	): Promise<{ new: Array<string | number>; processed: Array<string | number> }>;
	removeProcessed(items: string[], scope: 'node', options: { mode: 'entries'; maxEntries?: number }): Promise<void>;
}

/** Two entries per send (mark and confirmation): the last 10,000 sends of the node are remembered. */
export const REMEMBERED_SENDS = 10_000;
const STORE_OPTIONS = { mode: 'entries', maxEntries: 2 * REMEMBERED_SENDS } as const;

/**
 * A checked call, with Skip Items Already Sent when `skipKey` is set (see `skipKeyOf`): keyed by it,
 * or when it is empty by `sameSend`, what makes two items the same message (the operation, the
 * recipient and all the message holds). `skipped` is the output item when an earlier run sent it.
 */
export function sentOnce(call: () => Promise<IDataObject>, skipKey: string | undefined, sameSend: () => unknown[], skipped: IDataObject): PreparedCall {
	if (skipKey === undefined) return call;
	return Object.assign(call, { once: { key: skipKey || JSON.stringify(sameSend()), skipped } });
}

/** One call at a time to the store; requests made meanwhile are joined into the next call. */
class StoreLane {
	private pending: Array<{ op: 'record' | 'remove'; value: string; resolve: (isNew: boolean) => void; reject: (e: unknown) => void }> = [];
	private running = false;

	constructor(private readonly store: ProcessedStore) {}

	/** Records `value`; answers whether it was new. */
	async record(value: string): Promise<boolean> {
		return await this.enqueue('record', value);
	}

	async remove(value: string): Promise<void> {
		await this.enqueue('remove', value);
	}

	private async enqueue(op: 'record' | 'remove', value: string): Promise<boolean> {
		const done = new Promise<boolean>((resolve, reject) => this.pending.push({ op, value, resolve, reject }));
		if (!this.running) void this.pump();
		return await done;
	}

	private async pump(): Promise<void> {
		this.running = true;
		while (this.pending.length) {
			const batch = this.pending.splice(0);
			for (const op of ['record', 'remove'] as const) {
				const requests = batch.filter((r) => r.op === op);
				if (!requests.length) continue;
				const values = requests.map((r) => r.value);
				try {
					if (op === 'record') {
						const answer = await this.store.checkProcessedAndRecord(values, 'node', STORE_OPTIONS);
						const fresh = new Set(answer.new.map(String));
						for (const r of requests) r.resolve(fresh.has(r.value));
					} else {
						await this.store.removeProcessed(values, 'node', STORE_OPTIONS);
						for (const r of requests) r.resolve(true);
					}
				} catch (error) {
					for (const r of requests) r.reject(error);
				}
			}
		}
		this.running = false;
	}
}

export interface SendOnceRules {
	/** True when a failed send may still have reached 1MSG (its mark then stays). */
	mayHaveBeenSent(error: unknown): boolean;
	/** The error for a key an earlier run marked and never confirmed. */
	uncertain(): Error;
}

interface KeyInThisRun {
	/** The item that sends it: the queue may try that item again; another item with the key waits. */
	itemIndex: number;
	/** Whether this run's mark is in the store now. */
	marked: boolean;
	first?: Promise<IDataObject>;
}

/** One node run's sends with Skip Items Already Sent on. */
export class SendOnce {
	private readonly lane: StoreLane;
	private readonly inThisRun = new Map<string, KeyInThisRun>();

	constructor(
		store: ProcessedStore,
		private readonly rules: SendOnceRules,
	) {
		this.lane = new StoreLane(store);
	}

	/**
	 * Sends item `itemIndex` through `call` unless `key` was sent before. `skipped` is the output item
	 * for a send an earlier run confirmed (its message id is not known here: n8n keeps only a hash).
	 */
	async send(key: string, itemIndex: number, call: () => Promise<IDataObject>, skipped: () => IDataObject): Promise<IDataObject> {
		const known = this.inThisRun.get(key);
		// the same key twice in one input: one message; the repeat reports the first one's outcome
		if (known && known.itemIndex !== itemIndex) return { ...(await known.first), skipped: true };
		if (known) return await this.attempt(key, call, known);
		const entry: KeyInThisRun = { itemIndex, marked: false };
		this.inThisRun.set(key, entry);
		entry.first = this.firstSend(key, call, skipped, entry);
		return await entry.first;
	}

	private async firstSend(key: string, call: () => Promise<IDataObject>, skipped: () => IDataObject, entry: KeyInThisRun): Promise<IDataObject> {
		if (!(await this.lane.record(`mark:${key}`))) {
			// marked by an earlier run: confirmed, or never known to have reached 1MSG
			if (!(await this.lane.record(`sent:${key}`))) return skipped();
			await this.lane.remove(`sent:${key}`);
			throw this.rules.uncertain();
		}
		entry.marked = true;
		return await this.attempt(key, call, entry);
	}

	private async attempt(key: string, call: () => Promise<IDataObject>, entry: KeyInThisRun): Promise<IDataObject> {
		if (!entry.marked) {
			await this.lane.record(`mark:${key}`);
			entry.marked = true;
		}
		// the call's own error goes on as it is (it is already the node error n8n shows)
		const result = await call().catch(async (error: unknown) => {
			// 1MSG certainly did not send it: a later try or run may send it
			if (!this.rules.mayHaveBeenSent(error)) {
				await this.lane.remove(`mark:${key}`);
				entry.marked = false;
			}
			return await Promise.reject(error);
		});
		await this.lane.record(`sent:${key}`);
		return result;
	}
}
