/**
 * The editor shows each option's default as a literal in the node description (n8n's linter reads
 * them literally); the code falls back to DEFAULTS when an option is not set. Both must agree.
 */
import type { INodeProperties, INodePropertyCollection } from 'n8n-workflow';
import { describe, expect, test } from 'vitest';
import { DELIVERY_STATUSES } from '../../nodes/api/deliveryEvents.ts';
import { DEFAULTS } from '../../nodes/itemRun/queueOptions.ts';
import { DEFAULT_MAX_MEDIA_MB } from '../../nodes/OneMsgTrigger/messages.ts';
import { OneMsg } from '../../nodes/OneMsg/OneMsg.node.ts';
import { OneMsgSendTemplate } from '../../nodes/OneMsgSendTemplate/OneMsgSendTemplate.node.ts';
import { OneMsgTrigger } from '../../nodes/OneMsgTrigger/OneMsgTrigger.node.ts';

/** The defaults of a node's fields by path (`options.timeout`), over every field of that name. */
function defaultsOf(properties: INodeProperties[]): Map<string, unknown[]> {
	const found = new Map<string, unknown[]>();
	const walk = (list: Array<INodeProperties | INodePropertyCollection>, prefix: string) => {
		for (const property of list) {
			if (!('name' in property) || !('default' in property)) continue;
			const path = prefix + property.name;
			found.set(path, [...(found.get(path) ?? []), property.default]);
			if (property.type === 'collection' && property.options) walk(property.options as INodeProperties[], `${path}.`);
		}
	};
	walk(properties, '');
	return found;
}

const sendTemplate = defaultsOf(new OneMsgSendTemplate().description.properties);
const oneMsg = defaultsOf(new OneMsg().description.properties);
const trigger = defaultsOf(new OneMsgTrigger().description.properties);

describe('option defaults: the description and the code agree', () => {
	test.each([
		['options.concurrency', DEFAULTS.concurrency],
		['options.rateLimitRetries', DEFAULTS.rateLimitRetries],
		['options.retryUncertain', DEFAULTS.retryUncertain],
		['options.skipAlreadySent', DEFAULTS.skipAlreadySent],
		['options.skipKey', DEFAULTS.skipKey],
		['options.timeout', DEFAULTS.timeoutSeconds],
	])('%s, on both sending nodes', (path, value) => {
		expect(sendTemplate.get(path)).toEqual([value]);
		expect(oneMsg.get(path)).toEqual([value]);
	});

	test('Send Template only', () => {
		expect(sendTemplate.get('options.whitespace')).toEqual([DEFAULTS.whitespace]);
		expect(sendTemplate.get('waitTimeout')).toEqual([DEFAULTS.waitTimeoutSeconds]);
		expect(sendTemplate.get('pollInterval')).toEqual([DEFAULTS.pollIntervalSeconds]);
	});

	test('OneMsg only', () => {
		expect(oneMsg.get('options.hiddenNumberRouting')).toEqual([DEFAULTS.hiddenNumberRouting]);
	});

	test('the trigger', () => {
		expect(trigger.get('options.maxMediaSize')).toEqual([DEFAULT_MAX_MEDIA_MB]);
		expect(trigger.get('statuses')).toEqual([[...DELIVERY_STATUSES]]);
		const statuses = new OneMsgTrigger().description.properties.find((p) => p.name === 'statuses');
		expect(statuses?.options?.map((o) => ('value' in o ? o.value : undefined))).toEqual([...DELIVERY_STATUSES]);
	});
});
