/**
 * The OneMsg credential as n8n uses it: its properties, the Bearer header n8n adds from its
 * `authenticate` block, and its test request (GET {baseUrl}/{channelId}/status), with the
 * expressions resolved by n8n's own expression engine and the request sent to the fake.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';
import { request } from 'undici';
import { describe, expect, test } from 'vitest';
import { credentialsFor, useFake } from './support/fixtures.mts';
import { credentialType, resolveForCredential } from './support/n8n.mts';

const jwt = (payload: object) =>
	['{"alg":"HS256","typ":"JWT"}', JSON.stringify(payload), 'sig'].map((p) => Buffer.from(p).toString('base64url')).join('.');

const fake = useFake();
const jwtFake = useFake({ channelId: '457431', token: jwt({ instanceId: 'instance457431', iat: 1750000000 }) });

/** What n8n's credential test does: resolve the request, authenticate it, send it. */
async function credentialTest(data: Record<string, string>) {
	const type = await credentialType();
	const { baseURL, url } = type.test!.request;
	const target = (await resolveForCredential(baseURL!, data)) + (await resolveForCredential(url!, data));
	// n8n's credential tester calls the credential's authenticate() on the test request
	const authenticate = type.authenticate as (c: typeof data, o: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
	const authenticated = await authenticate(data, { url: target, method: 'GET', headers: {} });
	const authorization = String(authenticated.headers?.Authorization);
	const answer = await request(target, { method: 'GET', headers: { authorization } });
	return { target, authorization, status: answer.statusCode, body: (await answer.body.json()) as Record<string, unknown> };
}

describe('credential oneMsgChannelApi', () => {
	test('public names and defaults', async () => {
		const type = await credentialType();
		expect(type.name).toBe('oneMsgChannelApi');
		expect(type.displayName).toBe('OneMsg');
		expect(type.properties.map((p) => [p.name, p.type, p.default])).toEqual([
			['channelId', 'string', ''],
			['token', 'string', ''],
			['baseUrl', 'string', 'https://api.1msg.io'],
		]);
		expect(type.properties.find((p) => p.name === 'token')?.typeOptions?.password).toBe(true);
	});

	test('the test calls GET /status with the Bearer token and passes', async () => {
		const result = await credentialTest(credentialsFor(fake));
		expect(result.target).toBe(`${fake.baseUrl}/${fake.channelId}/status`);
		expect(result.authorization).toBe(`Bearer ${fake.token}`);
		expect(result.status).toBe(200);
		expect(result.body.status).toBe('connected');
	});

	test('a trailing slash on the base URL and spaces around the fields are tolerated', async () => {
		const result = await credentialTest(
			credentialsFor(fake, { baseUrl: `${fake.baseUrl}//`, channelId: ` ${fake.channelId} `, token: ` ${fake.token} ` }),
		);
		expect(result.target).toBe(`${fake.baseUrl}/${fake.channelId}/status`);
		expect(result.status).toBe(200);
	});

	test('with an empty channel ID the channel comes from the JWT', async () => {
		const result = await credentialTest(credentialsFor(jwtFake, { channelId: '' }));
		expect(result.target).toBe(`${jwtFake.baseUrl}/457431/status`);
		expect(result.status).toBe(200);
	});

	test('a bad token fails with 1MSG’s 401', async () => {
		const result = await credentialTest(credentialsFor(fake, { token: 'not-the-token' }));
		expect(result.status).toBe(401);
		expect(String(result.body.error)).toMatch(/^Wrong token/);
	});
});
