/** Get Delivery Status: GET /hookInfo, normalized like the trigger's items, and the wait for a final status. */
import { describe, expect, test } from 'vitest';
import { WINDOW_CLOSED_HINT } from '../../nodes/api/deliveryEvents.ts';
import { parseDeliveryReport } from '../../nodes/api/deliveryEvents.ts';
import { credentialsFor, ticketAccepted, useFake } from '../support/fixtures.mts';
import { runNode } from '../support/n8n.mts';

const fake = useFake();

const status = (messageId: string, extra: Record<string, unknown> = {}) =>
	runNode({ credentials: credentialsFor(fake), parameters: { operation: 'deliveryStatus', messageId, ...extra } });

const record = (id: string, status: string, timestamp: string, errors?: unknown) => ({
	id,
	type: 'message' as const,
	status,
	timestamp,
	recipient_id: '14155552671',
	...(errors ? { errors } : {}),
});

describe('one look', () => {
	test('the latest status by timestamp, whatever the order of the records; hooks normalized like the trigger’s items', async () => {
		const hooks = [record('wamid.1', 'read', '1654864300'), record('wamid.1', 'sent', '1654864100'), record('wamid.1', 'delivered', '1654864200')];
		fake.hooks.set('wamid.1', hooks as never);
		const result = await status('wamid.1');
		expect(result.error).toBeUndefined();
		const json = result.items![0].json;
		expect(json).toEqual({
			messageId: 'wamid.1',
			status: 'read',
			final: true,
			hooks: parseDeliveryReport({ channelId: fake.channelId, hooks }).events,
		});
		expect(fake.requestsTo('hookInfo')[0].query).toEqual({ messageId: 'wamid.1' });
	});

	test('same timestamps: the status further along wins', async () => {
		fake.hooks.set('wamid.2', [record('wamid.2', 'delivered', '1654864100'), record('wamid.2', 'sent', '1654864100')] as never);
		expect((await status('wamid.2')).items![0].json).toMatchObject({ status: 'delivered', final: false });
	});

	test('delivered is final only with the Delivered Is Final option', async () => {
		fake.hooks.set('wamid.3', [record('wamid.3', 'delivered', '1654864100')] as never);
		expect((await status('wamid.3', { statusOptions: { deliveredIsFinal: true } })).items![0].json).toMatchObject({ status: 'delivered', final: true });
	});

	test('failed carries its error', async () => {
		fake.hooks.set('wamid.4', [record('wamid.4', 'sent', '1'), record('wamid.4', 'failed', '2', [{ code: 131047, title: 'Re-engagement message' }])] as never);
		const json = (await status('wamid.4')).items![0].json as { status: string; final: boolean; hooks: Array<{ error: unknown }> };
		expect(json).toMatchObject({ status: 'failed', final: true });
		expect(json.hooks[1].error).toEqual({ code: 131047, title: 'Re-engagement message', message: null, hint: WINDOW_CLOSED_HINT });
	});

	test('an unknown message id is a clear error', async () => {
		const result = await status('wamid.unknown');
		expect(result.error?.message).toBe('1MSG has no delivery records for message "wamid.unknown"');
		expect(result.error?.description).toBe('Use the messageId that a send of this channel returned');
	});
});

describe('Wait for Final Status', () => {
	test('ends as soon as the sandbox fails the message, well before the timeout', async () => {
		fake.delivery = { stepMs: 300 };
		const send = await runNode({ credentials: credentialsFor(fake), parameters: ticketAccepted({ phone: '+1 415 555 0000' }) });
		const messageId = send.items![0].json.messageId as string;
		const started = Date.now();
		const result = await status(messageId, { waitForFinal: true, waitTimeout: 10, pollInterval: 0.1 });
		const waited = Date.now() - started;
		expect(result.items![0].json).toMatchObject({ messageId, status: 'failed', final: true, timedOut: false });
		expect(waited).toBeLessThan(8000); // the timeout is 10 s: a generous bound, for loaded machines
		expect(fake.requestsTo('hookInfo').length).toBeGreaterThan(1);
	});

	test('ends at the timeout with what it knows and final false', async () => {
		fake.hooks.set('wamid.slow', [record('wamid.slow', 'sent', '1654864100')] as never);
		const started = Date.now();
		const result = await status('wamid.slow', { waitForFinal: true, waitTimeout: 0.6, pollInterval: 0.2 });
		const waited = Date.now() - started;
		expect(result.items![0].json).toMatchObject({ status: 'sent', final: false, timedOut: true });
		expect(waited).toBeGreaterThanOrEqual(400);
		expect(waited).toBeLessThan(5000); // not minutes: a generous bound, for loaded machines
	});

	test('a message delivered then read ends with read', async () => {
		fake.delivery = { stepMs: 150 };
		const send = await runNode({ credentials: credentialsFor(fake), parameters: ticketAccepted() });
		const result = await status(send.items![0].json.messageId as string, { waitForFinal: true, waitTimeout: 10, pollInterval: 0.1 });
		expect(result.items![0].json).toMatchObject({ status: 'read', final: true });
		expect((result.items![0].json.hooks as Array<{ status: string }>).map((h) => h.status)).toEqual(['sent', 'delivered', 'read']);
	});
});
