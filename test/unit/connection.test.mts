import { describe, expect, test } from 'vitest';
import { channelIdFromToken, normalizeBaseUrl, resolveConnection } from '../../nodes/shared/connection.ts';

const jwt = (payload: object) =>
	['{"alg":"HS256","typ":"JWT"}', JSON.stringify(payload), 'signature'].map((p) => Buffer.from(p).toString('base64url')).join('.');

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

	test('a missing token is named', () => {
		expect(() => resolveConnection({ channelId: '1', token: '  ' })).toThrow(/no token/);
	});
});
