/**
 * The transport's read retries for failures without an HTTP answer, with n8n's request helper
 * replaced by a stub (a refused connection cannot be produced on demand on a real socket).
 */
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';

// the built transport, loaded with require like n8n loads it: one NodeApiError class for both
const require = createRequire(import.meta.url);
const { oneMsgRequest } = require('../../dist/nodes/transport/request.js') as typeof import('../../nodes/transport/request.ts');
const { failureOf } = require('../../dist/nodes/transport/failure.js') as typeof import('../../nodes/transport/failure.ts');

function contextFailing(codes: string[]) {
	const calls: unknown[] = [];
	const context = {
		getCredentials: async () => ({ channelId: '371267300', token: 'tok_0123456789abcdef', baseUrl: 'http://127.0.0.1:9' }),
		getNode: () => ({ name: 'OneMsg', type: 'x', typeVersion: 1, parameters: {}, credentials: {} }),
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: unknown) => {
				calls.push(options);
				const code = codes.shift();
				// as n8n's helper throws it: its own words, the network error as the cause
				if (code) throw Object.assign(new Error('The service refused the connection - perhaps it is offline'), { cause: { code } });
				return { statusCode: 200, headers: {}, body: { webhookUrl: 'https://a.example/1' } };
			},
		},
	};
	return { context, calls };
}

describe('reads asked again without an HTTP answer', () => {
	test.each(['ECONNREFUSED', 'ECONNRESET'])('%s twice, then an answer: asked 3 times', async (code) => {
		const { context, calls } = contextFailing([code, code]);
		const answer = await oneMsgRequest.call(context as never, { method: 'GET', path: 'webhook' });
		expect(answer).toEqual({ webhookUrl: 'https://a.example/1' });
		expect(calls).toHaveLength(3);
	});

	test('a write (POST) is never repeated by the transport', async () => {
		const { context, calls } = contextFailing(['ECONNREFUSED']);
		const error = await oneMsgRequest.call(context as never, { method: 'POST', path: 'webhook', body: {} }).catch((e: unknown) => e);
		expect(error).toMatchObject({ message: expect.stringMatching(/^1MSG: could not get an answer/) });
		expect(failureOf(error)).toEqual({ kind: 'notSent', networkCode: 'ECONNREFUSED' });
		expect(calls).toHaveLength(1);
	});

	test('every request asks n8n not to follow redirects and carries the deadline', async () => {
		const { context, calls } = contextFailing([]);
		await oneMsgRequest.call(context as never, { method: 'GET', path: 'webhook', timeoutMs: 1234 });
		expect(calls[0]).toMatchObject({ disableFollowRedirect: true, sendCredentialsOnCrossOriginRedirect: false, timeout: 1234 });
	});
});
