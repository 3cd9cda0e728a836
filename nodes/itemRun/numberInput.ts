import { InputProblem } from './inputProblem';

export interface NumberRule {
	min: number;
	max: number;
	integer?: boolean;
}

/**
 * A number option as an expression may give it: a number or numeric text, within its range. Anything
 * else is an InputProblem naming the field, found before anything is sent (n8n does not check the
 * type of an expression's result for number fields).
 */
export function numberInput(value: unknown, field: string, { min, max, integer = false }: NumberRule): number {
	const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
	const kind = integer ? 'a whole number' : 'a number';
	if (!Number.isFinite(number) || (integer && !Number.isInteger(number))) {
		throw new InputProblem(`${field} must be ${kind}, got ${JSON.stringify(value) ?? String(value)}`, `Give ${kind} from ${min} to ${max}`);
	}
	if (number < min || number > max) {
		throw new InputProblem(`${field} must be from ${min} to ${max}, got ${number}`, `Give ${kind} from ${min} to ${max}`);
	}
	return number;
}
