/**
 * Generated, through n8n-core's engine against the emulator: one place knows every secret of an
 * execution. A Generate in Resume on Callback hands the service this execution's resume URL (its
 * path, n8n's signature, its token); a later Get Status and Wait of the same execution (poll or
 * resume mode) read a status answer that echoes that URL in a random form, with a random foreign
 * `seedance_token` beside it in a random form. None of them shows in output, errors or logs.
 */
import { itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { FAST, captureLogs, useEmulator } from '../../../helpers';
import { checkProperty, fc } from '../../../property';
import { FORMS, serialised, showsSecret } from '../../../secrets';

const logLevelBefore = process.env.N8N_LOG_LEVEL;
process.env.N8N_LOG_LEVEL = 'debug';
afterAll(() => {
	if (logLevelBefore === undefined) delete process.env.N8N_LOG_LEVEL;
	else process.env.N8N_LOG_LEVEL = logLevelBefore;
});

const { emulator, credentials } = useEmulator({ latencyMs: 50, callbacks: 'none' });

type Task = Parameters<typeof emulator.statusBody>[0];
const statusBody = emulator.statusBody.bind(emulator);
afterEach(() => {
	emulator.statusBody = statusBody;
});

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
const NAME_FORMS = {
	query: (name: string, token: string) =>
		`https://other.example/webhook/t/callback?${name}=${token}`,
	jsonField: (name: string, token: string) => `{"${name}" : "${token}"}`,
	text: (name: string, token: string) => `${name}: ${token}`,
	encoded: (name: string, token: string) =>
		encodeURIComponent(`https://o.example/c?${name}=${token}`),
};

const caseArbitrary = fc.record({
	urlForm: fc.constantFrom(...Object.keys(FORMS)),
	where: fc.constantFrom('field', 'message', 'both'),
	waitMode: fc.constantFrom('poll', 'resume'),
	foreign: fc
		.array(fc.constantFrom(...BASE64URL), { minLength: 20, maxLength: 50 })
		.map((c) => c.join('')),
	foreignName: fc
		.array(fc.boolean(), { minLength: 14, maxLength: 14 })
		.map((up) => Array.from('seedance_token', (c, i) => (up[i] ? c.toUpperCase() : c)).join('')),
	foreignForm: fc.constantFrom(...(Object.keys(NAME_FORMS) as Array<keyof typeof NAME_FORMS>)),
});

/** The status answer, `callback_url` (and/or a message) echoing the URL the task was given. */
function echoing(c: Case) {
	emulator.statusBody = (task: Task) => {
		const given = String(task.body.callback_url ?? '');
		const echoed = FORMS[c.urlForm](given);
		const foreign = NAME_FORMS[c.foreignForm](c.foreignName, c.foreign);
		const extra: Record<string, unknown> =
			c.where === 'message'
				? { message: `callback ${echoed} and ${foreign}` }
				: c.where === 'field'
					? { callback_url: echoed, note: foreign }
					: { callback_url: echoed, message: `callback ${echoed} and ${foreign}` };
		const body = statusBody(task);
		const data = body.data;
		return data && typeof data === 'object'
			? { ...body, ...extra, data: { ...(data as object), ...extra } }
			: { ...body, ...extra };
	};
}

type Case = typeof caseArbitrary extends fc.Arbitrary<infer T> ? T : never;

const later = (operation: string, parameters: Record<string, unknown> = {}) =>
	seedanceNode(
		{ resource: 'video', operation, taskId: '={{ $json.taskId }}', simplify: false, ...parameters },
		{ name: operation === 'getStatus' ? 'Get Status' : 'Wait' },
	);

describe("every secret of the execution is known to every operation (property, n8n's engine)", () => {
	it('a later Get Status and Wait hide the resume URL, its signature and tokens echoed back', async () => {
		await checkProperty(
			'resume URL, signature and tokens hidden in later Get Status and Wait',
			fc.asyncProperty(caseArbitrary, async (c) => {
				emulator.reset();
				echoing(c);
				const capture = captureLogs();
				let seen: string[];
				let given: URL;
				try {
					const result = await runWorkflow(
						[
							itemsNode([{ json: {} }]),
							seedanceNode({
								resource: 'video',
								operation: 'generate',
								prompt: 'A dancer',
								waitForCompletion: false,
								waitMode: 'resume',
								simplify: false,
								options: { ...FAST },
							}),
							later('getStatus'),
							later('wait', {
								waitMode: c.waitMode,
								options: { ...FAST, maxWaitTime: 30, downloadVideo: false },
							}),
						],
						{ credentials: credentials() },
					);
					const [task] = emulator.tasks.values();
					given = new URL(String(task.body.callback_url));
					// The case is real: both later nodes ran and read the echoing answer.
					if (result.output('Get Status').length !== 1 || result.output('Wait').length !== 1)
						return false;
					seen = [
						serialised({
							getStatus: result.output('Get Status'),
							wait: result.output('Wait'),
							errors: [result.errorOf('Get Status'), result.errorOf('Wait')],
						}),
						...capture.lines,
					];
				} finally {
					capture.restore();
				}
				if (!given.pathname.includes('/webhook-waiting/')) return false;
				const secrets = [
					given.searchParams.get('seedance_token') ?? '',
					given.searchParams.get('signature') ?? '',
					c.foreign,
				].filter(Boolean);
				const path = given.pathname.toLowerCase();
				return seen.every(
					(text) =>
						secrets.every((secret) => !showsSecret(text, secret)) &&
						![text, decodeURIComponent(text.replace(/%(?![0-9a-f]{2})/gi, '%25'))].some((reading) =>
							reading.toLowerCase().includes(path),
						),
				);
			}),
			25,
		);
	});

	it("a foreign token in a refusal's message stays out of the error and the logs", async () => {
		await checkProperty(
			'foreign seedance_token hidden in errors and logs',
			fc.asyncProperty(caseArbitrary, fc.constantFrom(400, 404, 422), async (c, code) => {
				emulator.reset();
				const foreign = NAME_FORMS[c.foreignForm](c.foreignName, c.foreign);
				emulator.inject(
					'status',
					...Array.from({ length: 5 }, () => ({
						kind: 'status' as const,
						code,
						body: { error: { message: `bad callback ${foreign}` }, detail: foreign },
					})),
				);
				const capture = captureLogs();
				let seen: string[];
				try {
					const result = await runWorkflow(
						[itemsNode([{ json: {} }]), later('getStatus', { taskId: 't1' })],
						{ credentials: credentials() },
					);
					const error = result.errorOf('Get Status');
					if (!error) return false;
					seen = [serialised({ run: result.run, error }), ...capture.lines];
				} finally {
					capture.restore();
				}
				return seen.every((text) => !showsSecret(text, c.foreign));
			}),
			15,
		);
	});
});
