import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { describeHttpFailure, describeNotSent, HINTS, redactToken, type ApiFailure } from './apiFailure';
import { resolveConnection, type OneMsgConnection } from './connection';
import { failureOf, withFailure } from './failure';
import { backoffMs, MAX_RETRY_WAIT_MS, retryAfterMs, waitsTooLong } from './retryAfter';
import { InputProblem } from '../itemRun/inputProblem';

export const CREDENTIAL_TYPE = 'oneMsgChannelApi';

export type OneMsgContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export interface ApiCall {
	method: IHttpRequestMethods;
	/** The API method, appended to `{baseUrl}/{channelId}/`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	itemIndex?: number;
	/** True for calls that send a message: a 5xx then means "maybe sent", not just "try again". */
	sends?: boolean;
	/** Deadline of each exchange, from connecting to the answer's last byte; DEFAULT_TIMEOUT_MS when not given. */
	timeoutMs?: number;
}

interface ResolvedCredential {
	connection: OneMsgConnection;
	/** Handed to n8n's request helper so it does not load and decrypt the credential again per request. */
	decrypted: ICredentialsDecrypted;
}

// One credential lookup per node run (n8n reads and decrypts it from the database on each call).
const resolved = new WeakMap<object, Promise<ResolvedCredential>>();

async function resolveCredential(context: OneMsgContext, itemIndex?: number): Promise<ResolvedCredential> {
	const data = await context.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const reference = context.getNode().credentials?.[CREDENTIAL_TYPE];
	try {
		return {
			connection: resolveConnection(data),
			decrypted: { id: reference?.id ?? '', name: reference?.name ?? '', type: CREDENTIAL_TYPE, data },
		};
	} catch (error) {
		throw toNodeError(context, error, itemIndex);
	}
}

function credentialOf(context: OneMsgContext, itemIndex?: number): Promise<ResolvedCredential> {
	let pending = resolved.get(context);
	if (!pending) {
		pending = resolveCredential(context, itemIndex);
		resolved.set(context, pending);
		pending.catch(() => resolved.delete(context)); // a failure is reported, not remembered
	}
	return pending;
}

export async function getConnection(this: OneMsgContext, itemIndex?: number): Promise<OneMsgConnection> {
	return (await credentialOf(this, itemIndex)).connection;
}

/** Each API call's deadline when the caller gives none (the send node's Timeout option default). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Tries of a read (GET) after a 429, a refused or reset connection or a 5xx: 0.5, 1 and 2 s apart (with jitter). */
export const READ_ATTEMPTS = 4;

/**
 * The one function through which every 1MSG API call goes. Answers the parsed JSON body of a 2xx.
 * Never follows a redirect; every exchange has a deadline; reads are asked again after failures
 * that allow it (sends are retried by the send queue, which knows whether a message may be out).
 */
export async function oneMsgRequest(this: OneMsgContext, call: ApiCall): Promise<IDataObject> {
	const { connection, decrypted } = await credentialOf(this, call.itemIndex);
	for (let attempt = 1; ; attempt++) {
		try {
			return await exchange(this, connection, decrypted, call);
		} catch (error) {
			const wait = call.method === 'GET' && attempt < READ_ATTEMPTS ? readRetryWait(error, attempt) : undefined;
			if (wait === undefined) throw hideTokenIn(error, connection.token);
			await sleep(wait);
		}
	}
}

/**
 * Sends a message (POST, `sends`): answers 1MSG's answer when it says `sent: true`, and otherwise
 * throws its refusal, with `notSentHint` instead of the general one when given.
 */
export async function sendMessageRequest(
	this: OneMsgContext,
	call: Omit<ApiCall, 'method' | 'sends'>,
	notSentHint?: string,
): Promise<IDataObject> {
	const answer = await oneMsgRequest.call(this, { ...call, method: 'POST', sends: true });
	if (answer.sent === true) return answer;
	const { token } = await getConnection.call(this, call.itemIndex);
	const failure = describeNotSent(answer, token);
	throw apiError(this, notSentHint ? { ...failure, hint: notSentHint } : failure, call.itemIndex);
}

/** How long to wait before asking again after a failed read, or undefined when asking again is pointless. */
function readRetryWait(error: unknown, attempt: number): number | undefined {
	if (!(error instanceof NodeApiError)) return undefined;
	const failure = failureOf(error);
	if (failure.kind === 'rateLimited') {
		return waitsTooLong(failure.retryAfterMs) ? undefined : (failure.retryAfterMs ?? backoffMs(attempt, Math.random));
	}
	if (Number(error.httpCode) >= 500 || RETRYABLE_NETWORK_CODES.has(failure.networkCode ?? '')) return backoffMs(attempt, Math.random);
	return undefined;
}

const RETRYABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET']);

class DeadlineExceeded extends Error {
	constructor(readonly ms: number) {
		super(`no complete answer within ${ms / 1000} s`);
	}
}

/** One HTTP exchange, bounded from connecting to the last byte of the answer. */
async function exchange(
	context: OneMsgContext,
	connection: OneMsgConnection,
	decrypted: ICredentialsDecrypted,
	call: ApiCall,
): Promise<IDataObject> {
	const ms = call.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	const deadline = AbortSignal.timeout(ms);
	let onExpiry = () => {};
	const expired = new Promise<never>((_, reject) => {
		onExpiry = () => reject(new DeadlineExceeded(ms));
		deadline.addEventListener('abort', onExpiry, { once: true });
	});
	// n8n's helper replaces the request's abort signal with the execution's: the deadline joins it
	// there, so the connection is closed too, not only abandoned.
	const cancel = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	const signal = cancel ? AbortSignal.any([cancel, deadline]) : deadline;
	const caller = Object.create(context, { getExecutionCancelSignal: { value: () => signal } }) as OneMsgContext;
	const url = `${connection.channelUrl}/${call.path}`;
	let response: IN8nHttpFullResponse;
	try {
		response = (await Promise.race([
			context.helpers.httpRequestWithAuthentication.call(
				caller,
				CREDENTIAL_TYPE,
				{
					method: call.method,
					url,
					qs: call.qs,
					body: call.body,
					json: true,
					// n8n's request helper makes a new agent per request, so a kept-alive connection would only
					// idle until the server drops it: thousands of them in a bulk send (see docs/BENCHMARKS.md)
					headers: { connection: 'close' },
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					// 1MSG never redirects: a redirect would carry the token (and a send's body) elsewhere
					disableFollowRedirect: true,
					sendCredentialsOnCrossOriginRedirect: false,
					timeout: ms,
					abortSignal: signal,
				},
				// a copy: n8n may add to it while authenticating
				{ credentialsDecrypted: { ...decrypted, data: { ...decrypted.data } } },
			),
			expired,
		])) as IN8nHttpFullResponse;
	} catch (error) {
		throw unreachable(context, connection, error, call);
	} finally {
		deadline.removeEventListener('abort', onExpiry);
	}

	const body = parseBody(response.body);
	const status = response.statusCode;
	if (status >= 300 && status < 400) throw redirected(context, status, response.headers?.location, url, call);
	const readable = typeof body === 'object' && body !== null && !Array.isArray(body);
	if (status >= 200 && status < 300 && readable) return body as IDataObject;

	const failure = describeHttpFailure(status, readable || typeof body === 'string' ? body : JSON.stringify(body), connection.token, !!call.sends);
	const retryAfter = status === 429 ? retryAfterMs(response.headers?.['retry-after'], Date.now()) : undefined;
	if (waitsTooLong(retryAfter)) {
		failure.reason += ` (1MSG asks to wait ${Math.round(retryAfter! / 1000)} s)`;
		failure.hint = `1MSG asks to wait ${Math.round(retryAfter! / 1000)} s, longer than the ${MAX_RETRY_WAIT_MS / 1000} s this node waits between tries; nothing was sent, run it again later.`;
	}
	const error = apiError(context, failure, call.itemIndex);
	if (status === 429) throw withFailure(error, { kind: 'rateLimited', retryAfterMs: retryAfter });
	if (status >= 500 || status < 300) throw withFailure(error, { kind: 'maybeSent' });
	throw error;
}

/** A 3xx: not followed. Its target is named so the user can see where the Base URL leads. */
function redirected(context: OneMsgContext, status: number, location: unknown, url: string, call: ApiCall): NodeApiError {
	const target = typeof location === 'string' && URL.canParse(location, url) ? new URL(location, url).host : 'an unnamed location';
	return apiError(
		context,
		{
			reason: `the API answered with a redirect to ${target}, which is not followed`,
			hint: `Check the Base URL in the OneMsg credential: 1MSG's API does not redirect. Nothing reached 1MSG${call.sends ? ' and no message was sent' : ''}, so it is safe to try again once the Base URL is right.`,
			httpCode: status,
		},
		call.itemIndex,
	);
}

function parseBody(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

export function apiError(context: OneMsgContext, failure: ApiFailure, itemIndex?: number): NodeApiError {
	const code = failure.httpCode ? ` (HTTP ${failure.httpCode})` : '';
	return new NodeApiError(
		context.getNode(),
		{ message: failure.reason, httpCode: failure.httpCode ? String(failure.httpCode) : null } as JsonObject,
		{
			message: `1MSG${code}: ${failure.reason}`,
			description: failure.hint,
			httpCode: failure.httpCode ? String(failure.httpCode) : undefined,
			itemIndex,
		},
	);
}

/** No HTTP answer at all. Built from scratch: the raw error carries the request, headers and all. */
function unreachable(context: OneMsgContext, connection: OneMsgConnection, cause: unknown, call: ApiCall): NodeApiError {
	// n8n's helper wraps the network error; its code is on the cause
	const failure = cause as { code?: unknown; cause?: { code?: unknown } } | undefined;
	const code = failure?.code ?? failure?.cause?.code;
	const detail = redactToken(String((cause as Error)?.message ?? cause), connection.token);
	const beforeSending = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
	const error = apiError(
		context,
		{
			reason:
				cause instanceof DeadlineExceeded
					? `no complete answer from ${connection.baseUrl} within ${cause.ms / 1000} s`
					: `could not get an answer from ${connection.baseUrl}: ${detail}`,
			hint: call.sends && !beforeSending ? HINTS.maybeSent : HINTS.unreachable,
		},
		call.itemIndex,
	);
	return withFailure(error, {
		kind: beforeSending ? 'notSent' : 'maybeSent',
		...(typeof code === 'string' ? { networkCode: code } : {}),
	});
}

/** The token removed from every text of an error: message, description, and anything in its context. */
function hideTokenIn(error: unknown, token: string): unknown {
	if (!(error instanceof NodeApiError || error instanceof NodeOperationError)) return error;
	error.message = redactToken(error.message, token);
	if (error.stack) error.stack = redactToken(error.stack, token);
	if (typeof error.description === 'string') error.description = redactToken(error.description, token);
	if (error instanceof NodeApiError) error.messages = error.messages.map((message) => redactToken(message, token));
	for (const [key, value] of Object.entries(error.context)) {
		if (typeof value === 'string') error.context[key] = redactToken(value, token);
	}
	return error;
}

/** Any error from our own code or n8n's, as the NodeApiError/NodeOperationError n8n shows on the item. */
export function toNodeError(
	context: OneMsgContext,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof InputProblem) {
		return new NodeOperationError(context.getNode(), error.message, { itemIndex, description: error.hint });
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}
