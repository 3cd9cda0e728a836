import { InputProblem } from './problems';

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
 * Tokens issued since mid-2025 are JWTs whose payload carries `instanceId: "instance<channel id>"`.
 * Returns the channel id, or undefined for a plain token or a JWT without it.
 */
export function channelIdFromToken(token: string): string | undefined {
	const parts = token.trim().split('.');
	if (parts.length !== 3) return undefined;
	try {
		const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		if (typeof payload !== 'object' || payload === null) return undefined;
		const instanceId = (payload as { instanceId?: unknown }).instanceId;
		if (typeof instanceId !== 'string' && typeof instanceId !== 'number') return undefined;
		const channelId = String(instanceId).replace(/^instance/, '');
		return /^\d+$/.test(channelId) ? channelId : undefined;
	} catch {
		return undefined;
	}
}

export function normalizeBaseUrl(value: unknown): string {
	const raw = (typeof value === 'string' ? value : '').trim() || DEFAULT_BASE_URL;
	if (!URL.canParse(raw)) {
		throw new InputProblem('Base URL', `Base URL "${raw}" is not a valid URL`, 'Use e.g. https://api.1msg.io');
	}
	const url = new URL(raw);
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new InputProblem(
			'Base URL',
			`Base URL must start with http:// or https:// (got "${url.protocol}")`,
			'Use e.g. https://api.1msg.io',
		);
	}
	return raw.replace(/\/+$/, '');
}

export function resolveConnection(credentials: OneMsgCredentialData): OneMsgConnection {
	const token = typeof credentials.token === 'string' ? credentials.token.trim() : '';
	if (!token) {
		throw new InputProblem('Token', 'The OneMsg credential has no token', 'Paste the channel API token from the 1MSG dashboard');
	}
	const baseUrl = normalizeBaseUrl(credentials.baseUrl);
	const given = String(credentials.channelId ?? '').trim();
	const channelId = given || channelIdFromToken(token);
	if (!channelId) {
		throw new InputProblem(
			'Channel ID',
			'The OneMsg credential has no channel ID and the token does not carry one',
			'Enter the channel ID shown in the 1MSG dashboard',
		);
	}
	return { baseUrl, channelId, token, channelUrl: `${baseUrl}/${encodeURIComponent(channelId)}` };
}
