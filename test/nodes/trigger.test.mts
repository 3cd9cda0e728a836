/**
 * OneMsg Trigger: webhook lifecycle through n8n-core's HookContext against the fake 1MSG, and
 * deliveries through WebhookContext on a real loopback server.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { WINDOW_CLOSED_HINT } from '../../nodes/api/deliveryEvents.ts';
import { parseWebhookUrls } from '../../nodes/OneMsgTrigger/webhookUrls.ts';
import { credentialsFor, startFake, useFake } from '../support/fixtures.mts';
import { TriggerHarness } from '../support/n8n.mts';

const fake = useFake();
let trigger: TriggerHarness;
const OTHERS = ['https://crm.example.com/hooks/1msg', 'https://bi.example.com/in?key=abc'];

async function newTrigger(parameters: Record<string, unknown> = {}, webhookId?: string) {
	const harness = new TriggerHarness({ parameters: parameters as never, credentials: credentialsFor(fake), webhookId });
	await harness.start();
	return harness;
}

beforeEach(async () => {
	fake.webhookUrl = [...OTHERS];
	trigger = await newTrigger();
});
afterEach(async () => {
	await trigger.stop();
});

const registered = () => {
	const value = fake.webhookUrl;
	return (Array.isArray(value) ? value : String(value ?? '').split(',')).map((u) => String(u).trim()).filter(Boolean);
};
const ours = () => registered().filter((u) => u.startsWith(trigger.webhookUrl()));

describe('activation', () => {
	test('adds this trigger’s URL, with a secret, beside the URLs already there, and turns delivery reports on', async () => {
		await trigger.activate();
		const urls = registered();
		expect(urls.slice(0, 2)).toEqual(OTHERS);
		expect(urls).toHaveLength(3);
		const url = new URL(urls[2]);
		expect(`${url.origin}${url.pathname}`).toBe(trigger.webhookUrl());
		expect(url.searchParams.get('secret')).toBe(trigger.staticData.secret);
		expect(fake.ackNotificationsOn).toBe(true);
	});

	test('the secret is random, at least 128 bits, and differs between triggers', async () => {
		await trigger.activate();
		const other = await newTrigger({}, 'another-webhook-id');
		await other.activate();
		const secrets = [trigger.staticData.secret, other.staticData.secret] as string[];
		for (const secret of secrets) expect(Buffer.from(secret, 'base64url').length).toBeGreaterThanOrEqual(16);
		expect(secrets[0]).not.toBe(secrets[1]);
		await other.stop();
	});

	test.each([
		['a single string', 'https://crm.example.com/hooks/1msg', ['https://crm.example.com/hooks/1msg']],
		['a comma-separated string', OTHERS.join(', '), OTHERS],
		['an empty string', '', []],
		['nothing at all', undefined, []],
	])('reads the channel list given as %s', async (_form, value, before) => {
		fake.webhookUrl = value;
		await trigger.activate();
		expect(registered().slice(0, before.length)).toEqual(before);
		expect(ours()).toHaveLength(1);
		expect(registered()).toHaveLength(before.length + 1);
	});

	test('activating twice, or create called twice, registers the URL once', async () => {
		await trigger.activate();
		await trigger.activate();
		await trigger.lifecycle('create', false);
		expect(ours()).toHaveLength(1);
		expect(registered()).toHaveLength(3);
	});

	test('a full list (5 URLs) fails with a message that says so and gives the URL to paste by hand', async () => {
		const five = ['https://a.example/1', 'https://b.example/2', 'https://c.example/3', 'https://d.example/4', 'https://e.example/5'];
		fake.webhookUrl = [...five];
		const failure = await trigger.activate().then(
			() => undefined,
			(error: Error & { description?: string }) => error,
		);
		expect(failure?.message).toBe('The 1MSG channel already has 5 webhook URLs, the most it allows');
		expect(failure?.description).toMatch(new RegExp(`by hand with this trigger's URL: ${trigger.webhookUrl()}\\?secret=[\\w-]{22,}$`));
		expect(registered()).toEqual(five);
		expect(fake.requestsTo('webhook').filter((r) => r.method === 'POST')).toHaveLength(0);
	});

	test('a URL pasted by hand into a full list is adopted with its secret', async () => {
		const pasted = `${trigger.webhookUrl()}?secret=pastedByHand_0123456789abcdef`;
		fake.webhookUrl = ['https://a.example/1', 'https://b.example/2', 'https://c.example/3', 'https://d.example/4', pasted];
		await trigger.activate();
		expect(trigger.staticData.secret).toBe('pastedByHand_0123456789abcdef');
		expect((await trigger.postTo(pasted, { ack: [{ id: 'wamid.X', status: 'sent' }] })).status).toBe(200);
		expect(trigger.executions).toHaveLength(1);
	});

	test('the test URL ("Listen for test event") registers and unregisters like the production URL', async () => {
		await trigger.activate(true);
		const testUrls = registered().filter((u) => u.startsWith(trigger.webhookUrl(true)));
		expect(testUrls).toHaveLength(1);
		expect((await trigger.postTo(testUrls[0], { ack: [{ id: 'wamid.T', status: 'read' }] })).status).toBe(200);
		expect(trigger.executions).toHaveLength(1);
		await trigger.deactivate(true);
		expect(registered()).toEqual(OTHERS);
	});
});

describe('deactivation', () => {
	test('removes only this trigger’s URL and leaves the list exactly as it was', async () => {
		await trigger.activate();
		await trigger.deactivate();
		expect(registered()).toEqual(OTHERS);
		expect(trigger.staticData.secret).toBeUndefined();
	});

	test('when no URL remains, clears the list through /settings (1MSG rejects an empty /webhook)', async () => {
		fake.webhookUrl = '';
		await trigger.activate();
		await trigger.deactivate();
		expect(fake.webhookUrl).toBe('');
		const posts = fake.requests.filter((r) => r.method === 'POST').map((r) => [r.apiMethod, r.body]);
		expect(posts.at(-1)).toEqual(['settings', { webhookUrl: '' }]);
		expect(posts.filter(([method, body]) => method === 'webhook' && !(body as { webhookUrl: unknown }).webhookUrl)).toHaveLength(0);
	});

	test('does not touch the list when this trigger’s URL is not on it', async () => {
		await trigger.deactivate();
		expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
		expect(registered()).toEqual(OTHERS);
	});
});

describe('the secret', () => {
	let url: string;
	beforeEach(async () => {
		await trigger.activate();
		[url] = ours();
	});
	const body = { ack: [{ id: 'wamid.S', chatId: '14155552671@c.us', status: 'delivered' }] };

	test('the registered URL starts the workflow', async () => {
		const answer = await trigger.postTo(url, body);
		expect(answer.status).toBe(200);
		expect(trigger.executions).toHaveLength(1);
	});

	test.each([
		['stripped', (u: string) => u.split('?')[0]],
		['altered', (u: string) => u.replace(/secret=(.)/, (_m, c: string) => `secret=${c === 'A' ? 'B' : 'A'}`)],
		['empty', (u: string) => u.replace(/secret=[^&]*/, 'secret=')],
		['given twice', (u: string) => `${u}&secret=x`],
	])('a request with the secret %s is answered 401 and starts nothing', async (_how, change) => {
		const answer = await trigger.postTo(change(url), body);
		expect(answer.status).toBe(401);
		expect(trigger.executions).toHaveLength(0);
	});

	test('before activation has stored a secret: 503 with Retry-After, nothing started', async () => {
		const fresh = await newTrigger({}, 'not-yet-active');
		const answer = await fresh.postTo(`${fresh.webhookUrl()}?secret=guess`, body);
		expect(answer.status).toBe(503);
		expect(answer.headers['retry-after']).toBe('5');
		expect(fresh.executions).toHaveLength(0);
		await fresh.stop();
	});
});

describe('events', () => {
	let url: string;
	const post = (body: unknown) => trigger.postTo(url, body);
	const emitted = () => trigger.executions.map((items) => items.map((i) => i.json));

	beforeEach(async () => {
		await trigger.activate();
		[url] = ours();
	});

	test('ack[]: one item with the contract fields', async () => {
		const event = { id: 'wamid.HBgLMTQxNTU1NTI2NzEVAgARGBI5QTM3', chatId: '14155552671@c.us', status: 'delivered' };
		await post({ instanceId: fake.channelId, ack: [event] });
		expect(emitted()).toEqual([
			[
				{
					event: 'status',
					messageId: event.id,
					status: 'delivered',
					phone: '14155552671',
					timestamp: null,
					channelId: fake.channelId,
					error: null,
					raw: event,
				},
			],
		]);
	});

	test('hooks[]: a failed event carries its first error and an ISO timestamp from Unix-second text', async () => {
		const event = {
			id: 'wamid.F',
			type: 'message',
			status: 'failed',
			timestamp: '1654864094',
			recipient_id: '14155552671',
			errors: [{ code: 131047, title: 'Re-engagement message' }, { code: 1, title: 'second' }],
		};
		await post({ hooks: [event] });
		expect(emitted()[0]).toEqual([
			{
				event: 'status',
				messageId: 'wamid.F',
				status: 'failed',
				phone: '14155552671',
				timestamp: '2022-06-10T12:28:14.000Z',
				channelId: null,
				error: { code: 131047, title: 'Re-engagement message', message: null, hint: WINDOW_CLOSED_HINT },
				raw: event,
			},
		]);
	});

	test('Meta’s raw entry[].changes[].value.statuses[] with a numeric timestamp', async () => {
		const status = { id: 'wamid.M', status: 'read', timestamp: 1654864094, recipient_id: '14155552671' };
		await post({ instanceId: fake.channelId, entry: [{ changes: [{ value: { statuses: [status] } }] }] });
		expect(emitted()[0]).toMatchObject([{ messageId: 'wamid.M', status: 'read', timestamp: '2022-06-10T12:28:14.000Z', raw: status }]);
	});

	test('all three shapes in one body: one execution, one item per event, viewed reported as read', async () => {
		await post({
			channelId: Number(fake.channelId),
			ack: [
				{ id: 'a1', chatId: '1@c.us', status: 'sent' },
				{ id: 'a2', chatId: '2@c.us', status: 'viewed' },
			],
			hooks: [{ id: 'h1', status: 'undelivered', recipient_id: '3', errors: [{ code: 131026, title: 'Undeliverable', message: 'not on WhatsApp' }] }],
			entry: [{ changes: [{ value: { statuses: [{ id: 'm1', status: 'DELIVERED', recipient_id: '4' }] } }, { value: {} }] }, {}],
		});
		expect(trigger.executions).toHaveLength(1);
		expect(emitted()[0].map((e) => [e.messageId, e.status, e.phone, e.channelId])).toEqual([
			['a1', 'sent', '1', fake.channelId],
			['a2', 'read', '2', fake.channelId],
			['h1', 'undelivered', '3', fake.channelId],
			['m1', 'delivered', '4', fake.channelId],
		]);
		expect(emitted()[0][2].error).toEqual({ code: 131026, title: 'Undeliverable', message: 'not on WhatsApp' });
	});

	test('a report naming another channel, in any spelling, still starts the workflow with the channel it names', async () => {
		const spellings: Array<[unknown, string]> = [
			['999999', '999999'],
			[`instance${fake.channelId}`, fake.channelId],
			[Number(fake.channelId), fake.channelId],
			['VID182868781', 'VID182868781'],
			['instanceVID182868781', 'VID182868781'],
		];
		for (const [index, [instanceId]] of spellings.entries()) {
			const answer = await post({ instanceId, ack: [{ id: `x${index}`, status: 'sent' }] });
			expect(answer.status).toBe(200);
		}
		expect(emitted().map((items) => items.map((e) => [e.messageId, e.channelId]))).toEqual(
			spellings.map(([, channelId], index) => [[`x${index}`, channelId]]),
		);
	});

	test('an alphanumeric channel (VID…) in the credential registers and receives its reports', async () => {
		const vid = await startFake({ channelId: 'VID182868781' });
		try {
			vid.webhookUrl = [];
			const harness = new TriggerHarness({ parameters: {}, credentials: credentialsFor(vid), webhookId: 'vid-channel' });
			await harness.start();
			await harness.activate();
			const [registered] = parseWebhookUrls(vid.webhookUrl);
			expect(vid.requestsTo('webhook').every((r) => r.path === '/VID182868781/webhook')).toBe(true);
			await harness.postTo(registered, { instanceId: 'VID182868781', ack: [{ id: 'wamid.V', status: 'read' }] });
			expect(harness.executions.map((items) => items.map((i) => i.json.channelId))).toEqual([['VID182868781']]);
			await harness.stop();
		} finally {
			await vid.stop();
		}
	});

	test('the Statuses filter keeps only the chosen statuses; a body with none of them starts nothing', async () => {
		await trigger.stop();
		fake.webhookUrl = [];
		trigger = await newTrigger({ statuses: ['failed', 'undelivered'] });
		await trigger.activate();
		[url] = ours();
		await post({ ack: [{ id: '1', status: 'sent' }, { id: '2', status: 'read' }] });
		expect(trigger.executions).toHaveLength(0);
		await post({ ack: [{ id: '1', status: 'failed' }, { id: '2', status: 'delivered' }, { id: '3', status: 'undelivered' }] });
		expect(emitted()).toEqual([[expect.objectContaining({ messageId: '1' }), expect.objectContaining({ messageId: '3' })]]);
	});

	test('a repeated (message id, status) is dropped; a new status of the same message is not', async () => {
		await post({ ack: [{ id: 'r1', status: 'sent' }] });
		await post({ ack: [{ id: 'r1', status: 'sent' }] });
		await post({ ack: [{ id: 'r1', status: 'sent' }, { id: 'r1', status: 'delivered' }] });
		expect(emitted().map((items) => items.map((e) => e.status))).toEqual([['sent'], ['delivered']]);
	});

	test('with Ignore Repeated Events off, repeats come through', async () => {
		await trigger.stop();
		fake.webhookUrl = [];
		trigger = await newTrigger({ options: { ignoreRepeats: false } }, 'repeats-on');
		await trigger.activate();
		[url] = ours();
		await post({ ack: [{ id: 'r2', status: 'sent' }] });
		await post({ ack: [{ id: 'r2', status: 'sent' }] });
		expect(trigger.executions).toHaveLength(2);
	});

	test.each([
		['an empty object', {}],
		['an array', [{ id: 'x', status: 'sent' }]],
		['a string', 'sent'],
		['null', null],
		['a number', 42],
		['an incoming customer message', { instanceId: '1', messages: [{ id: 'm', body: 'hi', fromMe: false, chatId: '1@c.us' }] }],
		['ack that is not a list', { ack: { id: 'x', status: 'sent' } }],
		['entries without id or status', { ack: [null, 1, 'x', { id: 'x' }, { status: 'sent' }, { id: 'x', status: 'opened' }] }],
		['deep junk', { entry: [{ changes: [{ value: { statuses: 'x' } }, null] }, 7] }],
	])('%s: 200, nothing started, never a 5xx', async (_name, body) => {
		const answer = await post(body);
		expect(answer.status).toBe(200);
		expect(trigger.executions).toHaveLength(0);
		expect(trigger.thrown).toEqual([]);
	});
});

/** Holds the first `count` requests that match until all of them have arrived, then lets them through. */
function barrier(count: number) {
	const arrived: Array<() => void> = [];
	return async () => {
		if (arrived.length >= count) return;
		await new Promise<void>((resolve) => {
			arrived.push(resolve);
			if (arrived.length === count) arrived.forEach((release) => release());
		});
	};
}

describe('the channel’s list, shared with others', () => {
	const COMMA = 'https://crm.example.com/in?events=message,ack';

	test.each([
		['an array', [COMMA, ' https://bi.example.com/in?key=a,b ']],
		['a single string', `${COMMA}, https://bi.example.com/in?key=a,b`],
	])('URLs with commas, given as %s, survive publish and unpublish byte for byte', async (_form, list) => {
		fake.webhookUrl = structuredClone(list);
		await trigger.activate();
		const published = fake.webhookUrl as string[];
		const others = Array.isArray(list) ? list : [COMMA, 'https://bi.example.com/in?key=a,b'];
		expect(published.slice(0, others.length)).toEqual(others);
		expect(published).toHaveLength(others.length + 1);
		await trigger.deactivate();
		expect(fake.webhookUrl).toEqual(others.length === 1 ? others[0] : others);
	});

	test('two triggers of one channel published at the same moment both end on the list', async () => {
		const other = await newTrigger({}, 'published-at-the-same-moment');
		const reads = barrier(2);
		const writes = barrier(2);
		// both read the list before either writes, and both writes land before either reads it back
		fake.intercept(async (request) => {
			if (request.apiMethod === 'webhook') await (request.method === 'GET' ? reads() : writes());
			return undefined;
		});
		await Promise.all([trigger.activate(), other.activate()]);
		expect(registered().slice(0, 2)).toEqual(OTHERS);
		expect(ours()).toEqual([`${trigger.webhookUrl()}?secret=${trigger.staticData.secret as string}`]);
		expect(registered().filter((u) => u.startsWith(other.webhookUrl()))).toEqual([
			`${other.webhookUrl()}?secret=${other.staticData.secret as string}`,
		]);
		expect(registered()).toHaveLength(4);
		await other.stop();
	});

	test('a list that keeps changing under the trigger fails after a bounded number of writes, saying so', async () => {
		fake.intercept((request) =>
			request.apiMethod === 'webhook' && request.method === 'GET' ? { status: 200, body: { webhookUrl: OTHERS } } : undefined,
		);
		const failure = await trigger.activate().then(
			() => undefined,
			(error: Error & { description?: string }) => error,
		);
		expect(failure?.message).toBe('The 1MSG channel’s webhook list kept changing while this trigger was added to it');
		expect(failure?.description).toContain(trigger.webhookUrl());
		expect(fake.requestsTo('webhook').filter((r) => r.method === 'POST')).toHaveLength(3);
	});

	test('publishing again when the URL is already listed turns delivery reports back on', async () => {
		await trigger.activate();
		fake.ackNotificationsOn = false; // someone switched them off in the dashboard
		await trigger.activate(); // n8n restarts: checkExists answers true, create is not called
		expect(fake.ackNotificationsOn).toBe(true);
		expect(ours()).toHaveLength(1);
	});
});

describe('repeats', () => {
	test('the test URL and the production URL never share repeat memory', async () => {
		await trigger.activate();
		await trigger.activate(true);
		const [production] = ours();
		const [testUrl] = registered().filter((u) => u.startsWith(trigger.webhookUrl(true)));
		const body = { ack: [{ id: 'wamid.BOTH', status: 'delivered' }] };
		await trigger.postTo(testUrl, body);
		await trigger.postTo(production, body);
		await trigger.postTo(production, body);
		await trigger.postTo(testUrl, body);
		expect(trigger.executions.map((items) => items.map((i) => i.json.messageId))).toEqual([['wamid.BOTH'], ['wamid.BOTH']]);
	});
});
