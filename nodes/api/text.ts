import { InputProblem } from '../itemRun/inputProblem';

/** How template variable text that 1MSG would refuse (newlines, tabs, 5+ spaces) is handled. */
export type WhitespacePolicy = 'clean' | 'reject';

// 1MSG answers HTTP 500 "Param text cannot have new-line/tab characters or more than 4 consecutive spaces".
const FORBIDDEN_WHITESPACE = /[\r\n\t\v\f\u2028\u2029]| {5,}/;
const FORBIDDEN_RUN = /[ \r\n\t\v\f\u2028\u2029]*[\r\n\t\v\f\u2028\u2029][ \r\n\t\v\f\u2028\u2029]*| {5,}/g;

/** The text of one template variable, ready to send, or an InputProblem naming the field. */
export function templateVariableText(value: unknown, field: string, policy: WhitespacePolicy): string {
	const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
	if (policy === 'reject' && FORBIDDEN_WHITESPACE.test(text)) {
		throw new InputProblem(`${field} contains a line break, a tab or more than 4 spaces in a row, which WhatsApp templates do not allow`,
			'Remove them, or set Options → Line Breaks and Tabs to "Replace With a Space"',
		);
	}
	const cleaned = (policy === 'clean' ? text.replace(FORBIDDEN_RUN, ' ') : text).trim();
	if (!cleaned) {
		throw new InputProblem(`${field} is empty`, 'Every template variable needs a value');
	}
	return cleaned;
}

/** Characters as WhatsApp counts them: an emoji is one, not two UTF-16 units. */
export const characterCount = (text: string): number => [...text].length;

/**
 * The text of a free-form message or caption, checked against WhatsApp's limit. Sent as written:
 * line breaks and spacing are allowed here, unlike in template variables.
 */
export function messageText(value: unknown, field: string, max: number, { required = true } = {}): string {
	const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
	if (required && !text.trim()) throw new InputProblem(`${field} is empty`, 'WhatsApp does not send empty messages');
	const count = characterCount(text);
	if (count > max) {
		throw new InputProblem(`${field} has ${count} characters; WhatsApp allows at most ${max}`, 'Shorten it, or split it into several messages');
	}
	return text;
}
