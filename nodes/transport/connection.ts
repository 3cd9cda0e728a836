import { InputProblem } from '../itemRun/inputProblem';

export const DEFAULT_BASE_URL = 'https://api.1msg.io';

/** What every API call needs, derived once from the `oneMsgChannelApi` credential. */
export interface OneMsgConnection {
	/** `{baseUrl}/{channelId}`, no trailing slash: every method path is appended to it. */
	channelUrl: string;
	baseUrl: string;
	channelId: string;
	token: string;
}

export interface OneMsgCredentialData {
	channelId?: unknown;
	token?: unknown;
	baseUrl?: unknown;
}

/**
 * A channel id is letters, digits, `_` and `-`: `371267300`, and alphanumeric ones such as
 * `VID182868781`. Webhook bodies and JWTs write it with an `instance` prefix. The credential test's
 * expression (credentials/OneMsgChannelApi.credentials.ts) applies this same rule.
 */
export const CHANNEL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A channel id in any of its spellings (number, string, `instance…`), as the API path writes it. */
export function normalizeChannelId(value: unknown): string {
	const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
	return text.replace(/^instance/i, '');
}

/**
 * Tokens issued since mid-2025 are JWTs whose payload carries `instanceId: "instance<channel id>"`.
 * Returns the channel id, or undefined for a plain token or a JWT without it; an `instanceId` that
 * is not a channel id is an InputProblem, never a path.
 */
export function channelIdFromToken(token: string): string | undefined {
	const parts = token.trim().split('.');
	if (parts.length !== 3) return undefined;
	let payload: unknown;
	try {
		payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
	} catch {
		return undefined;
	}
	if (typeof payload !== 'object' || payload === null) return undefined;
	const instanceId = (payload as { instanceId?: unknown }).instanceId;
	const channelId = normalizeChannelId(instanceId);
	if (!channelId) return undefined;
	if (!CHANNEL_ID.test(channelId)) {
		throw new InputProblem(`The token's instanceId ${JSON.stringify(instanceId)} is not a channel ID (letters, digits, _ and - only)`,
			'Enter the channel ID from the 1MSG dashboard in the credential, or copy the token again',
		);
	}
	return channelId;
}

export function normalizeBaseUrl(value: unknown): string {
	const raw = (typeof value === 'string' ? value : '').trim() || DEFAULT_BASE_URL;
	if (!URL.canParse(raw)) {
		throw new InputProblem(`Base URL "${raw}" is not a valid URL`, 'Use e.g. https://api.1msg.io');
	}
	const url = new URL(raw);
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new InputProblem(`Base URL must start with http:// or https:// (got "${url.protocol}")`,
			'Use e.g. https://api.1msg.io',
		);
	}
	// the channel id and method are appended to it: after a ? or # they would not be in the path
	if (/[?#]/.test(raw)) {
		throw new InputProblem(`Base URL "${raw}" has a query (?) or fragment (#)`, 'Give only the API address, e.g. https://api.1msg.io');
	}
	return raw.replace(/\/+$/, '');
}

export function resolveConnection(credentials: OneMsgCredentialData): OneMsgConnection {
	const token = typeof credentials.token === 'string' ? credentials.token.trim() : '';
	if (!token) {
		throw new InputProblem('The OneMsg credential has no token', 'Paste the channel API token from the 1MSG dashboard');
	}
	const baseUrl = normalizeBaseUrl(credentials.baseUrl);
	const given = normalizeChannelId(credentials.channelId);
	if (given && !CHANNEL_ID.test(given)) {
		throw new InputProblem(`Channel ID "${given}" may only have letters, digits, _ and -`, 'Copy the channel ID from the 1MSG dashboard');
	}
	const channelId = given || channelIdFromToken(token);
	if (!channelId) {
		throw new InputProblem('The OneMsg credential has no channel ID and the token does not carry one',
			'Enter the channel ID shown in the 1MSG dashboard',
		);
	}
	return { baseUrl, channelId, token, channelUrl: `${baseUrl}/${encodeURIComponent(channelId)}` };
}
