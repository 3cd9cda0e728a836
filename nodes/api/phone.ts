import { InputProblem } from '../itemRun/inputProblem';

const FORMATTING = /[\s()\-./]/g;

/**
 * Reduces a phone number written any human way to the digits 1MSG wants (international format,
 * no `+`): `+1 (415) 555-2671`, `0014155552671` and `14155552671@c.us` all give `14155552671`.
 */
export function normalizePhone(value: unknown, field = 'Phone'): string {
	if (value === null || value === undefined || String(value).trim() === '') {
		throw new InputProblem(`${field} is empty`, 'Map the customer phone number in international format');
	}
	const written = String(value).trim().replace(/@c\.us$/i, '');
	const stray = written.replace(FORMATTING, '').replace(/^\+/, '').match(/\D/);
	if (stray) {
		throw new InputProblem(`${field} "${written}" contains "${stray[0]}"; only digits, spaces, +, -, (, ), / and . are allowed`,
		);
	}
	let digits = written.replace(/\D/g, '');
	if (written.startsWith('+') && digits.startsWith('0')) {
		// `+00 1 …` mixes the two international prefixes; no country code starts with 0
		throw new InputProblem(`${field} "${written}" has a 0 right after the +; no country code starts with 0`,
			'Write the number either as +1 415 555 2671 or as 001 415 555 2671',
		);
	}
	if (digits.startsWith('00')) digits = digits.slice(2);
	if (digits.length < 6 || digits.length > 15) {
		throw new InputProblem(`${field} "${written}" has ${digits.length} digits; an international number has 6 to 15`,
			'Include the country code, e.g. +1 415 555 2671',
		);
	}
	return digits;
}
