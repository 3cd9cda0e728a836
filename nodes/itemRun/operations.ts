import type { INodeProperties } from 'n8n-workflow';

/** Shows a field only for these operations. */
export const forOperations = (operation: string[]) => ({ show: { operation } });

/** `{{ … }}` that shows the chosen operation's name under the node on the canvas. */
export function subtitleFor(operation: INodeProperties): string {
	return `={{ (${JSON.stringify(
		Object.fromEntries((operation.options ?? []).map((o) => ['value' in o ? o.value : '', o.name])),
	)})[$parameter["operation"]] }}`;
}
