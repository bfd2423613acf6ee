/** Why a credential's Base URL is refused before any request carries the key to it. */
export type BaseUrlProblem = 'notWebAddress' | 'userInfo' | 'queryOrFragment' | 'unencrypted';

/** 127.0.0.0/8, ::1 and localhost: a request there never leaves the machine. */
export function isLoopback(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/\.$/, '');
	return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** What is wrong with a Base URL: user info leaks, `?`/`#` swallows the path, http is clear text. */
export function baseUrlProblem(
	baseUrl: string,
	allowUnencryptedHttp: boolean,
): BaseUrlProblem | null {
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		return 'notWebAddress';
	}
	if (url.username || url.password || /^[a-z]+:\/*[^/?#]*@/i.test(baseUrl)) return 'userInfo';
	// The text, not url.search/hash: a bare "?" or "#" leaves both empty and still cuts the path off.
	if (/[?#]/.test(baseUrl)) return 'queryOrFragment';
	if (url.protocol === 'https:') return null;
	if (url.protocol !== 'http:') return 'notWebAddress';
	return allowUnencryptedHttp || isLoopback(url.hostname) ? null : 'unencrypted';
}
