import { baseUrlProblem, isLoopback } from '../../../../nodes/shared/domain/baseUrl';
import { checkProperty, fc } from '../../../property';

describe('the Base URL door (pure)', () => {
	it.each([
		['https://apiin.one', false, null],
		['https://gateway.example:8443/prefix', false, null],
		['http://127.0.0.1:8080', false, null],
		['http://127.45.6.7', false, null],
		['http://localhost:5678', false, null],
		['http://[::1]:9000', false, null],
		['http://gateway.lan', false, 'unencrypted'],
		['http://0.0.0.0:80', false, 'unencrypted'],
		['http://app.localhost', false, 'unencrypted'],
		['http://gateway.lan', true, null],
		['https://user:pw@apiin.one', false, 'userInfo'],
		['https://user@apiin.one', false, 'userInfo'],
		['https://@apiin.one', false, 'userInfo'],
		['http://user:pw@127.0.0.1', true, 'userInfo'],
		['https://apiin.one?region=eu', false, 'queryOrFragment'],
		['https://apiin.one/#/docs', false, 'queryOrFragment'],
		['https://apiin.one/v2?', false, 'queryOrFragment'],
		['http://127.0.0.1:4010#', false, 'queryOrFragment'],
		['https://user@apiin.one?x', false, 'userInfo'],
		['ftp://apiin.one', false, 'notWebAddress'],
		['apiin.one', false, 'notWebAddress'],
		['', false, 'notWebAddress'],
	])('%s (allow http: %s) -> %s', (url, allow, problem) => {
		expect(baseUrlProblem(url, allow)).toBe(problem);
	});

	it('knows loopback by address, not by a name that merely starts like one', () => {
		expect(isLoopback('127.0.0.1')).toBe(true);
		expect(isLoopback('LOCALHOST.')).toBe(true);
		expect(isLoopback('127.0.0.1.example.com')).toBe(false);
		expect(isLoopback('localhost.example.com')).toBe(false);
		expect(isLoopback('[::ffff:7f00:1]')).toBe(false);
	});

	it('refuses any Base URL with a query or a fragment, and takes the same URL without it', async () => {
		const base = fc.oneof(
			fc.webUrl({ validSchemes: ['https'] }),
			fc.constantFrom('https://apiin.one', 'http://127.0.0.1:4010', 'https://gw.example/prefix/'),
		);
		const tail = fc.tuple(fc.constantFrom('?', '#', '/?', '/#'), fc.string({ maxLength: 20 }));
		await checkProperty(
			'Base URLs with a query or fragment',
			fc.property(base, tail, fc.boolean(), (url, [mark, rest], allow) => {
				const clean = url.replace(/[?#].*$/s, '');
				expect(baseUrlProblem(`${clean}${mark}${rest}`, allow)).not.toBeNull();
				if (!/@/.test(clean))
					expect(baseUrlProblem(`${clean}${mark}${rest}`, allow)).toBe('queryOrFragment');
				expect(baseUrlProblem(clean, allow)).not.toBe('queryOrFragment');
			}),
			500,
		);
	});
});
