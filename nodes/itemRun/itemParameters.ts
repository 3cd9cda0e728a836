import type { IDataObject, IExecuteFunctions, INodeParameters, NodeParameterValueType } from 'n8n-workflow';

function isExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(isExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(isExpression);
	return false;
}

// `={{ $json.customer.phone }}`, `={{ $json["ticket id"] }}`, `={{ $json.lines[0] }}`: what dragging a
// field from the input panel produces.
const JSON_PATH_EXPRESSION = /^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\s*(?:"[^"\\]*"|'[^'\\]*'|\d+)\s*\])+)\s*\}\}$/;
const PATH_PART = /\.([A-Za-z_$][\w$]*)|\[\s*(?:"([^"\\]*)"|'([^'\\]*)'|(\d+))\s*\]/g;

/** The property path of a plain `{{ $json… }}` expression, or undefined for any other expression. */
export function jsonPathOf(value: unknown): string[] | undefined {
	if (typeof value !== 'string') return undefined;
	const match = JSON_PATH_EXPRESSION.exec(value);
	if (!match) return undefined;
	return [...match[1].matchAll(PATH_PART)].map((part) => part[1] ?? part[2] ?? part[3] ?? part[4]);
}

function lookup(json: IDataObject, path: string[]): unknown {
	let value: unknown = json;
	for (const key of path) {
		if (value === null || value === undefined || typeof value !== 'object') return undefined;
		if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/**
 * Reads node parameters for many items, cheaply. n8n 2.40 evaluates each expression in an isolated
 * VM, about 0.4 ms apiece: over thousands of items and several fields that is most of the node's
 * time. So a parameter without an expression is resolved once, and anything that is not a plain
 * mapping goes through n8n.
 *
 * DELIBERATELY MIRRORS n8n: a plain `{{ $json.path }}` mapping (what dragging a field from the input
 * panel writes) is read from the item directly, giving the value n8n's expression engine would give.
 * If n8n ever changes what such a mapping yields, this must change with it. Guarded by
 * test/unit/itemParameters.test.mts (which expressions count as plain) and test/nodes/sendTemplate.test.mts
 * ("plain {{ $json… }} mappings are read without the expression engine, with the same result": the
 * same items through this path and through n8n's engine give identical requests and output).
 */
export function itemParameters(context: IExecuteFunctions) {
	const raw: INodeParameters = context.getNode().parameters;
	const items = context.getInputData();
	const constant = new Map<string, NodeParameterValueType | object>();
	const paths = new Map<string, string[] | undefined>();
	return (name: string, itemIndex: number, fallback: unknown, options?: { extractValue?: boolean }) => {
		const top = name.split('.')[0];
		if (!isExpression(raw[top])) {
			const key = `${name}:${options?.extractValue ? 1 : 0}`;
			if (!constant.has(key)) constant.set(key, context.getNodeParameter(name, itemIndex, fallback, options));
			return constant.get(key);
		}
		if (!paths.has(name)) paths.set(name, name === top ? jsonPathOf(raw[name]) : undefined);
		const path = paths.get(name);
		const json = items[itemIndex]?.json;
		if (path && json) return lookup(json, path) ?? fallback;
		return context.getNodeParameter(name, itemIndex, fallback, options);
	};
}

export type ItemParameters = ReturnType<typeof itemParameters>;
