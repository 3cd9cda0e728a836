/**
 * Bulk sending under fire: 1,000 items through n8n-core's engine against a fake 1MSG that answers at
 * random with every failure it has. Every input item must come out exactly once, successes must carry
 * the id the fake issued for that very request, and no customer may get a message twice unless the
 * test's own "retry when delivery is uncertain" option allowed it.
 */
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import type { Reply } from '../../sandbox/fakeOneMsg.mts';
import { credentialsFor, everythingVisible, seededRandom, startFake, ticketAccepted, useFake } from '../support/fixtures.mts';
import { runNode } from '../support/n8n.mts';

const ITEMS = 1000;
const TIMEOUT_S = 0.4;

const FAULTS: Array<[number, string, (proceed: () => Reply) => Reply | undefined]> = [
	[0.06, '429 with Retry-After', () => ({ status: 429, body: { error: 'Too many requests' }, headers: { 'retry-after': '0' } })],
	[0.015, '429 without Retry-After', () => ({ status: 429, body: { error: 'Too many requests' } })],
	[0.02, '500 before sending', () => ({ status: 500, body: { message: 'Internal error' } })],
	[0.02, '500 after sending', (proceed) => (proceed(), { status: 500, body: { message: 'Internal error' } })],
	[0.02, 'HTML 502', () => ({ status: 502, text: '<html><body><h1>502 Bad Gateway</h1></body></html>' })],
	[0.02, 'sent:false', () => ({ status: 200, body: { sent: false, message: 'Queue is full' } })],
	[0.015, 'slow past the timeout, after sending', (proceed) => ({ ...proceed(), delayMs: TIMEOUT_S * 1000 + 300 })],
	[0.015, 'dropped before sending', () => ({ status: 0, drop: true })],
	[0.015, 'dropped after sending', (proceed) => ({ ...proceed(), drop: true })],
];

const fake = useFake();

const phoneOf = (i: number) => `1415${String(i).padStart(7, '0')}`;

function injectFaults(seed: number) {
	const next = seededRandom(seed);
	const seen: Record<string, number> = {};
	fake.intercept((request, proceed) => {
		if (request.apiMethod !== 'sendTemplate') return undefined;
		let roll = next();
		for (const [share, name, reply] of FAULTS) {
			if ((roll -= share) < 0) {
				seen[name] = (seen[name] ?? 0) + 1;
				return reply(proceed);
			}
		}
		return undefined;
	});
	return seen;
}

async function sendAll(options: Record<string, unknown>) {
	const items = Array.from({ length: ITEMS }, (_, i) => ({ phone: `+${phoneOf(i)}`, n: i }));
	return await runNode({
		credentials: credentialsFor(fake),
		parameters: ticketAccepted({
			phone: '={{ $json.phone }}',
			ticketNumber: '={{ $json.n }}',
			namespace: 'ca300906_cfbc_410b_99fb_dcee8e13d578',
			options: { timeout: TIMEOUT_S, ...options },
		}),
		items,
		continueOnFail: true,
	});
}

function account(result: Awaited<ReturnType<typeof sendAll>>) {
	const items = result.items!;
	expect(items).toHaveLength(ITEMS);
	expect(items.map((item) => item.pairedItem)).toEqual(Array.from({ length: ITEMS }, (_, item) => ({ item })));
	const idsByPhone = new Map<string, string[]>();
	for (const m of fake.sent) idsByPhone.set(m.phone, [...(idsByPhone.get(m.phone) ?? []), m.id]);
	const successes = items.filter((i) => i.json.sent === true);
	for (const [index, item] of items.entries()) {
		if (item.json.sent !== true) {
			expect(typeof item.json.error).toBe('string');
			continue;
		}
		expect(item.json.phone).toBe(phoneOf(index));
		// the id the fake issued for this phone's answered request
		expect(idsByPhone.get(phoneOf(index))).toContain(item.json.messageId);
	}
	expect(everythingVisible(result)).not.toContain(fake.token);
	return { items, successes, idsByPhone };
}

describe(`${ITEMS} items against a fake that fails at random`, () => {
	test('default settings: every item accounted for once, no 429 left unretried, no customer messaged twice', async () => {
		const seen = injectFaults(20261121);
		const result = await sendAll({});
		expect(result.error).toBeUndefined();
		const { items, successes, idsByPhone } = account(result);

		for (const ids of idsByPhone.values()) expect(ids).toHaveLength(1);
		// 429s are retried: none ends an item (the fake rolls again on each try)
		expect(items.filter((i) => i.json.httpCode === '429')).toHaveLength(0);
		// what may have gone out is reported as such, and not retried
		const uncertain = items.filter((i) => String(i.json.description).includes('may or may not have been sent'));
		expect(uncertain.length).toBeGreaterThan(0);
		// every fault kind was exercised
		expect(Object.keys(seen).sort()).toEqual(FAULTS.map(([, name]) => name).sort());
		expect(successes.length + items.filter((i) => i.json.sent === false).length).toBe(ITEMS);
		expect(successes.length).toBeGreaterThan(ITEMS * 0.8);
	}, 120_000);

	test('with "Retry When Delivery Is Uncertain", uncertain failures are retried: fewer failures, duplicates possible', async () => {
		injectFaults(7);
		const result = await sendAll({ retryUncertain: true });
		const { items, idsByPhone } = account(result);
		const failed = items.filter((i) => i.json.sent !== true);
		// only sent:false (a definite "no") and exhausted retries can remain
		expect(failed.every((i) => /Queue is full|tries\)/.test(`${i.json.error} ${i.json.description}`))).toBe(true);
		const twice = [...idsByPhone.values()].filter((ids) => ids.length > 1).length;
		expect(twice).toBeGreaterThan(0); // the risk the option documents
	}, 120_000);
});

describe('a refused connection is retried', () => {
	test('1MSG not listening yet: the send goes through once it is', async () => {
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as { port: number };
		await new Promise((resolve) => server.close(resolve));
		const late = await startFake({ channelId: fake.channelId, token: fake.token });
		await late.stop();
		setTimeout(() => void late.start(port), 400);
		const result = await runNode({
			credentials: { ...credentialsFor(fake), baseUrl: `http://127.0.0.1:${port}` },
			parameters: ticketAccepted({ namespace: 'ca300906_cfbc_410b_99fb_dcee8e13d578' }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items![0].json.messageId).toBe(late.sent[0].id);
		await late.stop();
	});
});

describe('without Continue On Fail, the first failure stops every send that has not started', () => {
	test('concurrency 4, item 0 gets one 429, item 2 a 400: items 4 and 5, waiting out the pause, are never sent', async () => {
		const phones = Array.from({ length: 6 }, (_, i) => phoneOf(i));
		const answered = new Set<number>();
		let settled!: () => void;
		const firstThreeAnswered = new Promise<void>((resolve) => (settled = resolve));
		fake.intercept(async (request, proceed) => {
			if (request.apiMethod !== 'sendTemplate') return undefined;
			const item = phones.indexOf((request.body as { phone: string }).phone);
			if (item === 2) {
				await firstThreeAnswered;
				// give the node the moment to hand items 4 and 5 to the freed senders (they then wait out the pause)
				await new Promise((resolve) => setTimeout(resolve, 300));
				return { status: 400, body: { message: 'Bad phone' } };
			}
			const reply = item === 0 && !answered.has(0) ? { status: 429, body: { error: 'Too many requests' }, headers: { 'retry-after': '5' } } : proceed();
			answered.add(item);
			if ([0, 1, 3].every((i) => answered.has(i))) settled();
			return reply;
		});
		const result = await runNode({
			credentials: credentialsFor(fake),
			parameters: ticketAccepted({ phone: '={{ $json.phone }}', namespace: 'ca300906_cfbc_410b_99fb_dcee8e13d578', options: { concurrency: 4 } }),
			items: phones.map((phone) => ({ phone })),
		});
		expect(result.error?.message).toBe('1MSG (HTTP 400): Bad phone');
		expect(result.error?.context?.itemIndex).toBe(2);
		expect(result.error?.description).toMatch(/Of 6 items, 2 sent, 1 failed, 3 not sent \(the node stops at the first failure\)\.$/);
		const tried = fake.requestsTo('sendTemplate').map((r) => phones.indexOf((r.body as { phone: string }).phone));
		expect(tried.sort()).toEqual([0, 1, 2, 3]);
		expect(fake.sent.map((m) => m.phone).sort()).toEqual([phones[1], phones[3]]);
	});
});
