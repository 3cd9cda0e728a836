import { InputProblem } from '../itemRun/inputProblem';
import { fetchAllTemplates, findTemplate, isApproved, resolveNamespace, type Template } from './templates';
import { oneMsgRequest, type OneMsgContext } from '../transport/request';

export async function loadTemplates(this: OneMsgContext, timeoutMs?: number): Promise<Template[]> {
	return await fetchAllTemplates(
		async (offset, limit) =>
			await oneMsgRequest.call(this, { method: 'GET', path: 'templates', qs: { limit, offset }, timeoutMs }),
	);
}

/**
 * The channel's template list, fetched on first use and then shared by every item of the execution.
 * A failure is shared too: the transport has already asked again as often as a read is asked.
 */
export function templateCatalog(context: OneMsgContext, timeoutMs?: number): () => Promise<Template[]> {
	let pending: Promise<Template[]> | undefined;
	return async () => await (pending ??= loadTemplates.call(context, timeoutMs));
}

export interface ChosenTemplate {
	namespace: string;
	/** Undefined when the list could not be read but the namespace was given: nothing to check against. */
	template?: Template;
}

/**
 * Finds the template the item asks for and the namespace to send with it. The list is needed for
 * the namespace when none is given; otherwise it only serves the checks, and a failure to read it
 * does not stop the send.
 */
export async function chooseTemplate(
	catalog: () => Promise<Template[]>,
	name: string,
	language: string,
	givenNamespace: string,
	{ listRequired = false } = {},
): Promise<ChosenTemplate> {
	// When the list is required (no namespace given, or the variables to check), its error is the item's error.
	const templates = givenNamespace && !listRequired ? await catalog().catch(() => undefined) : await catalog();
	if (!templates) return { namespace: givenNamespace };

	const template = findTemplate(templates, name, language);
	if (!template) {
		const languages = templates.filter((t) => t.name === name).map((t) => t.language);
		throw new InputProblem(languages.length
				? `Template "${name}" has no "${language}" version in 1MSG; it has ${languages.join(', ')}`
				: `Template "${name}" is not among the channel's templates in 1MSG`,
			languages.length ? 'Set Language to one of those codes' : 'Pick the template from the list, or check its name',
		);
	}
	if (!isApproved(template)) {
		throw new InputProblem(`Template "${name}" (${template.language}) is ${template.status || 'not approved'} in 1MSG; only approved templates can be sent`,
		);
	}
	const namespace = givenNamespace || resolveNamespace(templates, template);
	if (!namespace) {
		throw new InputProblem("Namespace is empty and the channel's template list does not give one",
			'Copy the namespace from the template page in the 1MSG dashboard',
		);
	}
	return { namespace, template };
}
