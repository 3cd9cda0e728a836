import type { Icon, ICredentialDataDecryptedObject, ICredentialTestRequest, ICredentialType, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

export class OneMsgChannelApi implements ICredentialType {
	name = 'oneMsgChannelApi';

	// The shown name is fixed by the public contract (saved credentials show it); the rule wants "… API".
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api
	displayName = 'OneMsg';

	icon: Icon = { light: 'file:../icons/oneMsg.svg', dark: 'file:../icons/oneMsg.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-onemsg#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Channel ID',
			name: 'channelId',
			type: 'string',
			default: '',
			placeholder: '371267300',
			description:
				'Channel ID from the 1MSG dashboard. Leave empty when the token is a channel JWT: the ID is read from it.',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Channel API token from the 1MSG dashboard, sent as a Bearer token',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.1msg.io',
			description: 'https://api.1msg.io for live channels, https://sandbox.1msg.io for test channels',
		},
	];

	/*
	 * DELIBERATELY A FUNCTION, NOT n8n's `{ type: 'generic' }` block. It writes exactly the header the
	 * generic block `Authorization: '=Bearer {{$credentials.token.trim()}}'` would, but n8n evaluates
	 * a generic block's expression in its expression VM on every request (about 0.4 ms each, most of a
	 * bulk send's time), and a function skips that. Guarded by test/nodes/credential.test.mts (the test
	 * request carries `Bearer <token>`) and every send test against the fake, which refuses any other
	 * Authorization header.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		requestOptions.headers = { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.token).trim()}` };
		return requestOptions;
	}

	// The node's rules (resolveConnection), written again as expressions because a credential test
	// runs no package code: the channel ID from the field or the JWT's `instanceId` ("instance" prefix
	// dropped), letters, digits, _ and - only; no query or fragment in the base URL. n8n drops errors
	// thrown in an expression, so a credential the node would refuse is tested against a path that
	// names the problem, which 1MSG answers 404. test/nodes/credential.test.mts checks that this
	// expression and the node agree on every spelling.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ (String($credentials.baseUrl || "").trim() || "https://api.1msg.io").split(/[?#]/)[0].replace(/\\/+$/, "") }}',
			url: '=/{{ (function () { if (/[?#]/.test(String($credentials.baseUrl || ""))) return "base-url-has-a-query-or-fragment"; const clean = (value) => String(value ?? "").trim().replace(/^instance/i, ""); let id = clean($credentials.channelId); const parts = String($credentials.token || "").trim().split("."); if (!id && parts.length === 3) { try { id = clean(JSON.parse(parts[1].base64Decode()).instanceId); } catch (error) { id = ""; } } return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : "channel-id-missing-or-invalid"; })() }}/status',
			method: 'GET',
		},
	};
}
