import { baseUrlProblem, isLoopback } from '../../../../nodes/Seedance/domain/baseUrl';

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
});
