import { normalizePhone } from '../api/phone';
import { InputProblem } from '../itemRun/inputProblem';

/**
 * How a hidden-number customer (`…@lid`) is addressed. Sources disagree (see README → "Customers
 * with a hidden number"): 1MSG's own n8n node sends `chatId: "X@lid"`, an integration in production
 * found only `phone: "X"` to work, and the API also knows a `bsuid` field.
 */
export type HiddenNumberRouting = 'chatId' | 'bsuid' | 'phone';

export interface Recipient {
	/** The chat as 1MSG names it: `14155552671@c.us`, `CO.1726691741709890@lid`, `…@g.us`. */
	chatId: string;
	/** The recipient fields of a send request. */
	fields: { chatId: string } | { bsuid: string } | { phone: string };
}

/** A recipient written the way a trigger item or a CRM holds it: a phone in any format, `…@c.us`, `…@lid` or `…@g.us`. */
export function parseRecipient(value: unknown, routing: HiddenNumberRouting = 'chatId', field = 'To'): Recipient {
	const written = value === null || value === undefined ? '' : String(value).trim();
	if (!written) {
		throw new InputProblem(`${field} is empty`, 'Map the chatId of a OneMsg Trigger item, or a phone number in international format');
	}
	const hidden = /^([^@\s]+)@lid$/i.exec(written);
	if (hidden) {
		const id = hidden[1];
		const chatId = `${id}@lid`;
		return { chatId, fields: routing === 'bsuid' ? { bsuid: id } : routing === 'phone' ? { phone: id } : { chatId } };
	}
	if (/^[^@\s]+@g\.us$/i.test(written)) return { chatId: written, fields: { chatId: written } };
	if (written.includes('@') && !/@c\.us$/i.test(written)) {
		throw new InputProblem(`${field} "${written}" is not a phone number or a 1MSG chat id`, 'Use a phone number, or a chat id ending in @c.us or @lid');
	}
	const chatId = `${normalizePhone(written, field)}@c.us`;
	return { chatId, fields: { chatId } };
}
