import { describe, expect, test } from 'vitest';
import { apiMessage, describeHttpFailure, describeNotSent, HINTS, redactToken } from '../../nodes/transport/apiFailure.ts';

const TOKEN = 'secret-token-123';

describe('apiFailure', () => {
	test.each([
		[{ error: 'Wrong token' }, 'Wrong token'],
		[{ message: 'template is not defined' }, 'template is not defined'],
		[{ error: { message: 'Invalid parameter', error_user_title: 'Bad', error_user_msg: 'Fix it', code: 100 } }, 'Bad: Fix it (code 100)'],
		[{ error: { message: 'Re-engagement message', code: 131047 } }, 'Re-engagement message (code 131047)'],
		['<html>oops</html>', '<html>oops</html>'],
		[{}, undefined],
		[null, undefined],
	])('apiMessage(%j)', (body, said) => {
		expect(apiMessage(body)).toBe(said);
	});

	test('the token echoed by a 401 is removed', () => {
		const failure = describeHttpFailure(401, { error: `Wrong token "${TOKEN}" for channel "1".` }, TOKEN, true);
		expect(failure.reason).not.toContain(TOKEN);
		expect(failure.reason).toContain('Wrong token');
		expect(failure.hint).toBe(HINTS.token);
	});

	test('an HTML page quoting the token is hidden before it is cut: no piece of 8+ characters is left at the cut', () => {
		const token = 'tok_0123456789abcdef0123456789abcdef';
		for (let offset = 100; offset <= 180; offset++) {
			const page = `<html><body><p>${'x'.repeat(offset)} ${token} more text after it</p></body></html>`;
			const { reason } = describeHttpFailure(401, page, token, true);
			for (let i = 0; i + 8 <= token.length; i++) expect(reason, `offset ${offset}`).not.toContain(token.slice(i, i + 8));
		}
	});

	test('any piece of 8+ characters of the token is hidden; shorter coincidences are left alone', () => {
		const token = 'tok_0123456789abcdef';
		expect(redactToken('starts 456789abcdef and tok_0123 ends', token)).toBe('starts [token hidden] and [token hidden] ends');
		expect(redactToken('id 0123456 is fine', token)).toBe('id 0123456 is fine');
	});

	test('a truncated token echo is removed too', () => {
		expect(describeHttpFailure(401, { error: 'Wrong token "secret-tok…" for channel' }, TOKEN, false).reason).toBe(
			'Wrong token "[token hidden]" for channel',
		);
	});

	test.each([
		[404, HINTS.notFound],
		[422, HINTS.unprocessable],
		[429, HINTS.rateLimited],
		[400, HINTS.badRequest],
	])('HTTP %i gets its hint', (status, hint) => {
		expect(describeHttpFailure(status, { message: 'x' }, TOKEN, true).hint).toBe(hint);
	});

	test('a 5xx on a send says it may have been sent; on a read it does not', () => {
		expect(describeHttpFailure(502, '<html><body><h1>Bad Gateway</h1></body></html>', TOKEN, true)).toEqual({
			reason: 'non-JSON answer: Bad Gateway',
			hint: HINTS.maybeSent,
			httpCode: 502,
		});
		expect(describeHttpFailure(500, { error: 'x' }, TOKEN, false).hint).toBe(HINTS.serverTrouble);
	});

	test('sent:false explains, with the window hint when the dialog window is closed', () => {
		expect(describeNotSent({ sent: false, message: 'Dialog window is closed' }, TOKEN).hint).toBe(HINTS.window);
		const queued = describeNotSent({ sent: false, message: 'Queued', jobId: 42 }, TOKEN);
		expect(queued.reason).toBe('Queued');
		expect(queued.hint).toContain('job 42, which is not a message id');
	});
});
