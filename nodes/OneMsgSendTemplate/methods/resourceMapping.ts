import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { loadTemplates } from '../templateCatalog';
import { findTemplate, templateSlots } from '../templates';
import { variableFields } from '../templateVariables';

/** The Custom Template fields: exactly the variables of the chosen template, labelled by where they appear. */
export async function getTemplateVariables(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const name = String(this.getCurrentNodeParameter('template', { extractValue: true }) ?? '').trim();
	const language = String(this.getCurrentNodeParameter('language') ?? '').trim() || 'en';
	if (!name) return { fields: [], emptyFieldsNotice: 'Choose a template first' };
	const template = findTemplate(await loadTemplates.call(this), name, language);
	if (!template) {
		return { fields: [], emptyFieldsNotice: `Template "${name}" has no "${language}" version among the channel's templates` };
	}
	return {
		fields: variableFields(templateSlots(template)).map((field) => ({
			id: field.id,
			displayName: field.displayName,
			required: true,
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: 'string',
		})),
		emptyFieldsNotice: `Template "${name}" has no variables: it is sent as it is`,
	};
}
