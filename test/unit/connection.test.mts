import { describe, expect, test } from 'vitest';
import { channelIdFromToken, normalizeBaseUrl, resolveConnection } from '../../nodes/transport/connection.ts';
import { jwt } from '../support/fixtures.mts';

describe('connection', () => {
	test('the channel id comes from the JWT instanceId when the field is empty', () => {
		const token = jwt({ instanceId: 'instance371267300', iat: 1 });
		expect(channelIdFromToken(token)).toBe('371267300');
		expect(resolveConnection({ token, channelId: '', baseUrl: 'https://api.1msg.io' }).channelUrl).toBe(
			'https://api.1msg.io/371267300',
		);
	});

	test('a channel id in the field wins over the token', () => {
		const token = jwt({ instanceId: 'instance371267300' });
		expect(resolveConnection({ token, channelId: ' 99 ' }).channelId).toBe('99');
	});

	test.each(['plain-token', 'a.b.c', jwt({ sub: 'x' }), jwt({ instanceId: 'instance' })])(
		'no channel id in %s',
		(token) => {
			expect(channelIdFromToken(token)).toBeUndefined();
			expect(() => resolveConnection({ token })).toThrow(/no channel ID/);
		},
	);

	test('base URL: trailing slashes dropped, default when empty, http(s) only', () => {
		expect(normalizeBaseUrl('https://sandbox.1msg.io///')).toBe('https://sandbox.1msg.io');
		expect(normalizeBaseUrl('')).toBe('https://api.1msg.io');
		expect(() => normalizeBaseUrl('ftp://api.1msg.io')).toThrow(/http:\/\/ or https:\/\//);
		expect(() => normalizeBaseUrl('api.1msg.io')).toThrow(/not a valid URL/);
	});

	test.each([
		[jwt({ instanceId: 'instanceVID182868781' }), 'VID182868781'],
		[jwt({ instanceId: 'VID182868781' }), 'VID182868781'],
		[jwt({ instanceId: 371267300 }), '371267300'],
		[jwt({ instanceId: 'INSTANCE42' }), '42'],
	])('alphanumeric and numeric channel ids in the JWT: %s → %s', (token, channelId) => {
		expect(channelIdFromToken(token)).toBe(channelId);
		expect(resolveConnection({ token }).channelUrl).toBe(`https://api.1msg.io/${channelId}`);
	});

	test.each([jwt({ instanceId: 'instance1/../../admin' }), jwt({ instanceId: '../x' }), jwt({ instanceId: 'a b' })])(
		'an instanceId that is not a channel id is a clear error, never a path: %s',
		(token) => {
			expect(() => resolveConnection({ token })).toThrow(/The token's instanceId ".*" is not a channel ID/);
		},
	);

	test.each(['1/../2', '../status', 'a?b', '371 267'])('a Channel ID field of %j is refused', (channelId) => {
		expect(() => resolveConnection({ token: 't', channelId })).toThrow(/may only have letters, digits, _ and -/);
	});

	test('the Channel ID field takes the spellings of webhook bodies: instance prefix, alphanumeric', () => {
		expect(resolveConnection({ token: 't', channelId: 'instance371267300' }).channelId).toBe('371267300');
		expect(resolveConnection({ token: 't', channelId: 'VID182868781' }).channelId).toBe('VID182868781');
	});

	test.each(['https://api.1msg.io?x=1', 'https://api.1msg.io/#frag', 'https://api.1msg.io/?'])('a base URL with a query or fragment is refused: %s', (baseUrl) => {
		expect(() => normalizeBaseUrl(baseUrl)).toThrow(/has a query \(\?\) or fragment \(#\)/);
	});

	test('a missing token is named', () => {
		expect(() => resolveConnection({ channelId: '1', token: '  ' })).toThrow(/no token/);
	});
});
