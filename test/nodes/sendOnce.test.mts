/**
 * Skip Items Already Sent through n8n-core's engine: the node's helpers `checkProcessedAndRecord` and
 * `removeProcessed` are n8n-core's own, backed here by a store that behaves like n8n's database one
 * (md5 of each value, one row per node read and rewritten by each call, with a round trip between
 * the read and the write, so overlapping calls would lose records). The queue-mode suite runs the
 * same against n8n's real store in Postgres, with a worker killed mid-batch.
 */
import { createHash } from 'node:crypto';
import type { DeduplicationItemTypes, DeduplicationScope, ICheckProcessedContextData, ICheckProcessedOptions, IDataDeduplicator, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { beforeEach, describe, expect, test } from 'vitest';
import { credentialsFor, ticketAccepted, useFake } from '../support/fixtures.mts';
import { n8nCore, ONEMSG_NODE, runNode } from '../support/n8n.mts';

class DatabaseLikeStore implements IDataDeduplicator {
	readonly rows = new Map<string, string[]>();
	readonly maxEntriesAsked = new Set<number | undefined>();
	overlapping = 0;
	private active = 0;

	private static hash(value: DeduplicationItemTypes): string {
		return createHash('md5').update(value.toString()).digest('base64');
	}

	private static row(scope: DeduplicationScope, context: ICheckProcessedContextData): string {
		return `${context.workflow.id}:${scope === 'node' ? `n:${context.node?.id}` : ''}`;
	}

	private async readModifyWrite<T>(scope: DeduplicationScope, context: ICheckProcessedContextData, change: (stored: string[]) => T): Promise<T> {
		if (++this.active > 1) this.overlapping++;
		const key = DatabaseLikeStore.row(scope, context);
		const stored = [...(this.rows.get(key) ?? [])];
		await new Promise((resolve) => setTimeout(resolve, 2)); // the database round trip
		const result = change(stored);
		this.rows.set(key, stored);
		this.active--;
		return result;
	}

	async checkProcessedAndRecord(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData, options: ICheckProcessedOptions) {
		this.maxEntriesAsked.add(options.maxEntries);
		return await this.readModifyWrite(scope, context, (stored) => {
			const seen = new Set(stored);
			const answer = { new: [] as DeduplicationItemTypes[], processed: [] as DeduplicationItemTypes[] };
			for (const item of items) {
				const hash = DatabaseLikeStore.hash(item);
				if (seen.has(hash)) answer.processed.push(item);
				else answer.new.push(item), stored.push(hash);
			}
			if (options.maxEntries) stored.splice(0, Math.max(0, stored.length - options.maxEntries));
			return answer;
		});
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData) {
		await this.readModifyWrite(scope, context, (stored) => {
			for (const hash of items.map(DatabaseLikeStore.hash)) {
				const at = stored.indexOf(hash);
				if (at !== -1) stored.splice(at, 1);
			}
		});
	}

	async clearAllProcessedItems() {
		this.rows.clear();
	}

	async getProcessedDataCount() {
		return [...this.rows.values()].reduce((n, row) => n + row.length, 0);
	}
}

const store = new DatabaseLikeStore();
await n8nCore.DataDeduplicationService.init(store);

const fake = useFake();
beforeEach(() => {
	store.rows.clear();
	store.overlapping = 0;
});

const phoneOf = (i: number) => `1415${String(i).padStart(7, '0')}`;
const tickets = (n: number) => Array.from({ length: n }, (_, i) => ({ phone: phoneOf(i), ticket: String(1000 + i) }));
const params = (options: Record<string, unknown> = {}) =>
	ticketAccepted({ phone: '={{ $json.phone }}', ticketNumber: '={{ $json.ticket }}', options: { skipAlreadySent: true, ...options } });
const run = async (items: Array<Record<string, string>>, options: Record<string, unknown> = {}) =>
	await runNode({ parameters: params(options), items, credentials: credentialsFor(fake), continueOnFail: true });
const sentPerPhone = () => {
	const counts = new Map<string, number>();
	for (const m of fake.sent) counts.set(m.phone, (counts.get(m.phone) ?? 0) + 1);
	return counts;
};

describe('Skip Items Already Sent', () => {
	test('a second run of the same items sends nothing and answers each item as sent and skipped', async () => {
		const first = await run(tickets(60));
		expect(first.items!.map((i) => i.json.sent)).toEqual(Array(60).fill(true));
		expect(fake.sent).toHaveLength(60);
		expect(store.overlapping).toBe(0);
		// a mark and a confirmation per send, in the node's own row: the last 10,000 sends
		expect([...store.rows.values()].map((row) => row.length)).toEqual([120]);
		expect([...store.maxEntriesAsked]).toEqual([20_000]);

		const second = await run(tickets(60));
		expect(fake.sent).toHaveLength(60);
		expect(second.items!.map((i) => i.json)).toEqual(
			tickets(60).map((t) => ({
				sent: true, skipped: true, messageId: null, phone: t.phone, template: 'ticket_accepted', language: 'en',
				namespace: expect.any(String), operation: 'ticketAccepted',
			})),
		);
	});

	test('off (the default), the same items are sent again', async () => {
		await runNode({ parameters: ticketAccepted({ phone: '={{ $json.phone }}', ticketNumber: '={{ $json.ticket }}' }), items: tickets(3), credentials: credentialsFor(fake) });
		await runNode({ parameters: ticketAccepted({ phone: '={{ $json.phone }}', ticketNumber: '={{ $json.ticket }}' }), items: tickets(3), credentials: credentialsFor(fake) });
		expect([...sentPerPhone().values()]).toEqual([2, 2, 2]);
		expect(store.rows.size).toBe(0);
	});

	test('a send that may have gone out is not sent again: the re-run fails that item as uncertain', async () => {
		// item 1: 1MSG takes it in and the connection drops before the answer
		fake.intercept((request, proceed) =>
			request.apiMethod === 'sendTemplate' && (request.body as { phone: string }).phone === phoneOf(1) ? { ...proceed(), drop: true } : undefined,
		);
		const first = await run(tickets(3));
		expect(first.items!.map((i) => i.json.sent)).toEqual([true, false, true]);
		fake.clearInterceptors();

		const second = await run(tickets(3));
		expect(second.items!.map((i) => [i.json.sent, i.json.skipped ?? false])).toEqual([[true, true], [false, false], [true, true]]);
		expect(second.items![1].json.error).toBe(
			'This message may or may not have been sent: an earlier run started sending it and never saw 1MSG accept it',
		);
		expect(second.items![1].json.description).toMatch(/^The message may or may not have been sent: check before retrying/);
		expect([...sentPerPhone().values()]).toEqual([1, 1, 1]);
		// and it stays uncertain: the check took back its own record
		expect((await run(tickets(3))).items![1].json.sent).toBe(false);
		expect(fake.sent).toHaveLength(3);
	});

	test('a send 1MSG certainly did not take (refused, or unreachable before sending) goes out on the re-run', async () => {
		fake.intercept((request) =>
			request.apiMethod === 'sendTemplate' && (request.body as { phone: string }).phone === phoneOf(2) ? { status: 200, body: { sent: false, message: 'Queue is full' } } : undefined,
		);
		const first = await run(tickets(3));
		expect(first.items!.map((i) => i.json.sent)).toEqual([true, true, false]);
		fake.clearInterceptors();
		const second = await run(tickets(3));
		expect(second.items!.map((i) => [i.json.sent, i.json.skipped ?? false])).toEqual([[true, true], [true, true], [true, false]]);
		expect([...sentPerPhone().values()]).toEqual([1, 1, 1]);
	});

	test('the same key twice in one input: one message, the repeat answered with its id', async () => {
		const result = await run([...tickets(2), tickets(2)[0]]);
		expect(fake.sent).toHaveLength(2);
		expect(result.items![2].json).toMatchObject({ sent: true, skipped: true, messageId: result.items![0].json.messageId });
	});

	test('Skip Key decides what counts as the same send', async () => {
		const byTicket = { skipKey: '={{ $json.ticket }}' };
		await run([{ phone: phoneOf(1), ticket: '7' }], byTicket);
		const second = await run([{ phone: phoneOf(2), ticket: '7' }, { phone: phoneOf(3), ticket: '8' }], byTicket);
		expect(second.items!.map((i) => i.json.skipped ?? false)).toEqual([true, false]);
		expect(fake.sent.map((m) => m.phone)).toEqual([phoneOf(1), phoneOf(3)]);
	});

	test('the default key holds the variables: a changed variable is another message', async () => {
		await run(tickets(1));
		await run([{ ...tickets(1)[0], ticket: '9999' }]);
		expect(fake.sent).toHaveLength(2);
	});
});

describe('Skip Items Already Sent on the OneMsg node', () => {
	const customers = ['14155550001', '14155550002', '14155550003'];
	const replies = (texts: string[]) => texts.map((text, i) => ({ to: customers[i], text }));
	const reply = (options: INodeParameters = { skipAlreadySent: true }): INodeParameters => ({ operation: 'sendText', to: '={{ $json.to }}', text: '={{ $json.text }}', options });
	const runOneMsg = async (parameters: INodeParameters, more: { items?: Array<Record<string, string>>; inputItems?: INodeExecutionData[]; continueOnFail?: boolean } = {}) =>
		await runNode({ type: ONEMSG_NODE, parameters, credentials: credentialsFor(fake), continueOnFail: more.continueOnFail ?? true, ...more });
	// the 24-hour window is open for every customer
	beforeEach(async () => {
		for (const phone of customers) await fake.customerSays({ text: 'Hello', phone });
	});

	test('a re-run of the same replies sends nothing and answers each as sent and skipped; a changed reply is sent', async () => {
		const first = await runOneMsg(reply(), { items: replies(['one', 'two', 'three']) });
		expect(first.items!.map((i) => i.json.sent)).toEqual([true, true, true]);
		const second = await runOneMsg(reply(), { items: replies(['one', 'two', 'three']) });
		expect(fake.outbox).toHaveLength(3);
		expect(second.items!.map((i) => i.json)).toEqual(
			customers.map((phone) => ({ sent: true, skipped: true, messageId: null, to: `${phone}@c.us`, operation: 'sendText' })),
		);
		const third = await runOneMsg(reply(), { items: replies(['one', 'two, corrected', 'three']) });
		expect(third.items!.map((i) => i.json.skipped ?? false)).toEqual([true, false, true]);
		expect(fake.outbox.map((m) => m.body.body)).toEqual(['one', 'two', 'three', 'two, corrected']);
	});

	test('off (the default), the same replies are sent again', async () => {
		await runOneMsg(reply({}), { items: replies(['one', 'two']) });
		await runOneMsg(reply({}), { items: replies(['one', 'two']) });
		expect(fake.outbox.map((m) => m.body.body)).toEqual(['one', 'two', 'one', 'two']);
		expect(store.rows.size).toBe(0);
	});

	test('Skip Key decides what counts as the same send', async () => {
		const byTicket = reply({ skipAlreadySent: true, skipKey: '={{ $json.ticket }}' });
		await runOneMsg(byTicket, { items: [{ to: customers[0], text: 'Your ticket is open', ticket: '7' }] });
		const second = await runOneMsg(byTicket, {
			items: [{ to: customers[0], text: 'Your ticket 7 is open', ticket: '7' }, { to: customers[0], text: 'Your ticket is open', ticket: '8' }],
		});
		expect(second.items!.map((i) => i.json.skipped ?? false)).toEqual([true, false]);
		expect(fake.outbox.map((m) => m.body.body)).toEqual(['Your ticket is open', 'Your ticket is open']);
	});

	const wamid = (n: number) => `wamid.HBgLMTQxNTU1NTAwMDEVAgASGBQz${n}`;
	const file = (content: string, mimeType = 'application/pdf') => ({ data: Buffer.from(content).toString('base64'), mimeType, fileName: 'invoice.pdf' });
	const buttons = (...titles: Array<string | [string, string]>) => ({ button: titles.map((t) => (Array.isArray(t) ? { title: t[0], id: t[1] } : { title: t })) });
	test.each([
		{
			operation: 'sendText',
			base: { to: customers[0], text: 'Hi', replyTo: wamid(1) },
			same: [{ to: `+1 (415) 555-0001` }, { to: `${customers[0]}@c.us` }],
			other: [{ to: customers[1] }, { text: 'Hi!' }, { replyTo: wamid(2) }, { replyTo: '' }],
		},
		{
			operation: 'sendFile',
			base: { to: customers[0], fileSource: 'url', fileUrl: 'https://files.example.com/a/invoice.pdf', caption: 'Your invoice', replyTo: '' },
			same: [{ fileName: 'invoice.pdf' }],
			other: [{ to: customers[1] }, { fileUrl: 'https://files.example.com/b/invoice.pdf' }, { fileName: 'invoice-42.pdf' }, { caption: 'Invoice' }, { replyTo: wamid(1) }],
		},
		{
			operation: 'sendFile',
			base: { to: customers[0], fileSource: 'binary', binaryProperty: 'data', fileName: '', caption: '' },
			binary: file('%PDF invoice 42'),
			same: [{ binaryProperty: 'copy' }],
			other: [{ binaryProperty: 'changed' }, { binaryProperty: 'asText' }, { fileName: 'invoice-42.pdf' }, { caption: 'Invoice' }],
		},
		{
			operation: 'sendButtons',
			base: { to: customers[0], text: 'Solved?', buttons: buttons('Yes', 'No'), replyTo: '' },
			same: [{ buttons: buttons(['Yes', 'Yes'], 'No') }],
			other: [{ to: customers[1] }, { text: 'Solved now?' }, { buttons: buttons('No', 'Yes') }, { buttons: buttons(['Yes', 'y'], 'No') }, { replyTo: wamid(1) }],
		},
	])('$operation: the default key is the recipient, the operation and all the message holds ($base.fileSource)', async ({ operation, base, binary, same, other }) => {
		// one input item, with the file in several binary properties: the same bytes, other bytes, another type
		const inputItems = [{ json: {}, binary: { data: binary, copy: binary, changed: file('%PDF invoice 43'), asText: file('%PDF invoice 42', 'text/plain') } }] as INodeExecutionData[];
		const runWith = async (change: Record<string, unknown>) =>
			(await runOneMsg({ operation, ...base, ...change, options: { skipAlreadySent: true } }, binary ? { inputItems } : {})).items![0].json;
		expect(await runWith({})).toMatchObject({ sent: true, messageId: fake.outbox[0]?.id });
		for (const change of same) expect(await runWith(change), JSON.stringify(change)).toMatchObject({ sent: true, skipped: true });
		for (const change of other) expect(await runWith(change), JSON.stringify(change)).toEqual(expect.not.objectContaining({ skipped: true }));
		expect(fake.outbox).toHaveLength(1 + other.length);
		expect(fake.outbox.every((m) => m.method === { sendText: 'sendMessage', sendFile: 'sendFile', sendButtons: 'sendButton' }[operation])).toBe(true);
	});

	test('the same words as a text and as buttons are two messages', async () => {
		await runOneMsg({ operation: 'sendText', to: customers[0], text: 'Solved?', options: { skipAlreadySent: true } });
		const buttonsRun = await runOneMsg({ operation: 'sendButtons', to: customers[0], text: 'Solved?', buttons: buttons('Yes'), options: { skipAlreadySent: true } });
		expect(buttonsRun.items![0].json.skipped).toBeUndefined();
		expect(fake.outbox.map((m) => m.method)).toEqual(['sendMessage', 'sendButton']);
	});

	test('a re-run that stops at an uncertain reply counts the skipped ones apart in its error', async () => {
		// the second reply: 1MSG takes it in and the connection drops before the answer
		fake.intercept((request, proceed) => (request.apiMethod === 'sendMessage' && (request.body as { body: string }).body === 'two' ? { ...proceed(), drop: true } : undefined));
		await runOneMsg(reply(), { items: replies(['one', 'two']) });
		fake.clearInterceptors();
		const rerun = await runOneMsg(reply({ skipAlreadySent: true, concurrency: 1 }), { items: replies(['one', 'two', 'three']), continueOnFail: false });
		expect(rerun.error?.message).toBe('This message may or may not have been sent: an earlier run started sending it and never saw 1MSG accept it');
		expect(rerun.error?.description).toMatch(/ Of 3 items, 0 sent, 1 skipped \(already sent\), 1 failed, 1 not sent \(the node stops at the first failure\)\.$/);
		expect(fake.outbox.map((m) => m.body.body)).toEqual(['one', 'two']);
	});

	test('Mark as Read does not use it: marking a message read again does no harm', async () => {
		const parameters = { operation: 'markAsRead', messageId: wamid(1), options: { skipAlreadySent: true } };
		await runOneMsg(parameters);
		await runOneMsg(parameters);
		expect(fake.requestsTo('readMessage')).toHaveLength(2);
		expect(store.rows.size).toBe(0);
	});
});
