/** A channel token in the JWT form 1MSG issues: its payload carries `instanceId`. The signature is not checked by anyone. */
export const jwt = (payload: object): string =>
	['{"alg":"HS256","typ":"JWT"}', JSON.stringify(payload), 'signature'].map((part) => Buffer.from(part).toString('base64url')).join('.');
