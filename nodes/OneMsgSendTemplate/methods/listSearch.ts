import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { loadTemplates } from '../templateCatalog';
import { isApproved } from '../templates';

/** The Template field's list: the channel's approved templates, filtered by what the user types. */
export async function searchTemplates(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const wanted = (filter ?? '').trim().toLowerCase();
	const templates = (await loadTemplates.call(this)).filter(isApproved);
	return {
		results: templates
			.filter((t) => !wanted || t.name.toLowerCase().includes(wanted))
			.sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language))
			.map((t) => ({
				name: `${t.name} (${[t.language, t.category?.toLowerCase()].filter(Boolean).join(', ')})`,
				value: t.name,
			})),
	};
}
