import { describe, expect, test } from 'vitest';
import {
	DELIVERY_STATUSES,
	isoTimestamp,
	normalizeStatusRecord,
	parseDeliveryReport,
	type DeliveryEvent,
	WINDOW_CLOSED_HINT,
} from '../../nodes/api/deliveryEvents.ts';
import { seededRandom } from '../support/fixtures.mts';


const KEYS = ['ack', 'hooks', 'entry', 'changes', 'value', 'statuses', 'id', 'messageId', 'status', 'chatId', 'recipient_id',
	'timestamp', 'time', 'errors', 'code', 'title', 'message', 'error_data', 'details', 'instanceId', 'channelId', 'messages', '__proto__', 'constructor', 'toString'];
const STRINGS = ['sent', 'delivered', 'read', 'viewed', 'failed', 'undelivered', 'SENT', 'Viewed', 'opened', '', ' ', 'wamid.X',
	'14155552671@c.us', '1654864094', 'instance371267300', '371267300', '{"a":1', '\u0000', 'NaN', '-1', '1e999'];

function value(next: () => number, depth: number): unknown {
	const r = next();
	if (depth > 5 || r < 0.25) {
		const pick = next();
		if (pick < 0.4) return STRINGS[Math.floor(next() * STRINGS.length)];
		if (pick < 0.55) return Math.floor(next() * 2e9) * (next() < 0.1 ? -1 : 1);
		if (pick < 0.65) return next() < 0.5 ? null : true;
		if (pick < 0.7) return Number.NaN;
		return next() < 0.5 ? 1.5 : 0;
	}
	if (r < 0.55) return Array.from({ length: Math.floor(next() * 5) }, () => value(next, depth + 1));
	// a record that is almost or exactly a status report
	const object: Record<string, unknown> =
		r < 0.75 ? { id: value(next, 9), status: STRINGS[Math.floor(next() * 8)], chatId: value(next, 9), timestamp: value(next, 9) } : {};
	for (let i = Math.floor(next() * 6); i > 0; i--) {
		Object.defineProperty(object, KEYS[Math.floor(next() * KEYS.length)], {
			value: value(next, depth + 1),
			enumerable: true,
			configurable: true,
			writable: true,
		});
	}
	return object;
}

/** Every record object in `input`, so an emitted event can be traced back to one. */
function objectsIn(input: unknown, found = new Set<unknown>()): Set<unknown> {
	if (typeof input === 'object' && input !== null && !found.has(input)) {
		found.add(input);
		for (const child of Object.values(input)) objectsIn(child, found);
	}
	return found;
}

function assertNotInvented(body: unknown, events: DeliveryEvent[]) {
	const objects = objectsIn(body);
	for (const event of events) {
		expect(objects.has(event.raw)).toBe(true);
		const raw = event.raw as Record<string, unknown>;
		expect(String(raw.id ?? raw.messageId).trim()).toBe(event.messageId);
		const said = String(raw.status).trim().toLowerCase();
		expect(said === 'viewed' ? 'read' : said).toBe(event.status);
		expect(DELIVERY_STATUSES).toContain(event.status);
	}
}

describe('parseDeliveryReport on generated input', () => {
	test('5,000 random bodies: never throws, never invents an event', () => {
		const next = seededRandom(20261121);
		let emitted = 0;
		for (let i = 0; i < 5000; i++) {
			const body = next() < 0.5 ? { [['ack', 'hooks', 'entry'][i % 3]]: value(next, 1), instanceId: value(next, 5) } : value(next, 0);
			const report = parseDeliveryReport(body);
			assertNotInvented(body, report.events);
			emitted += report.events.length;
		}
		expect(emitted).toBeGreaterThan(50); // the generator does reach real events
	});

	test('every truncation of real bodies: never throws, never invents an event', () => {
		const bodies = [
			{ instanceId: '371267300', ack: [{ id: 'wamid.A', chatId: '14155552671@c.us', status: 'delivered' }] },
			{ hooks: [{ id: 'wamid.B', status: 'failed', timestamp: '1654864094', recipient_id: '1', errors: [{ code: 131047, title: 't' }] }] },
			{ instanceId: '1', entry: [{ changes: [{ value: { statuses: [{ id: 'wamid.C', status: 'read', timestamp: 1654864094 }] } }] }] },
		];
		let cases = 0;
		for (const body of bodies) {
			const text = JSON.stringify(body);
			for (let cut = 0; cut <= text.length; cut++) {
				const truncated = text.slice(0, cut);
				let parsed: unknown = truncated;
				try {
					parsed = JSON.parse(truncated);
				} catch {
					/* a truncated body n8n could not parse reaches the node as text, or not at all */
				}
				assertNotInvented(parsed, parseDeliveryReport(parsed).events);
				// and the same truncation as a string value inside a valid body
				assertNotInvented({ ack: [truncated] }, parseDeliveryReport({ ack: [truncated] }).events);
				cases += 2;
			}
		}
		expect(cases).toBeGreaterThan(500);
	});
});

describe('status records', () => {
	test.each([
		[{ id: 'x', status: 'Viewed' }, 'read'],
		[{ id: 'x', status: ' DELIVERED ' }, 'delivered'],
		[{ messageId: 'y', status: 'undelivered' }, 'undelivered'],
	])('%j → %s', (record, status) => {
		expect(normalizeStatusRecord(record, null)?.status).toBe(status);
	});

	test('error only on failed/undelivered, message from error_data.details', () => {
		const errors = [{ code: '131026', title: 'Undeliverable', error_data: { details: 'not on WhatsApp' } }];
		expect(normalizeStatusRecord({ id: 'x', status: 'undelivered', errors }, null)?.error).toEqual({
			code: '131026',
			title: 'Undeliverable',
			message: 'not on WhatsApp',
		});
		expect(normalizeStatusRecord({ id: 'x', status: 'delivered', errors }, null)?.error).toBeNull();
	});

	test('phone from chatId or recipient_id, digits only', () => {
		expect(normalizeStatusRecord({ id: 'x', status: 'sent', chatId: '5519995197732@c.us' }, null)?.phone).toBe('5519995197732');
		expect(normalizeStatusRecord({ id: 'x', status: 'sent', recipient_id: '+14155552671' }, null)?.phone).toBe('14155552671');
		expect(normalizeStatusRecord({ id: 'x', status: 'sent', chatId: '123-456@g.us' }, null)?.phone).toBeNull();
	});

	test.each([
		[1654864094, '2022-06-10T12:28:14.000Z'],
		['1654864094', '2022-06-10T12:28:14.000Z'],
		[1654864094123, '2022-06-10T12:28:14.123Z'],
		['yesterday', null],
		[-5, null],
		[1e300, null],
		[undefined, null],
	])('timestamp %j → %j', (input, iso) => {
		expect(isoTimestamp(input)).toBe(iso);
	});
});

describe('failures that say why', () => {
	test('the ack form’s error text is the message', () => {
		expect(normalizeStatusRecord({ id: 'x', status: 'failed', error: "User's number is part of an experiment" }, null)?.error).toEqual({
			code: null,
			title: null,
			message: "User's number is part of an experiment",
		});
	});

	test.each([
		[{ errors: [{ code: 131047, title: 'Re-engagement message' }] }],
		[{ errors: [{ code: '131047' }] }],
		[{ error: 'Dialog window is closed' }],
	])('a closed 24-hour window (%j) carries the way out', (fields) => {
		expect(normalizeStatusRecord({ id: 'x', status: 'failed', ...fields }, null)?.error?.hint).toBe(WINDOW_CLOSED_HINT);
	});

	test('other failures carry no hint', () => {
		expect(normalizeStatusRecord({ id: 'x', status: 'failed', errors: [{ code: 131026, title: 'Undeliverable' }] }, null)?.error).not.toHaveProperty('hint');
	});
});
