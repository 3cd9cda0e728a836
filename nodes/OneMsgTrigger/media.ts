import type { IBinaryData, IN8nHttpFullResponse, IWebhookFunctions } from 'n8n-workflow';

import type { MessageMedia } from '../api/incomingMessages';

export const MEDIA_TIMEOUT_MS = 30_000;

/** The file, or a sentence for people on why it is not attached. */
export type MediaDownload = { binary: IBinaryData } | { problem: string };

type ByteStream = AsyncIterable<Uint8Array> & { destroy?: () => void };

const hostOf = (url: string) => (URL.canParse(url) ? new URL(url).host : 'the link');
const formatMb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** The body, or undefined once it passes `maxBytes` (the download is then cut off). */
async function readLimited(stream: ByteStream, maxBytes: number): Promise<Buffer | undefined> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream) {
		size += chunk.length;
		if (size > maxBytes) {
			stream.destroy?.();
			return undefined;
		}
		chunks.push(Buffer.from(chunk));
	}
	return Buffer.concat(chunks);
}

/**
 * Downloads a message's file and stores it as n8n binary data. The link is a temporary, pre-signed
 * link on 1MSG's file storage: it is fetched with a plain GET and never with the channel token
 * (a storage host is not 1MSG's API, and a pre-signed link refuses an extra Authorization header).
 */
export async function downloadMedia(context: IWebhookFunctions, media: MessageMedia, maxBytes: number): Promise<MediaDownload> {
	const url = media.url;
	if (!url) {
		return {
			problem: media.id
				? "1MSG forwarded Meta's media id instead of a link (the channel has rawHooks on): the file can only be fetched with Meta's own access token"
				: 'the message has no link to its file',
		};
	}
	if (!/^https?:\/\//i.test(url)) return { problem: `the file link "${url}" is not an http(s) URL` };
	const host = hostOf(url);
	let response: IN8nHttpFullResponse;
	try {
		response = (await context.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: MEDIA_TIMEOUT_MS,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		return { problem: `could not download the file from ${host}: ${(error as Error).message}` };
	}
	const stream = response.body as ByteStream;
	if (response.statusCode < 200 || response.statusCode >= 300) {
		stream.destroy?.();
		return { problem: `${host} answered HTTP ${response.statusCode} to the download: the link may have expired (1MSG's links last minutes)` };
	}
	const declared = Number(response.headers?.['content-length']);
	if (Number.isFinite(declared) && declared > maxBytes) {
		stream.destroy?.();
		return { problem: `the file is ${formatMb(declared)}, more than the ${formatMb(maxBytes)} limit` };
	}
	let data: Buffer | undefined;
	try {
		data = await readLimited(stream, maxBytes);
	} catch (error) {
		return { problem: `the download from ${host} broke off: ${(error as Error).message}` };
	}
	if (!data) return { problem: `the file is more than the ${formatMb(maxBytes)} limit` };
	const headerType = String(response.headers?.['content-type'] ?? '').split(';')[0].trim();
	const mimeType = media.mimeType ?? (headerType || undefined);
	return { binary: await context.helpers.prepareBinaryData(data, media.fileName ?? undefined, mimeType) };
}
