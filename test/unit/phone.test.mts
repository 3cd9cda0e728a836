import { describe, expect, test } from 'vitest';
import { normalizePhone } from '../../nodes/api/phone.ts';

describe('normalizePhone', () => {
	test.each([
		['+1 (415) 555-2671', '14155552671'],
		['0014155552671', '14155552671'],
		['00 1 415 555 2671', '14155552671'],
		['14155552671', '14155552671'],
		['+44 20 7946 0958', '442079460958'],
		['1.415.555.2671', '14155552671'],
		['14155552671@c.us', '14155552671'],
		[14155552671, '14155552671'],
	])('%s → %s', (input, digits) => {
		expect(normalizePhone(input)).toBe(digits);
	});

	test.each(['+00 1 415 555 2671', '+0044123456', '+0 1 415 555 2671'])('%s (a 0 right after the +) is refused, not sent as 00…', (input) => {
		expect(() => normalizePhone(input)).toThrow(/has a 0 right after the \+; no country code starts with 0/);
	});

	test.each([
		['12345', /has 5 digits/],
		['+1234567890123456', /has 16 digits/],
		['+1 415 CALL NOW', /contains "C"/],
		['phone: 14155552671', /contains "p"/],
		['', /Phone is empty/],
		[null, /Phone is empty/],
	])('%s is refused', (input, message) => {
		expect(() => normalizePhone(input)).toThrow(message);
	});

	test('the error names the field', () => {
		expect(() => normalizePhone('12', 'Phone')).toThrow(/^Phone "12" has 2 digits/);
		expect(() => normalizePhone('12', 'Customer Number')).toThrow(/^Customer Number "12" has 2 digits/);
	});
});
