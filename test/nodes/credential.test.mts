/**
 * The OneMsg credential as n8n uses it: its properties, the Bearer header n8n adds from its
 * `authenticate` block, and its test request (GET {baseUrl}/{channelId}/status), with the
 * expressions resolved by n8n's own expression engine and the request sent to the fake.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';
import { request } from 'undici';
import { describe, expect, test } from 'vitest';
import { credentialsFor, jwt, useFake } from '../support/fixtures.mts';
import { resolveConnection } from '../../nodes/transport/connection.ts';
import { credentialType, resolveExpression } from '../support/n8n.mts';


const fake = useFake();
const jwtFake = useFake({ channelId: '457431', token: jwt({ instanceId: 'instance457431', iat: 1750000000 }) });
const vidFake = useFake({ channelId: 'VID182868781', token: jwt({ instanceId: 'VID182868781' }) });

/** What n8n's credential test does: resolve the request, authenticate it, send it. */
async function credentialTest(data: Record<string, string>) {
	const type = await credentialType();
	const { baseURL, url } = type.test!.request;
	const target = (await resolveExpression(baseURL!, { credentials: data })) + (await resolveExpression(url!, { credentials: data }));
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

	test('an alphanumeric channel (VID…) in the JWT is tested, as the node uses it', async () => {
		const result = await credentialTest(credentialsFor(vidFake, { channelId: '' }));
		expect(result.target).toBe(`${vidFake.baseUrl}/VID182868781/status`);
		expect(result.status).toBe(200);
	});

	// The node and the test apply one set of rules: where the node refuses the credential, the test
	// fails on a path that names the problem, never on another path of the API.
	test.each([
		['a token that is not a JWT, no channel ID', { channelId: '', token: 'a.b.c' }, 'channel-id-missing-or-invalid', /no channel ID/],
		['a JWT whose instanceId climbs paths', { channelId: '', token: jwt({ instanceId: 'instance1/../../admin' }) }, 'channel-id-missing-or-invalid', /is not a channel ID/],
		['a channel ID field that climbs paths', { channelId: '1/../status' }, 'channel-id-missing-or-invalid', /may only have letters, digits/],
		['a base URL with a query', { baseUrl: '{base}?x=1' }, 'base-url-has-a-query-or-fragment', /has a query \(\?\) or fragment/],
		['a base URL with a fragment', { baseUrl: '{base}/#top' }, 'base-url-has-a-query-or-fragment', /has a query \(\?\) or fragment/],
	])('%s: the node refuses it, and the test fails on a path that says why', async (_case, given, segment, nodeError) => {
		const overrides: Record<string, string> = { ...given };
		if (overrides.baseUrl) overrides.baseUrl = overrides.baseUrl.replace('{base}', fake.baseUrl);
		const data = credentialsFor(fake, overrides);
		expect(() => resolveConnection(data)).toThrow(nodeError);
		const result = await credentialTest(data);
		expect(result.target).toBe(`${fake.baseUrl}/${segment}/status`);
		expect(result.status).toBe(404);
		expect(String(result.body.error)).toContain(segment);
	});

	test.each([
		['the field', { channelId: ` instance${'371267300'} ` }],
		['a JWT', { channelId: '', token: jwt({ instanceId: 'instance371267300' }) }],
		['a JWT with a numeric instanceId', { channelId: '', token: jwt({ instanceId: 371267300 }) }],
	])('the channel from %s: the test calls the path the node calls', async (_from, overrides) => {
		const data = credentialsFor(fake, overrides);
		const result = await credentialTest(data);
		expect(result.target).toBe(`${resolveConnection(data).channelUrl}/status`);
	});

	// One rule for "instance<id>" and the channel-ID alphabet: the node's resolveConnection, and the
	// same rule written as an expression in the credential's test (which runs no package code).
	test('the test expression and the node read the channel the same way, for every spelling', async () => {
		const type = await credentialType();
		const spellings: Array<Record<string, string>> = [
			{ channelId: '371267300' },
			{ channelId: ' instance371267300 ' },
			{ channelId: 'INSTANCE42' },
			{ channelId: 'VID182868781' },
			{ channelId: 'instance' },
			{ channelId: 'a b' },
			{ channelId: 'x'.repeat(64) },
			{ channelId: 'x'.repeat(65) },
			{ channelId: '', token: jwt({ instanceId: 'instance457431' }) },
			{ channelId: '', token: jwt({ instanceId: 'Instance_ab-9' }) },
			{ channelId: '', token: jwt({ instanceId: 'VID182868781' }) },
			{ channelId: '', token: jwt({ instanceId: 457431 }) },
			{ channelId: '', token: jwt({ instanceId: 'instance' }) },
			{ channelId: '', token: jwt({ instanceId: 'instance1 2' }) },
			{ channelId: '', token: jwt({ other: 'instance1' }) },
			{ channelId: '', token: 'x.not-base64-json.y' },
			{ channelId: '', token: 'plain' },
			{ channelId: '7', token: jwt({ instanceId: 'instance8' }) },
		];
		for (const spelling of spellings) {
			const data = credentialsFor(fake, spelling);
			let expected: string;
			try {
				expected = resolveConnection(data).channelId;
			} catch {
				expected = 'channel-id-missing-or-invalid';
			}
			expect([spelling, await resolveExpression(type.test!.request.url!, { credentials: data })]).toEqual([spelling, `/${expected}/status`]);
		}
	});
});
