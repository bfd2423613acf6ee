/**
 * Generated attacks on the redaction door, through the node in n8n-core's engine against the
 * emulator over real sockets: a random API key and Callback Secret, placed in any form (any case,
 * URL- and JSON-encoded, a run of 8+ of their characters) anywhere the service can put text
 * (success and error bodies, JSON or not, headers, redirects, video links, a download's type and
 * first bytes), often across the old cut positions. None may show in the execution's data (outputs,
 * errors, whole) or in any line n8n logged.
 */
import { callbackSecretOf, callbackToken } from '../../../../nodes/shared/domain/callbackToken';
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { FAST, captureLogs, useEmulator } from '../../../helpers';
import { checkProperty, fc } from '../../../property';
import {
	HEADER_FORMS,
	placedArbitrary,
	secretArbitrary,
	serialised,
	showsSecret,
	finishedTaskAnswer,
} from '../../../secrets';

// n8n's logger at its most verbose, so the node's own lines are among what is searched.
const logLevelBefore = process.env.N8N_LOG_LEVEL;
process.env.N8N_LOG_LEVEL = 'debug';
afterAll(() => {
	if (logLevelBefore === undefined) delete process.env.N8N_LOG_LEVEL;
	else process.env.N8N_LOG_LEVEL = logLevelBefore;
});

const { emulator } = useEmulator({ latencyMs: 200, callbacks: 'none' });
// The emulator accepts one key; each generated case brings its own.
const emulatorKey = emulator as unknown as { apiKey: string };
const keyBefore = emulator.apiKey;
afterAll(() => {
	emulatorKey.apiKey = keyBefore;
});

/**
 * The Callback URL Generate is given, so the node makes (and must hide) its token: a URL of the
 * test n8n (test/harness/n8n.ts), since Generate signs only URLs of its own n8n.
 */
const CALLBACK_URL = 'http://127.0.0.1:5678/webhook/4f0c2b7e/callback';

/** Text around a placed secret: it starts where the old cuts were (300 and 200 characters). */
const textAround = (placed: string, before: number, tail: string) =>
	`${'é x'.repeat(Math.ceil(before / 3)).slice(0, before)}${placed}${tail}`;

const scenario = fc.constantFrom(
	'statusAnswer',
	'statusError',
	'statusText',
	'redirect',
	'createError',
	'downloadPage',
	'downloadBytes',
);

const caseArbitrary = fc
	.record({
		key: secretArbitrary({ headerSafe: true }),
		callbackSecret: secretArbitrary(),
		target: fc.constantFrom('key', 'callbackSecret', 'token'),
	})
	.chain(({ key, callbackSecret, target }) => {
		const secret =
			target === 'key'
				? key
				: target === 'callbackSecret'
					? callbackSecret
					: callbackToken(callbackSecretOf({ apiKey: key, callbackSecret }), CALLBACK_URL);
		const headerSafe = target !== 'callbackSecret';
		return fc.record({
			key: fc.constant(key),
			callbackSecret: fc.constant(callbackSecret),
			secret: fc.constant(secret),
			// A token exists only for a URL the node handed out: Generate's Callback URL.
			scenario: target === 'token' ? fc.constant('createError' as const) : scenario,
			placed: placedArbitrary(secret),
			inHeader: headerSafe
				? placedArbitrary(secret, HEADER_FORMS)
				: fc.constant('text/html; charset=utf-8'),
			before: fc.oneof(
				fc.integer({ min: 265, max: 300 }),
				fc.integer({ min: 170, max: 200 }),
				fc.nat(400),
			),
			tail: fc.string({ maxLength: 80 }),
			code: fc.constantFrom(400, 401, 402, 403, 404, 422),
			createCode: fc.constantFrom(400, 402, 422, 500, 502),
		});
	});

type Case = typeof caseArbitrary extends fc.Arbitrary<infer T> ? T : never;

function inject(c: Case): ReturnType<typeof seedanceNode> {
	const text = textAround(c.placed, c.before, c.tail);
	// Simplify off: the raw answer, where the generated secrets sit, is output too.
	const getStatus = seedanceNode({
		resource: 'video',
		operation: 'getStatus',
		taskId: 't1',
		simplify: false,
	});
	const headers = { 'x-echo': c.inHeader, 'retry-after': c.inHeader };
	switch (c.scenario) {
		case 'statusAnswer':
			emulator.inject('status', {
				kind: 'status',
				code: 200,
				headers,
				body: {
					code: 200,
					message: text,
					data: {
						task_id: 't1',
						status: 'FAILED',
						output: { video_url: `https://cdn.example/v/${encodeURIComponent(c.placed)}.mp4` },
						error: { message: text },
						[c.placed]: text,
					},
				},
			});
			return getStatus;
		case 'statusError':
			emulator.inject('status', {
				kind: 'status',
				code: c.code,
				headers,
				body: { error: { message: text }, detail: text },
			});
			return getStatus;
		case 'statusText':
			emulator.inject('status', {
				kind: 'status',
				code: c.code,
				headers: { ...headers, 'content-type': c.inHeader },
				body: `<html>${text}</html>`,
			});
			return getStatus;
		case 'redirect':
			emulator.inject('status', {
				kind: 'status',
				code: 302,
				headers: { location: `https://cdn.example/${c.inHeader}` },
				body: text,
			});
			return getStatus;
		case 'createError':
			emulator.inject('create', {
				kind: 'status',
				code: c.createCode,
				headers,
				body: c.before % 2 ? { message: text } : text,
			});
			return seedanceNode({
				resource: 'video',
				operation: 'generate',
				prompt: 'A dancer',
				callbackUrl: CALLBACK_URL,
				waitForCompletion: false,
				simplify: false,
				options: { ...FAST },
			});
		default:
			emulator.inject(
				'status',
				finishedTaskAnswer(
					't1',
					`${emulator.url}/files/t1.mp4?sig=${encodeURIComponent(c.placed)}`,
				),
			);
			emulator.inject(
				'download',
				c.scenario === 'downloadPage'
					? { kind: 'status', code: 200, headers: { 'content-type': c.inHeader }, body: text }
					: {
							kind: 'status',
							code: 200,
							headers: { 'content-type': 'video/mp4' },
							body: `${c.placed}${text}`,
						},
			);
			return seedanceNode({
				resource: 'video',
				operation: 'wait',
				taskId: 't1',
				simplify: false,
				options: { ...FAST, downloadVideo: true },
			});
	}
}

describe('generated secrets never reach output, errors or logs (property, through the node)', () => {
	it('wherever the service, a header, a link or a download places them', async () => {
		await checkProperty(
			'no generated secret shows in execution data or n8n logs',
			fc.asyncProperty(caseArbitrary, async (c) => {
				emulator.reset();
				emulatorKey.apiKey = c.key;
				const node = inject(c);
				const capture = captureLogs();
				let run: unknown;
				try {
					const result = await runWorkflow([itemsNode([{ json: {} }]), node], {
						credentials: {
							seedanceApi: {
								apiKey: c.key,
								baseUrl: emulator.url,
								callbackSecret: c.callbackSecret,
							},
						},
					});
					run = { run: result.run, error: result.errorOf('Seedance') };
				} finally {
					capture.restore();
				}
				// The case really reached the service (a refused key would prove nothing).
				if (emulator.requests.some((request) => !request.authorized)) return false;
				if (c.scenario.startsWith('download') && emulator.count('download') !== 1) return false;
				const seen = [serialised(run), ...capture.lines];
				return seen.every((text) => !showsSecret(text, c.secret) && !showsSecret(text, c.key));
			}),
			60,
		);
	});
});
