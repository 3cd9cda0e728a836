/**
 * OneMsg Trigger with customer messages and echoes: registered through n8n-core's HookContext,
 * messages POSTed by the fake 1MSG (as a customer would make it) through WebhookContext.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { credentialsFor, useFake } from '../support/fixtures.mts';
import { TriggerHarness } from '../support/n8n.mts';

const fake = useFake();
let trigger: TriggerHarness | undefined;

async function activeTrigger(parameters: Record<string, unknown>, webhookId = `msg-${Math.random().toString(36).slice(2)}`) {
	fake.webhookUrl = '';
	trigger = new TriggerHarness({ parameters: parameters as never, credentials: credentialsFor(fake), webhookId });
	await trigger.start();
	await trigger.activate();
	const url = String(fake.webhookUrl);
	return { harness: trigger, url, post: (body: unknown) => trigger!.postTo(url, body) };
}

afterEach(async () => {
	await trigger?.stop();
	trigger = undefined;
});

const items = (harness: TriggerHarness) => harness.executions.map((run) => run.map((item) => item.json));

describe('events', () => {
	test('Customer Message: a message the customer sends starts the workflow with the contract fields', async () => {
		const { harness } = await activeTrigger({ events: ['message'] });
		const { body } = await fake.customerSays({ text: 'Hi, my order did not arrive', phone: '14155552671', name: 'Maria Lopez' });
		const raw = (body.messages as unknown[])[0] as { id: string; time: string };
		expect(items(harness)).toEqual([
			[
				{
					event: 'message',
					messageId: raw.id,
					type: 'text',
					text: 'Hi, my order did not arrive',
					phone: '14155552671',
					chatId: '14155552671@c.us',
					customerName: 'Maria Lopez',
					replyTo: null,
					media: null,
					timestamp: new Date(Number(raw.time) * 1000).toISOString(),
					channelId: fake.channelId,
					raw,
				},
			],
		]);
	});

	test('the default (statuses only) is what saved workflows had: a customer message starts nothing', async () => {
		const { harness, post } = await activeTrigger({});
		await fake.customerSays({ text: 'hello' });
		await post({ ack: [{ id: 'wamid.S1', status: 'read' }] });
		expect(items(harness)).toEqual([[expect.objectContaining({ event: 'status', messageId: 'wamid.S1' })]]);
	});

	test('statuses and messages in one POST: one execution, the statuses first; echoes only when chosen', async () => {
		const { harness, post } = await activeTrigger({ events: ['status', 'message'] });
		const body = {
			instanceId: fake.channelId,
			ack: [{ id: 'wamid.S2', chatId: '14155552671@c.us', status: 'delivered' }],
			messages: [
				{ id: 'wamid.IN', type: 'chat', body: 'thanks', fromMe: false, time: '1760000000', chatId: '14155552671@c.us', senderName: 'Maria' },
				{ id: 'wamid.OUT', type: 'chat', body: 'you are welcome', fromMe: true, time: '1760000001', chatId: '14155552671@c.us', senderName: '15550001111@c.us' },
			],
		};
		await post(body);
		expect(items(harness).map((run) => run.map((i) => [i.event, i.messageId]))).toEqual([
			[
				['status', 'wamid.S2'],
				['message', 'wamid.IN'],
			],
		]);

		const echoes = await activeTrigger({ events: ['echo'] });
		await echoes.post(body);
		expect(items(echoes.harness).map((run) => run.map((i) => [i.event, i.messageId, i.customerName]))).toEqual([[['echo', 'wamid.OUT', null]]]);
	});

	test('a repeated message id is dropped; Ignore Repeated Events off lets it through', async () => {
		const body = { messages: [{ id: 'wamid.R1', type: 'chat', body: 'once', fromMe: false, chatId: '14155552671@c.us' }] };
		const dropping = await activeTrigger({ events: ['message'] });
		await dropping.post(body);
		await dropping.post(body);
		expect(dropping.harness.executions).toHaveLength(1);
		await dropping.harness.stop();

		const keeping = await activeTrigger({ events: ['message'], options: { ignoreRepeats: false } });
		await keeping.post(body);
		await keeping.post(body);
		expect(keeping.harness.executions).toHaveLength(2);
	});

	test('junk in messages[] never fails the trigger; an unknown message still comes out', async () => {
		const { harness, post } = await activeTrigger({ events: ['message', 'echo'] });
		for (const junk of [{ messages: 'x' }, { messages: [null, 1, 'x', []] }, { entry: [{ changes: [{ value: { messages: {} } }] }] }]) {
			expect((await post(junk)).status).toBe(200);
		}
		expect(harness.executions).toHaveLength(0);
		await post({ messages: [{ id: 'wamid.W', type: 'request_welcome', fromMe: false, chatId: '1@c.us' }] });
		expect(items(harness)).toEqual([[expect.objectContaining({ type: 'unknown', messageId: 'wamid.W' })]]);
		expect(harness.thrown).toEqual([]);
	});
});

describe('Download Media', () => {
	const readBinary = async (harness: TriggerHarness) => {
		const binary = harness.executions[0][0].binary?.data;
		if (!binary) return undefined;
		expect(binary.id).toBeUndefined(); // kept in memory, as n8n does without a binary data store
		const data = Buffer.from(binary.data, 'base64');
		return { ...binary, content: data.toString('utf8') };
	};

	test('the file of a document is attached as binary "data", fetched without the channel token', async () => {
		const { harness } = await activeTrigger({ events: ['message'], options: { downloadMedia: true } });
		await fake.customerSays({ document: { fileName: 'invoice-42.pdf', content: '%PDF invoice 42' } });
		const [item] = harness.executions[0];
		expect(item.json).toMatchObject({ type: 'document', text: 'invoice-42.pdf', mediaError: null, media: { fileName: 'invoice-42.pdf' } });
		expect(await readBinary(harness)).toMatchObject({ fileName: 'invoice-42.pdf', mimeType: 'application/pdf', content: '%PDF invoice 42' });
		const [download] = fake.requests.filter((r) => r.path.startsWith('/media/'));
		expect(download.headers.authorization).toBeUndefined();
		expect(JSON.stringify(download.headers)).not.toContain(fake.token);
	});

	test('without the option, nothing is downloaded', async () => {
		const { harness } = await activeTrigger({ events: ['message'] });
		await fake.customerSays({ document: {} });
		expect(harness.executions[0][0].binary).toBeUndefined();
		expect(fake.requests.filter((r) => r.path.startsWith('/media/'))).toHaveLength(0);
	});

	test.each([
		['an expired link (HTTP 404)', () => `${fake.baseUrl}/media/expired/invoice.pdf`, {}, /answered HTTP 404 to the download: the link may have expired/],
		['a file over the size limit', undefined, { maxMediaSize: 0.000001 }, /more than the 0 MB limit/],
		['an unreachable host', () => 'http://127.0.0.1:9/invoice.pdf', {}, /could not download the file from 127\.0\.0\.1:9/],
	])('%s: the item still comes out, with mediaError saying why', async (_name, link, options, reason) => {
		const { harness, post } = await activeTrigger({ events: ['message'], options: { downloadMedia: true, ...options } });
		if (link) {
			// a message id of its own: the repeat filter lives for the whole process
			await post({ messages: [{ id: `wamid.M-${_name}`, type: 'document', body: link(), caption: 'invoice.pdf', fromMe: false, chatId: '14155552671@c.us' }] });
		} else {
			await fake.customerSays({ document: {} });
		}
		const [item] = harness.executions[0];
		expect(item.binary).toBeUndefined();
		expect(item.json.type).toBe('document');
		expect(item.json.mediaError).toMatch(/^File not attached: /);
		expect(item.json.mediaError).toMatch(reason);
	});

	test("Meta's raw form gives a media id, not a link: the item says the file cannot be fetched", async () => {
		const { harness, post } = await activeTrigger({ events: ['message'], options: { downloadMedia: true } });
		await post({ entry: [{ changes: [{ value: { messages: [{ from: '14155552671', id: 'wamid.I', type: 'image', image: { id: '1013859600285441', mime_type: 'image/jpeg' } }] } }] }] });
		expect(harness.executions[0][0].json.mediaError).toMatch(/Meta's media id instead of a link/);
	});
});
