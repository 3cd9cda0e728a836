/**
 * Turning 1MSG's many failure shapes into one sentence for people: what 1MSG said, and what to do.
 * Pure functions; the transport wraps the result in a NodeApiError.
 */

export interface ApiFailure {
	/** 1MSG's own words (token removed), or a description of the answer when it had none. */
	reason: string;
	/** One sentence on what to do next. */
	hint: string;
	httpCode?: number;
}

const WINDOW_CLOSED = /dialog window is closed|outside the allowed window|131047|re-engagement/i;

/** Finds 1MSG's message in any of the body shapes it uses for errors. */
export function apiMessage(body: unknown): string | undefined {
	if (typeof body === 'string') return body.trim() || undefined;
	if (typeof body !== 'object' || body === null) return undefined;
	const record = body as Record<string, unknown>;
	const error = record.error;
	if (typeof error === 'string' && error.trim()) return error.trim();
	if (typeof error === 'object' && error !== null) {
		const meta = error as Record<string, unknown>;
		const parts = [meta.error_user_title, meta.error_user_msg ?? meta.message]
			.filter((part): part is string => typeof part === 'string' && part.trim() !== '')
			.map((part) => part.trim());
		const code = typeof meta.code === 'number' || typeof meta.code === 'string' ? ` (code ${meta.code})` : '';
		if (parts.length) return parts.join(': ') + code;
	}
	for (const key of ['message', 'description', 'detail', 'title']) {
		const value = record[key];
		if (typeof value === 'string' && value.trim()) return value.trim();
	}
	return undefined;
}

const HIDDEN = '[token hidden]';
/** A piece of the token this long is hidden wherever it shows (a cut may leave one at either end). */
export const MIN_HIDDEN_FRAGMENT = 8;

/**
 * Removes the channel token from text that 1MSG echoes back (its 401 answer quotes the token), and
 * any piece of it of MIN_HIDDEN_FRAGMENT characters or more, such as one a shortened text ends with.
 */
export function redactToken(text: string, token: string): string {
	let redacted = text.replace(/(wrong token\s*)"[^"]*"/gi, `$1"${HIDDEN}"`);
	if (!token) return redacted;
	redacted = redacted.split(token).join(HIDDEN);
	return token.length < MIN_HIDDEN_FRAGMENT ? redacted : hideFragments(redacted, token);
}

function hideFragments(text: string, token: string): string {
	let result = '';
	for (let i = 0; i < text.length; ) {
		let length = 0;
		while (i + length < text.length && token.includes(text.slice(i, i + length + 1))) length++;
		if (length >= MIN_HIDDEN_FRAGMENT) {
			result += HIDDEN;
			i += length;
		} else {
			result += text[i];
			i++;
		}
	}
	return result;
}

/** Shortens a non-JSON body (an HTML error page, say) to something that fits in an error line. */
export function summarizeText(text: string, max = 160): string {
	const plain = text
		.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
		.replace(/<[^>]+>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

export function isWindowClosed(text: string, body?: unknown): boolean {
	const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
	return WINDOW_CLOSED.test(text) || String(code) === '131047';
}

export const HINTS = {
	token: 'Check the token in the OneMsg credential: copy it again from the 1MSG dashboard.',
	notFound: 'Check the channel ID in the OneMsg credential and the template name.',
	unprocessable:
		"Check that the number of variables and the namespace match the template approved in 1MSG.",
	rateLimited:
		'1MSG is rate limiting this channel; the request was not processed, so it is safe to retry after a pause.',
	maybeSent:
		'The message may or may not have been sent: check before retrying, or the customer may get it twice.',
	serverTrouble: '1MSG had trouble answering; try again in a moment.',
	window:
		'The customer has not opted in, or the 24-hour window is closed: only approved templates reach them, and only after opt-in.',
	notSent: 'Check the template, its namespace and language, and the channel status in the 1MSG dashboard.',
	badRequest: 'Check the values sent to 1MSG.',
	unreachable: 'Check the Base URL in the OneMsg credential and that n8n can reach it.',
} as const;

/**
 * Describes an HTTP answer that was not a success. `sends` tells whether the call sends a message,
 * which decides what a 5xx means for the user.
 */
export function describeHttpFailure(statusCode: number, body: unknown, token: string, sends: boolean): ApiFailure {
	const reason = bodyReason(body, token);
	let hint: string;
	if (isWindowClosed(reason, body)) hint = HINTS.window;
	else if (statusCode === 401 || statusCode === 403) hint = HINTS.token;
	else if (statusCode === 404) hint = HINTS.notFound;
	else if (statusCode === 422) hint = HINTS.unprocessable;
	else if (statusCode === 429) hint = HINTS.rateLimited;
	// a 5xx, or a 2xx we cannot read: the request may have been carried out
	else if (statusCode >= 500 || statusCode < 300) hint = sends ? HINTS.maybeSent : HINTS.serverTrouble;
	else hint = HINTS.badRequest;
	return { reason, hint, httpCode: statusCode };
}

/** Hidden first, then shortened, then hidden again: a cut must not leave a piece of the token. */
function bodyReason(body: unknown, token: string): string {
	const said = apiMessage(body);
	if (!said) return 'no message';
	const hidden = redactToken(said, token);
	return typeof body === 'string' ? `non-JSON answer: ${redactToken(summarizeText(hidden), token)}` : hidden;
}

/** A 2xx answer to sendTemplate without `sent: true`. */
export function describeNotSent(body: unknown, token: string): ApiFailure {
	const said = apiMessage(body);
	const reason = redactToken(said ?? '1MSG did not accept the message (no "sent": true in its answer)', token);
	const jobId = (body as { jobId?: unknown } | undefined)?.jobId;
	const jobNote = jobId !== undefined ? ` 1MSG queued it as job ${String(jobId)}, which is not a message id.` : '';
	return { reason, hint: (isWindowClosed(reason, body) ? HINTS.window : HINTS.notSent) + jobNote, httpCode: 200 };
}
