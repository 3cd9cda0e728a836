/**
 * The channel's webhook URL list (GET/POST /webhook) and this trigger's place in it. The URL the
 * trigger registers is n8n's webhook URL plus `?secret=…`: 1MSG does not sign its requests, so the
 * secret in the URL is what tells 1MSG's calls from anyone else's.
 */

export const MAX_WEBHOOK_URLS = 5;
export const SECRET_PARAM = 'secret';

/**
 * GET /webhook answers a string, an array of strings, or a comma-separated string; or nothing. An
 * array's entries are taken whole, exactly as they are: they go back unchanged on the next write. A
 * string is split only where a new http(s) URL starts, so a comma inside a URL
 * (`…/in?events=message,ack`) stays in it.
 */
export function parseWebhookUrls(value: unknown): string[] {
	if (Array.isArray(value)) return value.filter((u): u is string => typeof u === 'string' && u.trim() !== '');
	if (typeof value !== 'string') return [];
	return value
		.replace(/[\s,]+$/, '')
		.split(/,(?=\s*https?:\/\/)/i)
		.map((u) => u.trim())
		.filter(Boolean);
}

/** POST /webhook replaces the list: one URL as a string, several as an array. */
export function webhookUrlValue(urls: string[]): string | string[] {
	return urls.length === 1 ? urls[0] : urls;
}

export function withSecret(webhookUrl: string, secret: string): string {
	const url = new URL(webhookUrl);
	url.searchParams.set(SECRET_PARAM, secret);
	return url.toString();
}

const withoutQuery = (url: string) => url.split('?')[0].replace(/\/+$/, '');

/** The entry of `urls` that points at `webhookUrl` with a secret, e.g. one a user pasted by hand. */
export function registeredEntry(urls: string[], webhookUrl: string): { url: string; secret: string } | undefined {
	for (const url of urls) {
		if (withoutQuery(url) !== withoutQuery(webhookUrl) || !URL.canParse(url)) continue;
		const secret = new URL(url).searchParams.get(SECRET_PARAM);
		if (secret) return { url, secret };
	}
	return undefined;
}
