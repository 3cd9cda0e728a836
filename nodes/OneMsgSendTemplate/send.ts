import type { IDataObject, IExecuteFunctions, ResourceMapperValue } from 'n8n-workflow';

import { describeNotSent } from '../transport/apiFailure';
import { defaultSendKey } from '../shared/sendOnce';
import { sendTemplateBody, type TemplateValues } from '../shared/payload';
import { normalizePhone } from '../shared/phone';
import { InputProblem } from '../shared/problems';
import { templateVariableText, type WhitespacePolicy } from '../shared/text';
import { templateSlots, type Template } from '../shared/templates';
import { templateValuesFrom } from '../shared/templateVariables';
import type { PreparedCall } from '../shared/itemRun';
import { apiError, getConnection, oneMsgApiRequest } from '../transport/request';
import { DEFAULTS, timeoutMs, type BulkOptions } from './bulk';
import type { ItemParameters } from './itemParameters';
import type { Scenario } from './scenarios';
import { chooseTemplate, type ChosenTemplate } from './templateCatalog';

/** The fields every send operation has, read and checked for one item. */
interface SendRequest {
	phone: string;
	template: string;
	language: string;
	namespace: string;
	policy: WhitespacePolicy;
	timeoutMs: number;
	/** Skip Items Already Sent: the key the user gave ('' for the default one), or undefined when off. */
	skipKey?: string;
}

function readSendRequest(param: ItemParameters, itemIndex: number): SendRequest {
	const options = param('options', itemIndex, {}) as { whitespace?: WhitespacePolicy; skipAlreadySent?: boolean; skipKey?: string } & BulkOptions;
	const phone = normalizePhone(param('phone', itemIndex, ''));
	const template = String(param('template', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!template) throw new InputProblem('Template is empty', 'Pick a template from the list or type its name');
	const language = String(param('language', itemIndex, 'en') ?? '').trim();
	if (!language) throw new InputProblem('Language is empty', 'Enter the template language code, e.g. en');
	const namespace = String(param('namespace', itemIndex, '') ?? '').trim();
	const skipKey = options.skipAlreadySent ? String(options.skipKey ?? '').trim() : undefined;
	return { phone, template, language, namespace, policy: options.whitespace ?? DEFAULTS.whitespace, timeoutMs: timeoutMs(options), skipKey };
}

function sentOnceBy(call: () => Promise<IDataObject>, operation: string, request: SendRequest, chosen: ChosenTemplate, values: TemplateValues): PreparedCall {
	if (request.skipKey === undefined) return call;
	const { phone, template, language } = request;
	const key = request.skipKey || defaultSendKey({ operation, phone, template, language, values });
	const skipped = { sent: true, skipped: true, messageId: null, phone, template, language, namespace: chosen.namespace, operation };
	return Object.assign(call, { once: { key, skipped } });
}

/** Sends the checked request; answers the output item, or throws 1MSG's refusal. */
async function send(
	context: IExecuteFunctions,
	itemIndex: number,
	operation: string,
	request: SendRequest,
	chosen: ChosenTemplate,
	values: TemplateValues,
): Promise<IDataObject> {
	const { phone, template, language } = request;
	const answer = await oneMsgApiRequest.call(context, {
		method: 'POST',
		path: 'sendTemplate',
		body: { ...sendTemplateBody({ phone, template, namespace: chosen.namespace, language, values }) },
		itemIndex,
		sends: true,
		timeoutMs: request.timeoutMs,
	});
	if (answer.sent !== true) {
		const { token } = await getConnection.call(context, itemIndex);
		throw apiError(context, describeNotSent(answer, token), itemIndex);
	}
	return {
		sent: true,
		messageId: typeof answer.id === 'string' ? answer.id : null,
		phone,
		template,
		language,
		namespace: chosen.namespace,
		operation,
		message: answer.message ?? null,
		description: answer.description ?? null,
	};
}

/** A template a scenario can fill: three body variables and nothing else to fill. */
function checkScenarioTemplate(template: Template, scenario: Scenario): void {
	const slots = templateSlots(template);
	if (slots.body !== scenario.variables.length) {
		throw new InputProblem(`Template "${template.name}" has ${slots.body} body variable${slots.body === 1 ? '' : 's'}; ${scenario.displayName} fills exactly ${scenario.variables.length}`,
			'Choose a template with {{1}} {{2}} {{3}} in its body, or use the Custom Template operation',
		);
	}
	const extra = [
		slots.headerText && 'a header variable',
		slots.headerMedia && `a ${slots.headerMedia} header`,
		slots.urlButtons.length && 'a URL button variable',
	].filter(Boolean);
	if (extra.length) {
		throw new InputProblem(`Template "${template.name}" also needs ${extra.join(' and ')}, which ${scenario.displayName} does not fill`,
			'Use the Custom Template operation for this template',
		);
	}
}

/** Ticket Accepted / Agent Assigned for one item. Everything is checked before the request goes out. */
export async function prepareScenario(
	this: IExecuteFunctions,
	scenario: Scenario,
	itemIndex: number,
	catalog: () => Promise<Template[]>,
	param: ItemParameters,
): Promise<PreparedCall> {
	const request = readSendRequest(param, itemIndex);
	const body = scenario.variables.map((variable) =>
		templateVariableText(param(variable.name, itemIndex, ''), variable.displayName, request.policy),
	);
	const chosen = await chooseTemplate(catalog, request.template, request.language, request.namespace);
	if (chosen.template) checkScenarioTemplate(chosen.template, scenario);
	const values = { body };
	return sentOnceBy(async () => await send(this, itemIndex, scenario.operation, request, chosen, values), scenario.operation, request, chosen, values);
}

/** Custom Template for one item: the values of the template's own variables. */
export async function prepareCustomTemplate(
	this: IExecuteFunctions,
	itemIndex: number,
	catalog: () => Promise<Template[]>,
	param: ItemParameters,
): Promise<PreparedCall> {
	const request = readSendRequest(param, itemIndex);
	const mapped = param('variables', itemIndex, { value: {} }) as ResourceMapperValue;
	// The template's variables can only be known from the channel's list: it is required here.
	const chosen = await chooseTemplate(catalog, request.template, request.language, request.namespace, { listRequired: true });
	const values = templateValuesFrom(templateSlots(chosen.template!), mapped.value ?? {}, request.policy);
	return sentOnceBy(async () => await send(this, itemIndex, 'customTemplate', request, chosen, values), 'customTemplate', request, chosen, values);
}
