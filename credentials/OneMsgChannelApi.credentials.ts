import type { Icon, ICredentialDataDecryptedObject, ICredentialTestRequest, ICredentialType, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

export class OneMsgChannelApi implements ICredentialType {
	name = 'oneMsgChannelApi';

	// The shown name is fixed by the public contract (saved credentials show it); the rule wants "… API".
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api
	displayName = 'OneMsg';

	icon: Icon = { light: 'file:../nodes/OneMsgSendTemplate/oneMsg.svg', dark: 'file:../nodes/OneMsgSendTemplate/oneMsg.dark.svg' };

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

	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		requestOptions.headers = { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.token).trim()}` };
		return requestOptions;
	}

	// The channel ID may live in the JWT's payload as "instance<id>"; same rule as nodes/shared/connection.ts.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://api.1msg.io").trim().replace(/\\/+$/, "") }}',
			url: '=/{{ String($credentials.channelId || "").trim() || (($credentials.token || "").trim().split(".").length === 3 ? String(($credentials.token.trim().split(".")[1]).base64Decode().parseJson().instanceId || "").replace(/^instance/, "") : "") }}/status',
			method: 'GET',
		},
	};
}
