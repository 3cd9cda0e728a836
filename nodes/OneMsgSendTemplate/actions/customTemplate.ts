/**
 * Custom Template: any approved template of the channel, with one field per variable it has (the
 * editor's resource mapper, methods/resourceMapping.ts).
 */
import type { INodeProperties, ResourceMapperValue } from 'n8n-workflow';

import { forOperations } from '../../itemRun/operations';
import { templateSlots } from '../templates';
import { chooseTemplate } from '../templateCatalog';
import { templateValuesFrom } from '../templateVariables';
import { readSendRequest, send, sentOnceBy, templateLocator, type PrepareItem } from './common';

export const templateField = templateLocator('', ['customTemplate']);

export const variables: INodeProperties = {
	displayName: 'Variables',
	name: 'variables',
	type: 'resourceMapper',
	noDataExpression: true,
	default: { mappingMode: 'defineBelow', value: null },
	required: true,
	description: 'One field per variable of the chosen template: header, body {{1}}…{{n}}, URL button',
	typeOptions: {
		loadOptionsDependsOn: ['template.value', 'language'],
		resourceMapper: {
			resourceMapperMethod: 'getTemplateVariables',
			mode: 'add',
			fieldWords: { singular: 'variable', plural: 'variables' },
			valuesLabel: 'Template Variables',
			addAllFields: true,
			multiKeyMatch: false,
			supportAutoMap: false,
			noFieldsError: 'Choose a template to see its variables',
		},
	},
	displayOptions: forOperations(['customTemplate']),
};

/** Custom Template for one item: the values of the template's own variables. */
export const prepareCustomTemplate: PrepareItem = async (context, itemIndex, param, catalog) => {
	const request = readSendRequest(param, itemIndex);
	const mapped = param('variables', itemIndex, { value: {} }) as ResourceMapperValue;
	// The template's variables can only be known from the channel's list: it is required here.
	const chosen = await chooseTemplate(catalog, request.template, request.language, request.namespace, { listRequired: true });
	const values = templateValuesFrom(templateSlots(chosen.template!), mapped.value ?? {}, request.policy);
	return sentOnceBy(async () => await send(context, itemIndex, 'customTemplate', request, chosen, values), 'customTemplate', request, chosen, values);
};
