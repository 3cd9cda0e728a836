import { InputProblem } from './problems';

/** How template variable text that 1MSG would refuse (newlines, tabs, 5+ spaces) is handled. */
export type WhitespacePolicy = 'clean' | 'reject';

// 1MSG answers HTTP 500 "Param text cannot have new-line/tab characters or more than 4 consecutive spaces".
const FORBIDDEN_WHITESPACE = /[\r\n\t\v\f\u2028\u2029]| {5,}/;
const FORBIDDEN_RUN = /[ \r\n\t\v\f\u2028\u2029]*[\r\n\t\v\f\u2028\u2029][ \r\n\t\v\f\u2028\u2029]*| {5,}/g;

/** The text of one template variable, ready to send, or an InputProblem naming the field. */
export function templateVariableText(value: unknown, field: string, policy: WhitespacePolicy): string {
	const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
	if (policy === 'reject' && FORBIDDEN_WHITESPACE.test(text)) {
		throw new InputProblem(
			field,
			`${field} contains a line break, a tab or more than 4 spaces in a row, which WhatsApp templates do not allow`,
			'Remove them, or set Options → Line Breaks and Tabs to "Replace With a Space"',
		);
	}
	const cleaned = (policy === 'clean' ? text.replace(FORBIDDEN_RUN, ' ') : text).trim();
	if (!cleaned) {
		throw new InputProblem(field, `${field} is empty`, 'Every template variable needs a value');
	}
	return cleaned;
}
