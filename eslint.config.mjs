// The exact rule set of n8n's community-package verification (`n8n-node lint` runs too, in npm test):
// @n8n/eslint-plugin-community-nodes (recommended) plus eslint-plugin-n8n-nodes-base's community,
// credentials and nodes rule sets, with no-console. One rule waits for the publisher: the author
// e-mail is theirs to give (CONTRIBUTING.md, "Publishing"); `npm run scan -- --for-publish`, the
// prepublishOnly guard, applies it.
import { buildScanConfig } from '@n8n/scan-community-package/scanner/scanner.mjs';

export default [
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'test/**',
			'scripts/**',
			'examples/**',
			'*.js',
			'*.mjs',
		],
	},
	...(await buildScanConfig()),
	{ files: ['package.json'], rules: { '@n8n/community-nodes/valid-author': 'off' } },
];
