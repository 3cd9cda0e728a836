/**
 * 1MSG's delivery reports, in every shape it sends them (docs/1MSG-API.md → "What 1MSG POSTs to a
 * webhook", and GET /hookInfo), normalized to one record per event. Pure and total: any input,
 * however malformed, gives a (possibly empty) list and never throws, and no record is invented
 * from something that is not a status report.
 */

import { isWindowClosed } from '../transport/apiFailure';
import { normalizeChannelId } from '../transport/connection';

export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'failed', 'undelivered'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryError {
	code: string | number | null;
	title: string | null;
	message: string | null;
	/** Only when the send was refused because the customer's 24-hour window was closed: what to do. */
	hint?: string;
}

export const WINDOW_CLOSED_HINT =
	"The customer's 24-hour window was closed, so this free-form message was not delivered: send an approved template (OneMsg Send Template) and wait for the customer's reply.";


export interface DeliveryEvent {
	event: 'status';
	messageId: string;
	status: DeliveryStatus;
	phone: string | null;
	timestamp: string | null;
	channelId: string | null;
	error: DeliveryError | null;
	raw: unknown;
}

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** A non-blank string, trimmed, or a finite number as text; else null. */
export const nonEmptyString = (value: unknown): string | null =>
	typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;

export function deliveryStatus(value: unknown): DeliveryStatus | null {
	if (typeof value !== 'string') return null;
	const status = value.trim().toLowerCase();
	if (status === 'viewed') return 'read';
	return (DELIVERY_STATUSES as readonly string[]).includes(status) ? (status as DeliveryStatus) : null;
}

/**
 * The channel a webhook body names, in `instanceId` or else `channelId`. Channel ids come as
 * `371267300`, `"371267300"`, `"instance371267300"` or `"VID182868781"`.
 */
export function channelOfBody(body: Json): string | null {
	for (const value of [body.instanceId, body.channelId]) {
		const id = nonEmptyString(value);
		const channelId = id ? normalizeChannelId(id) : '';
		if (channelId) return channelId;
	}
	return null;
}

function phoneOf(record: Json): string | null {
	const source = nonEmptyString(record.chatId) ?? nonEmptyString(record.recipient_id);
	if (!source) return null;
	const digits = source.split('@')[0].replace(/^\+/, '');
	return /^\d{1,20}$/.test(digits) ? digits : null;
}

/** Unix seconds (number or numeric string) to ISO 8601; milliseconds are recognised too. */
export function isoTimestamp(value: unknown): string | null {
	const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
	if (!Number.isFinite(number) || number <= 0) return null;
	const date = new Date(number > 1e11 ? number : number * 1000);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function errorOf(record: Json, status: DeliveryStatus): DeliveryError | null {
	if (status !== 'failed' && status !== 'undelivered') return null;
	const first = list(record.errors).find(isObject);
	let error: DeliveryError;
	if (first) {
		const details = isObject(first.error_data) ? nonEmptyString(first.error_data.details) : null;
		const code = typeof first.code === 'number' || typeof first.code === 'string' ? first.code : null;
		error = { code, title: nonEmptyString(first.title), message: nonEmptyString(first.message) ?? details };
	} else if (nonEmptyString(record.error) && typeof record.error === 'string') {
		// the ack form gives 1MSG's reason as text, not a code
		error = { code: null, title: null, message: record.error.trim() };
	} else {
		return null;
	}
	return isWindowClosed(`${error.code} ${error.title} ${error.message}`) ? { ...error, hint: WINDOW_CLOSED_HINT } : error;
}

/** One status record (an `ack[]`, `hooks[]` or Meta `statuses[]` entry), or null if it is not one. */
export function normalizeStatusRecord(record: unknown, channelId: string | null): DeliveryEvent | null {
	if (!isObject(record)) return null;
	const messageId = nonEmptyString(record.id) ?? nonEmptyString(record.messageId);
	const status = deliveryStatus(record.status);
	if (!messageId || !status) return null;
	return {
		event: 'status',
		messageId,
		status,
		phone: phoneOf(record),
		timestamp: isoTimestamp(record.timestamp ?? record.time),
		channelId,
		error: errorOf(record, status),
		raw: record,
	};
}

export interface DeliveryReport {
	/** The channel the body says it comes from, if it says. */
	channelId: string | null;
	events: DeliveryEvent[];
}

/** Every status event of one webhook POST, in the order they appear: `ack[]`, `hooks[]`, then Meta's form. */
export function parseDeliveryReport(body: unknown): DeliveryReport {
	if (!isObject(body)) return { channelId: null, events: [] };
	const channelId = channelOfBody(body);
	const records = [
		...list(body.ack),
		...list(body.hooks),
		...list(body.entry).flatMap((entry) =>
			isObject(entry)
				? list(entry.changes).flatMap((change) =>
						isObject(change) && isObject(change.value) ? list(change.value.statuses) : [],
					)
				: [],
		),
	];
	const events: DeliveryEvent[] = [];
	for (const record of records) {
		const event = normalizeStatusRecord(record, channelId);
		if (event) events.push(event);
	}
	return { channelId, events };
}
