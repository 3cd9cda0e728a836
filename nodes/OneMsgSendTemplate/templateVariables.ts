/**
 * The variables a template asks for, as the fields of the Custom Template operation (their ids are
 * public, saved workflows hold them: header_1, header_media, body_1…body_n, button_<i>), and the values given for them
 * turned into what payload.ts sends.
 */
import type { TemplateValues } from './payload';
import { InputProblem } from '../itemRun/inputProblem';
import type { TemplateSlots } from './templates';
import { templateVariableText, type WhitespacePolicy } from '../api/text';

export interface VariableField {
	id: string;
	displayName: string;
}

export function variableFields(slots: TemplateSlots): VariableField[] {
	const fields: VariableField[] = [];
	if (slots.headerMedia) fields.push({ id: 'header_media', displayName: `Header ${slots.headerMedia} link (URL)` });
	else if (slots.headerText) fields.push({ id: 'header_1', displayName: 'Header {{1}}' });
	for (let i = 1; i <= slots.body; i++) fields.push({ id: `body_${i}`, displayName: `Body {{${i}}}` });
	for (const position of slots.urlButtons) {
		fields.push({ id: `button_${position}`, displayName: `URL button ${position + 1} variable` });
	}
	return fields;
}

const isGiven = (value: unknown) => value !== undefined && value !== null && String(value).trim() !== '';

/**
 * Checks the values against the template's fields: every field filled, nothing extra. A problem
 * names the fields by the labels the user sees.
 */
export function templateValuesFrom(
	slots: TemplateSlots,
	given: Record<string, unknown>,
	policy: WhitespacePolicy,
): TemplateValues {
	const fields = variableFields(slots);
	const known = new Set(fields.map((f) => f.id));
	const extra = Object.keys(given).filter((id) => !known.has(id) && isGiven(given[id]));
	if (extra.length) {
		throw new InputProblem(`Variables ${extra.join(', ')} are not in the template, which takes ${fields.map((f) => f.id).join(', ') || 'no variables'}`,
			'Refresh the variable list (the template may have changed) and remove the extra values',
		);
	}
	const missing = fields.filter((f) => !isGiven(given[f.id])).map((f) => f.displayName);
	if (missing.length) {
		throw new InputProblem(`Missing value for ${missing.join(', ')}`, 'Every variable of the template needs a value');
	}

	const text = (id: string, label: string) => templateVariableText(given[id], label, policy);
	const values: TemplateValues = {
		body: Array.from({ length: slots.body }, (_, i) => text(`body_${i + 1}`, `Body {{${i + 1}}}`)),
		urlButtons: slots.urlButtons.map((index) => ({ index, text: text(`button_${index}`, `URL button ${index + 1} variable`) })),
	};
	if (slots.headerMedia) {
		const link = String(given.header_media).trim();
		if (!/^https?:\/\/\S+$/i.test(link)) {
			throw new InputProblem(`Header ${slots.headerMedia} link "${link}" is not an http(s) URL`, 'Give a public link to the file');
		}
		values.headerMedia = { type: slots.headerMedia, link };
	} else if (slots.headerText) {
		values.headerText = text('header_1', 'Header {{1}}');
	}
	return values;
}
