/** The body of POST /sendTemplate, in the exact form of 1MSG's scenario pages. */

export interface TemplateParam {
	type: 'header' | 'body' | 'button';
	sub_type?: 'url';
	index?: number;
	parameters: Array<
		| { type: 'text'; text: string }
		| { type: 'image' | 'video' | 'document'; image?: { link: string }; video?: { link: string }; document?: { link: string } }
	>;
}

export interface SendTemplateBody {
	phone: string;
	template: string;
	namespace: string;
	language: { policy: 'deterministic'; code: string };
	params: TemplateParam[];
}

export interface TemplateValues {
	headerText?: string;
	headerMedia?: { type: 'image' | 'video' | 'document'; link: string };
	body: string[];
	/** URL button variables by the button's position in the template. */
	urlButtons?: Array<{ index: number; text: string }>;
}

const textParam = (text: string) => ({ type: 'text' as const, text });

/** Only components that carry variables are sent; the fixed URL button of the scenarios is not. */
export function sendTemplateBody(options: {
	phone: string;
	template: string;
	namespace: string;
	language: string;
	values: TemplateValues;
}): SendTemplateBody {
	const { values } = options;
	const params: TemplateParam[] = [];
	if (values.headerMedia) {
		const { type, link } = values.headerMedia;
		params.push({ type: 'header', parameters: [{ type, [type]: { link } }] });
	} else if (values.headerText !== undefined) {
		params.push({ type: 'header', parameters: [textParam(values.headerText)] });
	}
	if (values.body.length) params.push({ type: 'body', parameters: values.body.map(textParam) });
	for (const button of values.urlButtons ?? []) {
		params.push({ type: 'button', sub_type: 'url', index: button.index, parameters: [textParam(button.text)] });
	}
	return {
		phone: options.phone,
		template: options.template,
		namespace: options.namespace,
		language: { policy: 'deterministic', code: options.language },
		params,
	};
}
