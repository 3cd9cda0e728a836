/**
 * The transport under attack, through the node in n8n-core against real loopback servers: redirects
 * to another host, error pages that quote the token near the cut, reads that fail for a while,
 * answers that never end or drip a byte at a time, option values that are not numbers, and
 * Retry-After values that make no sense.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INodeParameters } from 'n8n-workflow';
import { afterEach, describe, expect, test } from 'vitest';
import { DEFAULT_NAMESPACE } from '../../sandbox/fakeOneMsg.mts';
import { credentialsFor, everythingVisible, ticketAccepted, useFake } from '../support/fixtures.mts';
import { runNode, type RunResult } from '../support/n8n.mts';

const fake = useFake();
const servers: Server[] = [];

afterEach(async () => {
	for (const server of servers.splice(0)) {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}
});

/** A loopback server of the test's own making; every request it gets is recorded. */
async function loopback(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
	const received: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
	const server = createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const body = Buffer.concat(chunks).toString('utf8');
		received.push({ method: req.method, url: req.url, headers: req.headers, body });
		handle(req, res, body);
	});
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const send = (options: INodeParameters = {}, parameters: INodeParameters = {}) =>
	runNode({ credentials: credentialsFor(fake), parameters: ticketAccepted({ namespace: DEFAULT_NAMESPACE, options, ...parameters }) });

/** Every piece of the token `length` characters long. */
const piecesOf = (token: string, length: number) => Array.from({ length: token.length - length + 1 }, (_, i) => token.slice(i, i + length));

function expectNoPieceOfToken(result: RunResult, token: string) {
	const visible = everythingVisible(result);
	for (const piece of piecesOf(token, 8)) expect(visible, `a piece of the token: ${piece}`).not.toContain(piece);
}

describe('redirects are never followed', () => {
	test.each([301, 302, 303, 307, 308])('a send answered %i to another host: an error naming that host; nothing reaches it', async (status) => {
		const elsewhere = await loopback((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"sent":true,"id":"wamid.ELSEWHERE"}'));
		fake.intercept((request) =>
			request.apiMethod === 'sendTemplate' ? { status, headers: { location: `${elsewhere.url}/collect` }, body: {} } : undefined,
		);
		const result = await send();
		expect(elsewhere.received).toEqual([]);
		expect(result.error?.message).toBe(`1MSG (HTTP ${status}): the API answered with a redirect to ${new URL(elsewhere.url).host}, which is not followed`);
		expect(result.error?.description).toMatch(/^Check the Base URL in the OneMsg credential.*no message was sent, so it is safe to try again/);
		expect(fake.requestsTo('sendTemplate')).toHaveLength(1); // not retried either
		expectNoPieceOfToken(result, fake.token);
	});

	test('a read answered 302 (the template list) is not followed either', async () => {
		const elsewhere = await loopback((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"templates":[]}'));
		fake.intercept((request) => (request.apiMethod === 'templates' ? { status: 302, headers: { location: `${elsewhere.url}/t` } } : undefined));
		const result = await runNode({ credentials: credentialsFor(fake), parameters: ticketAccepted() });
		expect(elsewhere.received).toEqual([]);
		expect(result.error?.message).toMatch(/redirect to 127\.0\.0\.1:\d+, which is not followed/);
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('with Continue On Fail the item says sent: false', async () => {
		const elsewhere = await loopback((_req, res) => res.writeHead(200).end('{}'));
		fake.intercept((request) => (request.apiMethod === 'sendTemplate' ? { status: 307, headers: { location: elsewhere.url } } : undefined));
		const result = await runNode({ credentials: credentialsFor(fake), parameters: ticketAccepted({ namespace: DEFAULT_NAMESPACE }), continueOnFail: true });
		expect(result.items?.[0].json).toMatchObject({ sent: false, httpCode: '307' });
		expect(elsewhere.received).toEqual([]);
	});
});

describe('the token is hidden before an answer is shortened', () => {
	test('a long HTML 401 page quoting the token at every place around the 160-character cut', async () => {
		for (let offset = 130; offset <= 175; offset += 3) {
			fake.reset();
			fake.intercept((request) =>
				request.apiMethod === 'sendTemplate'
					? { status: 401, text: `<html><body><h1>Unauthorized</h1><p>${'x'.repeat(offset)} ${fake.token} is not valid here</p></body></html>` }
					: undefined,
			);
			const result = await send();
			expect(result.error?.httpCode).toBe('401');
			expectNoPieceOfToken(result, fake.token);
		}
	});

	test('a JSON answer quoting the token in every field the error shows', async () => {
		fake.intercept((request) =>
			request.apiMethod === 'sendTemplate'
				? { status: 400, body: { error: { error_user_title: `bad ${fake.token}`, error_user_msg: `token ${fake.token.slice(3)}`, code: fake.token } } }
				: undefined,
		);
		const result = await send();
		expect(result.error?.httpCode).toBe('400');
		expectNoPieceOfToken(result, fake.token);
	});
});

describe('reads are asked again', () => {
	test.each([
		['429 (Retry-After 0)', { status: 429, body: { error: 'Too many requests' }, headers: { 'retry-after': '0' } }],
		['429 without Retry-After', { status: 429, body: { error: 'Too many requests' } }],
		['503', { status: 503, text: '<h1>Service Unavailable</h1>' }],
		['a reset connection', { status: 0, drop: true }],
	])('the template list after %s: 1MSG is really asked again and the send goes out', async (_name, reply) => {
		let failures = 2;
		fake.intercept((request) => (request.apiMethod === 'templates' && failures-- > 0 ? reply : undefined));
		const result = await runNode({ credentials: credentialsFor(fake), parameters: ticketAccepted() });
		expect(result.error).toBeUndefined();
		expect(fake.requestsTo('templates')).toHaveLength(3);
		expect(fake.sent).toHaveLength(1);
	});

	test('a read that keeps failing is asked 4 times in all, then the items fail once each', async () => {
		fake.intercept((request) => (request.apiMethod === 'templates' ? { status: 429, body: { error: 'Too many requests' }, headers: { 'retry-after': '0' } } : undefined));
		const result = await runNode({ credentials: credentialsFor(fake), parameters: ticketAccepted({ phone: '={{ $json.phone }}' }), items: [{ phone: '+14155552671' }, { phone: '+14155552672' }], continueOnFail: true });
		expect(fake.requestsTo('templates')).toHaveLength(4);
		expect(result.items?.map((i) => i.json.httpCode)).toEqual(['429', '429']);
		expect(result.items?.map((i) => String(i.json.description))).not.toContain(expect.stringContaining('tries)'));
	});
});

describe('every call has a deadline for the whole exchange', () => {
	test('a template list that never comes: Timeout 0.5 s ends the read, reads included', async () => {
		fake.intercept((request) => (request.apiMethod === 'templates' ? { status: 200, body: { templates: [] }, delayMs: 20_000 } : undefined));
		const started = Date.now();
		const result = await send({ timeout: 0.5 }, { namespace: '' });
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(result.error?.message).toMatch(/no complete answer from .* within 0\.5 s/);
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test('a send answered one byte every 300 ms: the deadline ends it, and it may have gone out', async () => {
		const answer = Buffer.from(JSON.stringify({ sent: true, id: 'wamid.SLOW', padding: 'x'.repeat(20) }));
		const drip = await loopback((req, res) => {
			res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(answer.length) });
			let i = 0;
			const timer = setInterval(() => {
				if (res.destroyed || i >= answer.length) return clearInterval(timer);
				res.write(answer.subarray(i, ++i));
			}, 300);
			req.socket.on('close', () => clearInterval(timer));
		});
		const started = Date.now();
		const result = await runNode({
			credentials: { ...credentialsFor(fake), baseUrl: drip.url },
			parameters: ticketAccepted({ namespace: DEFAULT_NAMESPACE, options: { timeout: 1 } }),
		});
		const elapsed = Date.now() - started;
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toMatch(/no complete answer from http:\/\/127\.0\.0\.1:\d+ within 1 s/);
		expect(result.error?.description).toMatch(/may or may not have been sent/);
		expect(drip.received.filter((r) => r.url?.endsWith('/sendTemplate'))).toHaveLength(1); // not retried
		expect(elapsed).toBeLessThan(answer.length * 300);
	});
});

describe('option values from expressions are checked before anything is sent', () => {
	test.each([
		['Concurrent Requests', { concurrency: 'ten' }, /^Concurrent Requests must be a whole number, got "ten"$/],
		['Concurrent Requests', { concurrency: 0 }, /^Concurrent Requests must be from 1 to 100, got 0$/],
		['Rate Limit Retries', { rateLimitRetries: 'many' }, /^Rate Limit Retries must be a whole number/],
		['Timeout (Seconds)', { timeout: 'two' }, /^Timeout \(Seconds\) must be a number, got "two"$/],
		['Timeout (Seconds)', { timeout: -5 }, /^Timeout \(Seconds\) must be from 0\.1 to 3600, got -5$/],
	])('%s = %j', async (_field, options, message) => {
		const result = await runNode({
			credentials: credentialsFor(fake),
			parameters: ticketAccepted({ phone: '={{ $json.phone }}', options }),
			items: [{ phone: '+14155552671' }, { phone: '+14155552672' }],
			continueOnFail: true,
		});
		expect(result.error?.message ?? JSON.stringify(result.items)).toMatch(message);
		expect(fake.requestsTo('sendTemplate')).toHaveLength(0);
	});

	test.each([
		['Poll Interval (Seconds)', { pollInterval: 'five' }, /^Poll Interval \(Seconds\) must be a number, got "five"$/],
		['Timeout (Seconds)', { waitTimeout: 'two' }, /^Timeout \(Seconds\) must be a number, got "two"$/],
		['Poll Interval (Seconds)', { pollInterval: 0 }, /^Poll Interval \(Seconds\) must be from 0\.1 to 3600, got 0$/],
	])('Get Delivery Status: %s = %j', async (_field, fields, message) => {
		const result = await runNode({
			credentials: credentialsFor(fake),
			parameters: { operation: 'deliveryStatus', messageId: 'wamid.X', waitForFinal: true, waitTimeout: 2, pollInterval: 1, ...fields },
		});
		expect(result.error?.message).toMatch(message);
		expect(fake.requestsTo('hookInfo')).toHaveLength(0);
	});
});

describe('Retry-After', () => {
	test('longer than the 30 s the node waits: the item fails at once, saying how long 1MSG asks to wait', async () => {
		fake.intercept((request) =>
			request.apiMethod === 'sendTemplate' ? { status: 429, body: { error: 'Too many requests' }, headers: { 'retry-after': '86400' } } : undefined,
		);
		const result = await send();
		expect(result.error?.message).toBe('1MSG (HTTP 429): Too many requests (1MSG asks to wait 86400 s)');
		expect(result.error?.description).toMatch(/^1MSG asks to wait 86400 s, longer than the 30 s this node waits/);
		expect(fake.requestsTo('sendTemplate')).toHaveLength(1);
	});

	test.each(['-1', 'soon'])('%s is not "at once": the next try waits the normal backoff (at least 250 ms)', async (value) => {
		const at: number[] = [];
		fake.intercept((request) => {
			if (request.apiMethod !== 'sendTemplate') return undefined;
			at.push(Date.now());
			return at.length === 1 ? { status: 429, body: { error: 'Too many requests' }, headers: { 'retry-after': value } } : undefined;
		});
		const result = await send();
		expect(result.error).toBeUndefined();
		expect(at).toHaveLength(2);
		expect(at[1] - at[0]).toBeGreaterThanOrEqual(240);
	});
});
