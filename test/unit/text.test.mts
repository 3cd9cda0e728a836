import { describe, expect, test } from 'vitest';
import { templateVariableText } from '../../nodes/api/text.ts';

describe('templateVariableText', () => {
	test('clean collapses line breaks, tabs and 5+ spaces to one space', () => {
		expect(templateVariableText('Expect\na reply\r\n\r\nwithin\t\t2 hours      today', 'Next Step', 'clean')).toBe(
			'Expect a reply within 2 hours today',
		);
	});

	test('clean keeps up to 4 spaces, which 1MSG accepts', () => {
		expect(templateVariableText('a    b', 'Next Step', 'clean')).toBe('a    b');
	});

	test.each(['line\nbreak', 'tab\there', 'five     spaces'])('reject refuses %j naming the field', (text) => {
		expect(() => templateVariableText(text, 'Next Step', 'reject')).toThrow(/^Next Step contains/);
	});

	test('reject lets clean text through untouched', () => {
		expect(templateVariableText('Maria', 'Customer Name', 'reject')).toBe('Maria');
	});

	test.each(['', '   ', '\n\t', null, undefined])('empty %j is refused naming the field', (value) => {
		expect(() => templateVariableText(value, 'Customer Name', 'clean')).toThrow('Customer Name is empty');
	});

	test('numbers are text', () => {
		expect(templateVariableText(12345, 'Ticket Number', 'clean')).toBe('12345');
	});
});
