import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { describeNotSent } from '../shared/apiFailure';
import { sendTemplateBody } from '../shared/payload';
import { normalizePhone } from '../shared/phone';
import { InputProblem } from '../shared/problems';
import { templateSlots, type Template } from '../shared/templates';
import { templateVariableText, type WhitespacePolicy } from '../shared/text';
import { apiError, getConnection, oneMsgApiRequest } from '../shared/transport';
import type { Scenario } from './scenarios';
import { chooseTemplate } from './templateCatalog';

/** A template a scenario can fill: three body variables and nothing else to fill. */
function checkScenarioTemplate(template: Template, scenario: Scenario): void {
	const slots = templateSlots(template);
	if (slots.body !== scenario.variables.length) {
		throw new InputProblem(
			'Template',
			`Template "${template.name}" has ${slots.body} body variable${slots.body === 1 ? '' : 's'}; ${scenario.displayName} fills exactly ${scenario.variables.length}`,
			'Choose a template with {{1}} {{2}} {{3}} in its body, or use the Custom Template operation',
		);
	}
	const extra = [
		slots.headerText && 'a header variable',
		slots.headerMedia && `a ${slots.headerMedia} header`,
		slots.urlButtons.length && 'a URL button variable',
	].filter(Boolean);
	if (extra.length) {
		throw new InputProblem(
			'Template',
			`Template "${template.name}" also needs ${extra.join(' and ')}, which ${scenario.displayName} does not fill`,
			'Use the Custom Template operation for this template',
		);
	}
}

/** Sends one item's scenario template. Everything is checked before the request goes out. */
export async function sendScenario(
	this: IExecuteFunctions,
	scenario: Scenario,
	itemIndex: number,
	catalog: () => Promise<Template[]>,
): Promise<IDataObject> {
	const options = this.getNodeParameter('options', itemIndex, {}) as { whitespace?: WhitespacePolicy };
	const policy = options.whitespace ?? 'clean';
	const phone = normalizePhone(this.getNodeParameter('phone', itemIndex, ''));
	const body = scenario.variables.map((variable) =>
		templateVariableText(this.getNodeParameter(variable.name, itemIndex, ''), variable.displayName, policy),
	);
	const template = String(this.getNodeParameter('template', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!template) throw new InputProblem('Template', 'Template is empty', 'Pick a template from the list or type its name');
	const language = String(this.getNodeParameter('language', itemIndex, 'en') ?? '').trim();
	if (!language) throw new InputProblem('Language', 'Language is empty', 'Enter the template language code, e.g. en');

	const chosen = await chooseTemplate(
		catalog,
		template,
		language,
		String(this.getNodeParameter('namespace', itemIndex, '') ?? '').trim(),
	);
	if (chosen.template) checkScenarioTemplate(chosen.template, scenario);

	const answer = await oneMsgApiRequest.call(this, {
		method: 'POST',
		path: 'sendTemplate',
		body: { ...sendTemplateBody({ phone, template, namespace: chosen.namespace, language, values: { body } }) },
		itemIndex,
		sends: true,
	});
	if (answer.sent !== true) {
		const { token } = await getConnection.call(this, itemIndex);
		throw apiError(this, describeNotSent(answer, token), itemIndex);
	}
	return {
		sent: true,
		messageId: typeof answer.id === 'string' ? answer.id : null,
		phone,
		template,
		language,
		namespace: chosen.namespace,
		operation: scenario.operation,
		message: answer.message ?? null,
		description: answer.description ?? null,
	};
}
