import {
	CALLBACK_TOKEN_PARAMETER,
	callbackBinding,
	callbackSecretOf,
	callbackToken,
	isUrlOfInstance,
	signCallbackUrl,
	tokenMatches,
	webhookBaseOf,
	withCallbackToken,
} from '../../../../nodes/shared/domain/callbackToken';

const trigger = 'https://n8n.example.com/webhook/5e3d1c4a-0000-4000-8000-000000000001/callback';

describe('callback token', () => {
	it('is derived from the Callback Secret, or from the API key when none is set, and never contains either', () => {
		expect(callbackSecretOf({ apiKey: 'aio_key', callbackSecret: '  s3cret ' })).toBe('s3cret');
		expect(callbackSecretOf({ apiKey: 'aio_key', callbackSecret: '' })).toBe('aio_key');
		const token = callbackToken('aio_key', trigger);
		expect(token).toMatch(/^[\w-]{43}$/);
		expect(token).not.toContain('aio_key');
		expect(callbackToken('aio_key', trigger)).toBe(token);
		expect(callbackToken('aio_key2', trigger)).not.toBe(token);
	});

	it('is bound to its URL: another trigger, another execution or another host path gets another token', () => {
		const token = callbackToken('k', trigger);
		for (const other of [
			'https://n8n.example.com/webhook/5e3d1c4a-0000-4000-8000-000000000002/callback',
			'https://n8n.example.com/webhook-waiting/41',
			'https://collector.example/log',
			'https://n8n.example.com/webhook/5e3d1c4a-0000-4000-8000-000000000001',
		])
			expect(callbackToken('k', other)).not.toBe(token);
		expect(callbackToken('k', 'https://n8n.example.com/webhook-waiting/41')).not.toBe(
			callbackToken('k', 'https://n8n.example.com/webhook-waiting/42'),
		);
	});

	it('stays the same where n8n and proxies differ: host, path prefix, query, trailing slash, percent-encoding', () => {
		const token = callbackToken('k', trigger);
		for (const same of [
			'http://127.0.0.1:5678/webhook/5e3d1c4a-0000-4000-8000-000000000001/callback',
			'https://public.example/n8n/webhook/5e3d1c4a-0000-4000-8000-000000000001/callback/',
			`${trigger}?seedance_token=old&x=1`,
			'/webhook/5e3d1c4a-0000-4000-8000-000000000001/callback?seedance_token=t',
			'/webhook/5e3d1c4a%2D0000-4000-8000-000000000001/callback',
		])
			expect(callbackToken('k', same)).toBe(token);
		// n8n 2.x resume URL: the signature query is not part of the binding.
		expect(callbackBinding('https://h/webhook-waiting/41?signature=abc')).toBe(
			'webhook-waiting/41',
		);
		expect(callbackBinding('https://h/webhook-waiting/41/node-id')).toBe('41/node-id');
	});

	it('is set on the URL, replacing an old one and keeping the other query parameters (e.g. n8n signatures)', () => {
		const url = withCallbackToken(`${trigger}?signature=xyz&seedance_token=old`, 'new');
		const parsed = new URL(url);
		expect(parsed.searchParams.get('signature')).toBe('xyz');
		expect(parsed.searchParams.getAll(CALLBACK_TOKEN_PARAMETER)).toEqual(['new']);
		expect(parsed.pathname).toBe('/webhook/5e3d1c4a-0000-4000-8000-000000000001/callback');
		expect(new URL(signCallbackUrl(trigger, 'k')).searchParams.get(CALLBACK_TOKEN_PARAMETER)).toBe(
			callbackToken('k', trigger),
		);
	});

	it('matches only the exact token', () => {
		const token = callbackToken('k', trigger);
		expect(tokenMatches(token, token)).toBe(true);
		expect(tokenMatches(token.slice(0, -1), token)).toBe(false);
		expect(tokenMatches(`${token}x`, token)).toBe(false);
		expect(tokenMatches(token.toUpperCase(), token)).toBe(false);
		expect(tokenMatches('', token)).toBe(false);
		expect(tokenMatches(undefined, token)).toBe(false);
		expect(tokenMatches([token, token], token)).toBe(false);
	});

	it('binds an encoded slash differently from a real one', () => {
		expect(callbackToken('k', 'https://h/webhook-waiting%2F41')).not.toBe(
			callbackToken('k', 'https://h/webhook-waiting/41'),
		);
		expect(callbackToken('k', '/x/webhook-waiting%2f41')).not.toBe(
			callbackToken('k', '/webhook-waiting/41'),
		);
		expect(callbackBinding('/webhook/abc%2Fcallback')).toBe('webhook/abc%2Fcallback');
		expect(callbackBinding('/webhook/abc%252Fcallback')).toBe('webhook/abc%252Fcallback');
		// A segment that does not decode binds apart from every one that does.
		expect(callbackBinding('/webhook/%E0%A4%A')).toBe('webhook//%E0%A4%A');
	});
});

describe('URLs of this n8n', () => {
	const base = 'https://n8n.example/n8n/';

	it("are those under its webhook base URL: the resume URL's origin and path prefix", () => {
		expect(webhookBaseOf('https://n8n.example/n8n/webhook-waiting/41?signature=s')).toBe(base);
		expect(webhookBaseOf('http://127.0.0.1:5678/webhook-waiting/41')).toBe(
			'http://127.0.0.1:5678/',
		);
		expect(webhookBaseOf('not a url')).toBeUndefined();
		for (const ours of [
			'https://n8n.example/n8n/webhook/5e3d1c4a/callback',
			'https://N8N.example:443/n8n/webhook/5e3d1c4a/callback?x=1',
			'https://n8n.example/n8n/webhook-waiting/41',
		])
			expect(isUrlOfInstance(ours, base)).toBe(true);
	});

	it('exclude other hosts, ports, schemes, user info, paths outside the base and encoded slashes', () => {
		for (const foreign of [
			'https://elsewhere.example/n8n/webhook/5e3d1c4a/callback',
			'https://n8n.example:8443/n8n/webhook/5e3d1c4a/callback',
			'http://n8n.example/n8n/webhook/5e3d1c4a/callback',
			'https://user:pw@n8n.example/n8n/webhook/5e3d1c4a/callback',
			'https://n8n.example@elsewhere.example/n8n/webhook/5e3d1c4a/callback',
			'https://n8n.example.elsewhere.example/n8n/webhook/5e3d1c4a/callback',
			'https://n8n.exаmple/n8n/webhook/5e3d1c4a/callback',
			'https://n8n.example/collect/webhook/5e3d1c4a/callback',
			'https://n8n.example/n8n/../webhook/5e3d1c4a/callback',
			'https://n8n.example/n8nx/webhook/5e3d1c4a/callback',
			'https://n8n.example/n8n/',
			'https://n8n.example/n8n/webhook-waiting%2F41',
			'https://n8n.example/n8n/webhook%5C41',
			'not a url',
		])
			expect(isUrlOfInstance(foreign, base)).toBe(false);
	});
});

// Each of these pins a line that the tests above run without checking (mutation testing,
// docs/mutation.md).
describe('callback token edges', () => {
	it('is a fixed function of the secret and the binding: URLs handed out earlier keep working', () => {
		// The label is part of every token: changing it would refuse every callback URL already given out.
		expect(callbackToken('s3cret', 'https://x/abc/callback')).toBe(
			'B_RtJsE9D4pnPPT06LFPdJjZ5jqozeCfif9KJJ9C63w',
		);
		expect(withCallbackToken('https://n8n.example.com/webhook/a/callback', 't')).toBe(
			'https://n8n.example.com/webhook/a/callback?seedance_token=t',
		);
		expect(CALLBACK_TOKEN_PARAMETER).toBe('seedance_token');
	});

	it('takes a trimmed API key when no secret is set, and nothing when neither is', () => {
		expect(callbackSecretOf({ apiKey: '  aio_key ' })).toBe('aio_key');
		expect(callbackSecretOf({})).toBe('');
	});

	it('binds a URL of one path segment to it, and a path whose query holds a URL to its own path', () => {
		expect(callbackBinding('https://n8n.example.com/hook')).toBe('hook');
		expect(callbackBinding('webhook/abc/callback?next=https://evil.example/x/y')).toBe(
			'abc/callback',
		);
	});

	it('finds the webhook base only in a resume URL of two segments or more', () => {
		expect(webhookBaseOf('https://n8n.example.com/41')).toBeUndefined();
		expect(webhookBaseOf('https://n8n.example.com/webhook-waiting/41')).toBe(
			'https://n8n.example.com/',
		);
	});

	it('signs only http(s) URLs of this n8n without user info, under a base path with no slash', () => {
		expect(isUrlOfInstance('http://n8n.local/webhook/a/callback', 'http://n8n.local/')).toBe(true);
		expect(isUrlOfInstance('ftp://n8n.local/webhook/a/callback', 'ftp://n8n.local/')).toBe(false);
		expect(isUrlOfInstance('https://user@n8n.local/webhook/a', 'https://n8n.local/')).toBe(false);
		expect(isUrlOfInstance('https://:pw@n8n.local/webhook/a', 'https://n8n.local/')).toBe(false);
		expect(isUrlOfInstance('https://n8n.local/base/webhook/a', 'https://n8n.local/base')).toBe(
			true,
		);
		expect(isUrlOfInstance('https://n8n.local/basement/a/b', 'https://n8n.local/base')).toBe(false);
	});

	it('matches no empty token, even against an empty expected one', () => {
		expect(tokenMatches('', '')).toBe(false);
	});
});
