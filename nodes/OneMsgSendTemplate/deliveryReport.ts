/** What GET /hookInfo says about one message: its latest status and whether more can come. */
import type { DeliveryEvent, DeliveryStatus } from '../api/deliveryEvents';

// For records with the same timestamp (or none): the one further along wins.
const PROGRESS: Record<DeliveryStatus, number> = { sent: 0, delivered: 1, read: 2, failed: 3, undelivered: 3 };

export function latestEvent(events: DeliveryEvent[]): DeliveryEvent | undefined {
	const time = (e: DeliveryEvent) => (e.timestamp ? Date.parse(e.timestamp) : Number.NEGATIVE_INFINITY);
	return [...events].sort((a, b) => time(a) - time(b) || PROGRESS[a.status] - PROGRESS[b.status]).at(-1);
}

/**
 * Read, failed and undelivered are the end. Delivered is the end too when the customer's read
 * receipts are off, which only the user can know: `deliveredIsFinal`.
 */
export function isFinal(status: DeliveryStatus | undefined, deliveredIsFinal: boolean): boolean {
	return status === 'read' || status === 'failed' || status === 'undelivered' || (deliveredIsFinal && status === 'delivered');
}
