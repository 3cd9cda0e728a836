import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { parseIncomingMessages, type IncomingMessage } from '../api/incomingMessages';
import { downloadMedia } from './media';

export interface MessageOptions {
	downloadMedia?: boolean;
	/** Megabytes. */
	maxMediaSize?: number;
}

// the option's default in OneMsgTrigger.node.ts is the same literal (test/unit/defaults.test.mts)
export const DEFAULT_MAX_MEDIA_MB = 25;

/**
 * The wanted messages and echoes of one POST as trigger items, repeats dropped by `seenBefore`,
 * files attached when asked. A failed download keeps its item, with `mediaError` saying why.
 */
export async function messageItems(
	context: IWebhookFunctions,
	body: unknown,
	events: string[],
	seenBefore: (message: IncomingMessage) => boolean,
): Promise<INodeExecutionData[]> {
	if (!events.includes('message') && !events.includes('echo')) return [];
	const wanted = parseIncomingMessages(body).messages.filter((message) => events.includes(message.event) && !seenBefore(message));
	if (!wanted.length) return [];
	const options = context.getNodeParameter('options', {}) as MessageOptions;
	const maxBytes = Math.max(0, options.maxMediaSize ?? DEFAULT_MAX_MEDIA_MB) * 1024 * 1024;
	return await Promise.all(
		wanted.map(async (message): Promise<INodeExecutionData> => {
			const json = message as unknown as IDataObject;
			if (!options.downloadMedia || !message.media) return { json };
			const download = await downloadMedia(context, message.media, maxBytes).catch((error: unknown) => ({
				problem: `it could not be stored: ${(error as Error).message}`,
			}));
			if ('binary' in download) return { json: { ...json, mediaError: null }, binary: { data: download.binary } };
			return { json: { ...json, mediaError: `File not attached: ${download.problem}` } };
		}),
	);
}
