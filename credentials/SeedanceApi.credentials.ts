import type {
	IAuthenticate,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/** Redirect statuses: the test fails on them rather than carry the key elsewhere. */
const REDIRECTS = [301, 302, 303, 307, 308];

/** Base URLs the test may send the key to, as the nodes check them; others go to a dead name. */
const pattern = (source: string) => `/${source.replace(/\//g, '\\/')}/i`;
const AUTHORITY = String.raw`[^/?#@\\]+(?:[/?#]|$)`;
const HTTPS = pattern(String.raw`^https://` + AUTHORITY);
const HTTP = pattern(String.raw`^http://` + AUTHORITY);
const LOOPBACK = pattern(
	String.raw`^http://(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(?::\d+)?(?:[/?#]|$)`,
);
const QUERY_OR_FRAGMENT = pattern(String.raw`[?#]`);
const URL_GIVEN = '$credentials.baseUrl.trim()';
const REFUSED = 'https://base-url-refused-use-https-no-password-no-query.invalid';
const TEST_BASE_URL = `={{ !${QUERY_OR_FRAGMENT}.test(${URL_GIVEN}) && (${HTTPS}.test(${URL_GIVEN}) || (${HTTP}.test(${URL_GIVEN}) && ($credentials.allowUnencryptedHttp === true || ${LOOPBACK}.test(${URL_GIVEN})))) ? ${URL_GIVEN}.replace(/\\/+$/, "") : "${REFUSED}" }}`;

export class SeedanceApi implements ICredentialType {
	name = 'seedanceApi';

	displayName = 'Seedance (API in One) API';

	icon = { light: 'file:seedance.svg', dark: 'file:seedance.dark.svg' } as const;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-seedance#credential';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'aio_...',
			description: 'Your API in One key, from the API in One dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://apiin.one',
			description:
				'Change only for a proxy, a regional gateway or a local emulator. Must start with https:// (http:// only on this machine, e.g. http://127.0.0.1, unless allowed below) and must not contain a user name or password, "?" or "#".',
		},
		{
			displayName: 'Allow Unencrypted HTTP',
			name: 'allowUnencryptedHttp',
			type: 'boolean',
			default: false,
			description:
				'Whether to accept an http:// Base URL on another machine. Your API key then travels in clear over the network, readable by anyone on the way: turn on only for a gateway on a network you trust.',
		},
		{
			displayName: 'Callback Secret',
			name: 'callbackSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. Callback URLs carry a token made from this secret, which the Seedance Trigger and the resume URL check. Leave empty to make the token from the API key; set one to keep callbacks valid when you change the key.',
		},
	];

	// A function, not an `=Bearer {{$credentials.apiKey}}` template: n8n 2.x cannot evaluate a
	// credential expression in a workflow set to Execution Logic v2 ("combined" binary mode).
	authenticate: IAuthenticate = async (credentials, requestOptions) => ({
		...requestOptions,
		headers: {
			...requestOptions.headers,
			Authorization: `Bearer ${String(credentials.apiKey ?? '')}`,
		},
	});

	// A task that cannot exist: 401/403 for a wrong key, 404 for a good one. n8n 1.x accepts every
	// status with `ignoreHttpStatusErrors`, so there the answer envelope's `code` is read.
	test: ICredentialTestRequest = {
		request: {
			baseURL: TEST_BASE_URL,
			url: '/api/v1/tasks/n8n-credential-test',
			method: 'GET',
			ignoreHttpStatusErrors: { ignore: true, except: [401, 403, ...REDIRECTS] },
			// The key must not follow a redirect to wherever it points.
			disableFollowRedirect: true,
		},
		// n8n's type wants one kind of rule per list; its tester reads both kinds from one list.
		rules: [
			{
				type: 'responseCode' as const,
				properties: {
					value: 401,
					message:
						'API in One rejected the API key (HTTP 401). Check the key in your API in One dashboard.',
				},
			},
			{
				type: 'responseCode' as const,
				properties: {
					value: 403,
					message: 'API in One refused the API key (HTTP 403). Check the key and its permissions.',
				},
			},
			...[401, 403].map((value) => ({
				type: 'responseSuccessBody' as const,
				properties: {
					key: 'code',
					value,
					message: `API in One refused the API key (code ${value}). Check the key in your API in One dashboard.`,
				},
			})),
			...REDIRECTS.map((value) => ({
				type: 'responseCode' as const,
				properties: {
					value,
					message: `The Base URL answered with a redirect (HTTP ${value}); the key was not sent there. Enter the address the service answers on itself, e.g. https://apiin.one.`,
				},
			})),
		] as unknown as ICredentialTestRequest['rules'],
	};
}
