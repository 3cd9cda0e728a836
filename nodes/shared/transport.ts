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
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { describeHttpFailure, HINTS, redactToken, type ApiFailure } from './apiFailure';
import { resolveConnection, type OneMsgConnection } from './connection';
import { retryAfterMs } from './retryAfter';
import { InputProblem } from './problems';

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
	timeoutMs?: number;
}

/**
 * What a failed call tells about the message, kept on the NodeApiError's context for the send queue:
 * `notSent` (nothing reached 1MSG, or 1MSG refused before processing) or `maybeSent`.
 */
export type SendOutcome = 'notSent' | 'maybeSent';

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

/** The one function through which every 1MSG API call goes. Answers the parsed JSON body of a 2xx. */
export async function oneMsgApiRequest(this: OneMsgContext, call: ApiCall): Promise<IDataObject> {
	const { connection, decrypted } = await credentialOf(this, call.itemIndex);
	let response: IN8nHttpFullResponse;
	try {
		response = (await this.helpers.httpRequestWithAuthentication.call(
			this,
			CREDENTIAL_TYPE,
			{
				method: call.method,
				url: `${connection.channelUrl}/${call.path}`,
				qs: call.qs,
				body: call.body,
				json: true,
				// n8n's request helper makes a new agent per request, so a kept-alive connection would only
				// idle until the server drops it: thousands of them in a bulk send (see docs/BENCHMARKS.md)
				headers: { connection: 'close' },
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				...(call.timeoutMs ? { timeout: call.timeoutMs } : {}),
			},
			// a copy: n8n may add to it while authenticating
			{ credentialsDecrypted: { ...decrypted, data: { ...decrypted.data } } },
		)) as IN8nHttpFullResponse;
	} catch (error) {
		throw unreachable(this, connection, error, call);
	}

	const body = parseBody(response.body);
	const status = response.statusCode;
	const readable = typeof body === 'object' && body !== null && !Array.isArray(body);
	if (status >= 200 && status < 300 && readable) return body as IDataObject;

	const error = apiError(
		this,
		describeHttpFailure(status, readable || typeof body === 'string' ? body : JSON.stringify(body), connection.token, !!call.sends),
		call.itemIndex,
	);
	if (status === 429) {
		error.context.retryAfterMs = retryAfterMs(response.headers?.['retry-after'], Date.now());
	} else if (status >= 500 || status < 300) {
		error.context.sendOutcome = 'maybeSent' satisfies SendOutcome;
	}
	throw error;
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
			reason: `could not get an answer from ${connection.baseUrl}: ${detail}`,
			hint: call.sends && !beforeSending ? HINTS.maybeSent : HINTS.unreachable,
		},
		call.itemIndex,
	);
	error.context.sendOutcome = (beforeSending ? 'notSent' : 'maybeSent') satisfies SendOutcome;
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
