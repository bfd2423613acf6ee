import {
	CALLBACK_TOKEN_PARAMETER,
	callbackSecretOf,
	callbackToken,
	tokenMatches,
	withCallbackToken,
} from '../../../../nodes/Seedance/domain/callbackToken';

describe('callback token', () => {
	it('is derived from the Callback Secret, or from the API key when none is set, and never contains either', () => {
		expect(callbackSecretOf({ apiKey: 'aio_key', callbackSecret: '  s3cret ' })).toBe('s3cret');
		expect(callbackSecretOf({ apiKey: 'aio_key', callbackSecret: '' })).toBe('aio_key');
		const token = callbackToken('aio_key');
		expect(token).toMatch(/^[\w-]{43}$/);
		expect(token).not.toContain('aio_key');
		expect(callbackToken('aio_key')).toBe(token);
		expect(callbackToken('aio_key2')).not.toBe(token);
	});

	it('is set on the URL, replacing an old one and keeping the other query parameters (e.g. n8n signatures)', () => {
		const url = withCallbackToken(
			'https://n8n.example.com/webhook/abc/callback?signature=xyz&seedance_token=old',
			'new',
		);
		const parsed = new URL(url);
		expect(parsed.searchParams.get('signature')).toBe('xyz');
		expect(parsed.searchParams.getAll(CALLBACK_TOKEN_PARAMETER)).toEqual(['new']);
		expect(parsed.pathname).toBe('/webhook/abc/callback');
	});

	it('matches only the exact token', () => {
		const token = callbackToken('k');
		expect(tokenMatches(token, token)).toBe(true);
		expect(tokenMatches(token.slice(0, -1), token)).toBe(false);
		expect(tokenMatches(`${token}x`, token)).toBe(false);
		expect(tokenMatches(token.toUpperCase(), token)).toBe(false);
		expect(tokenMatches('', token)).toBe(false);
		expect(tokenMatches(undefined, token)).toBe(false);
		expect(tokenMatches([token, token], token)).toBe(false);
	});
});
