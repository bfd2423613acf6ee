/**
 * Generated Callback URLs that are not this n8n's (another host, port, scheme, user info, an IDN
 * look-alike, a host with junk appended, a path outside n8n's base path, dot segments, encoded
 * slashes), each given to Generate in n8n-core's real engine against the emulator: the URL the
 * service receives carries no token, and the token it does carry (none) opens neither a Seedance
 * Trigger of this n8n nor a paused execution, in n8n-core's real webhook context.
 */
import { callbackToken, tokenMatches } from '../../../../../nodes/shared/domain/callbackToken';
import { itemsNode, runWorkflow, seedanceNode } from '../../../../harness/n8n';
import { parkGenerate, TriggerReceiver, type ParkedExecution } from '../../../../harness/webhook';
import { FAST, createEmulatedTask, useEmulator, waitFor } from '../../../../helpers';
import { checkProperty, fc } from '../../../../property';

const { emulator, credentials } = useEmulator({ latencyMs: 50, callbacks: 'none' });

/** This n8n: its scheme, host and port, and the path n8n's webhooks live under. */
interface Instance {
	origin: string;
	prefix: string;
}

const instance: fc.Arbitrary<Instance> = fc.record({
	origin: fc.constantFrom(
		'https://n8n.example',
		'https://n8n.example:8443',
		'http://10.0.0.7:5678',
	),
	prefix: fc.constantFrom('/', '/n8n/', '/tools/n8n/'),
});

const hostOf = (origin: string) => new URL(origin).hostname;
const portPart = (origin: string) => (new URL(origin).port ? `:${new URL(origin).port}` : '');

type Mutation = (base: Instance, target: string) => string;

/** Each builds a URL for `target` (a webhook path, no leading slash) that is not this n8n's. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	// Another host, same everything else.
	fc
		.domain()
		.map<Mutation>(
			(domain) => (base, target) =>
				`${new URL(base.origin).protocol}//${domain === hostOf(base.origin) ? `x${domain}` : domain}${portPart(base.origin)}${base.prefix}${target}`,
		),
	// A look-alike: IDN, the host with junk appended, a lookalike IP.
	fc
		.constantFrom(
			'n8n.exаmple',
			'n8n.example.evil.example',
			'n8n-example.com',
			'ñ8n.example',
			'10.0.0.70',
			'n8n.example.',
		)
		.map<Mutation>(
			(host) => (base, target) =>
				`${new URL(base.origin).protocol}//${host}${portPart(base.origin)}${base.prefix}${target}`,
		),
	// Another port.
	fc.integer({ min: 1, max: 65535 }).map<Mutation>((port) => (base, target) => {
		const url = new URL(base.origin);
		const other = String(port) === (url.port || (url.protocol === 'https:' ? '443' : '80'));
		return `${url.protocol}//${url.hostname}:${other ? port + 1 : port}${base.prefix}${target}`;
	}),
	// The other scheme.
	fc.constant<Mutation>((base, target) => {
		const url = new URL(base.origin);
		const scheme = url.protocol === 'https:' ? 'http:' : 'https:';
		return `${scheme}//${url.host}${base.prefix}${target}`;
	}),
	// User info: credentials for this host, or this host as the user name of another.
	fc
		.constantFrom('user:pass@', 'user@', ':pass@', '')
		.map<Mutation>((userinfo) => (base, target) => {
			const url = new URL(base.origin);
			return userinfo
				? `${url.protocol}//${userinfo}${url.host}${base.prefix}${target}`
				: `${url.protocol}//${url.host}@evil.example${base.prefix}${target}`;
		}),
	// A path outside the base path: another prefix, none, dot segments out of it (with the base
	// path "/", every path of the host is n8n's: then the path goes to another host).
	fc
		.constantFrom('/collect/', '/', '/n8nx/', '/n8n/../', '/n8n/%2e%2e/', '/n8n/./../x/')
		.map<Mutation>(
			(outside) => (base, target) =>
				base.prefix === '/'
					? `https://collect.example${outside}${target}`
					: `${base.origin}${outside.replace('/n8n/', base.prefix)}${target}`,
		),
	// Encoded slashes (and backslashes) in the path.
	fc
		.constantFrom('%2F', '%2f', '%5C', '%5c')
		.map<Mutation>(
			(slash) => (base, target) => `${base.origin}${base.prefix}${target.replace('/', slash)}`,
		),
);

/** URLs that are this n8n's by construction; a mutation above must never give one. */
function isOurs(url: string, base: Instance): boolean {
	try {
		const parsed = new URL(url);
		return (
			parsed.origin === base.origin &&
			parsed.username === '' &&
			parsed.password === '' &&
			parsed.pathname.startsWith(base.prefix) &&
			!/%(?:2f|5c)/i.test(parsed.pathname)
		);
	} catch {
		return false;
	}
}

describe('Callback URLs of another host or path', () => {
	let trigger: TriggerReceiver;
	let parked: ParkedExecution;
	beforeAll(async () => {
		// Download off: the trigger answers 200 once its execution has started, not after a download.
		trigger = new TriggerReceiver(
			{ event: 'anyTerminal', options: { downloadVideo: false } },
			credentials(),
		);
		await trigger.start();
		parked = await parkGenerate(credentials(), ['A [never]'], { ...FAST, downloadVideo: false });
	});
	afterAll(async () => {
		await trigger.stop();
		await parked.receiver.stop();
	});

	it("never carry a token that one of this n8n's webhooks accepts (property, through the node)", async () => {
		const finished = emulator.tasks.get(
			await createEmulatedTask(emulator, 'a finished task', 'https://collector.example/x'),
		)!;
		await waitFor(() => emulator.stateOf(finished).state === 'succeeded', 5000, 'the job');
		const targets = [trigger.productionUrl, parked.receiver.productionUrl].map((url) =>
			new URL(url).pathname.slice(1),
		);
		await checkProperty(
			'a foreign Callback URL gets no token any webhook of this n8n accepts',
			fc.asyncProperty(
				instance,
				mutation,
				fc.constantFrom(0, 1),
				fc.constantFrom('', '?x=1', '#frag', '/', '/.', '?seedance_token=pasted'),
				async (base, mutate, target, junk) => {
					const given = mutate(base, targets[target]) + junk;
					if (isOurs(given, base))
						throw new Error(`the generator made a URL of this n8n: ${given}`);
					const before = emulator.requests.length;
					const run = await runWorkflow(
						[
							itemsNode([{ json: {} }]),
							seedanceNode({
								resource: 'video',
								operation: 'generate',
								prompt: 'A dancer [never]',
								callbackUrl: given,
								waitForCompletion: false,
							}),
						],
						{ credentials: credentials(), webhookBase: `${base.origin}${base.prefix}` },
					);
					const error = run.errorOf('Seedance');
					if (error) {
						// A URL n8n cannot read is refused before anything is sent.
						expect(error.message).toContain('Callback URL');
						expect(emulator.requests.length).toBe(before);
						return;
					}
					const taskId = String(run.output('Seedance')[0].json.taskId);
					const sent = String(emulator.tasks.get(taskId)!.body.callback_url);
					expect(sent).not.toMatch(/seedance_token/i);
					const token = new URL(sent).searchParams.get('seedance_token') ?? '';
					// Not the token of any webhook of this n8n, wherever the service sends it.
					for (const path of targets)
						expect(tokenMatches(token, callbackToken(emulator.apiKey, `/${path}`))).toBe(false);
					const started = trigger.executions.length;
					for (const webhook of [trigger.productionUrl, parked.receiver.productionUrl]) {
						const url = new URL(webhook);
						if (token) url.searchParams.set('seedance_token', token);
						expect([401, 403]).toContain(
							await emulator.postCallback(url.toString(), emulator.statusBody(finished)),
						);
					}
					expect(trigger.executions.length).toBe(started);
				},
			),
			60,
		);
	});

	it('a URL of this n8n is still signed, and its webhook accepts it', async () => {
		const base = `${new URL(trigger.productionUrl).origin}/`;
		const run = await runWorkflow(
			[
				itemsNode([{ json: {} }]),
				seedanceNode({
					resource: 'video',
					operation: 'generate',
					prompt: 'A dancer',
					callbackUrl: trigger.productionUrl,
					waitForCompletion: false,
				}),
			],
			{ credentials: credentials(), webhookBase: base },
		);
		const task = emulator.tasks.get(String(run.output('Seedance')[0].json.taskId))!;
		const sent = new URL(String(task.body.callback_url));
		expect(sent.searchParams.get('seedance_token')).toBe(
			callbackToken(emulator.apiKey, trigger.productionUrl),
		);
		await waitFor(() => emulator.stateOf(task).state === 'succeeded', 5000, 'the job');
		const started = trigger.executions.length;
		expect(await emulator.postCallback(sent.toString(), emulator.statusBody(task))).toBe(200);
		expect(trigger.executions.length).toBe(started + 1);
	});
});
