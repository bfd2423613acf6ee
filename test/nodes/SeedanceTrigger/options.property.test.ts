/**
 * A trigger option that fails (an expression that throws or gives a wrong value) must never drop
 * a finished, paid task: publishing refuses it, and a callback still starts the workflow once,
 * with the task and an error naming the option.
 */
import type { IDataObject } from 'n8n-workflow';

import { TriggerReceiver } from '../../harness/webhook';
import { callbackSecretOf, signCallbackUrl } from '../../../nodes/shared/domain/callbackToken';
import { createEmulatedTask, useEmulator, waitFor } from '../../helpers';
import { checkProperty, fc } from '../../property';

const { emulator, credentials } = useEmulator({ latencyMs: 30, callbacks: 'none' });

const FAILING_EXPRESSION = "={{ $('No Such Node').item.json.value }}";
/** An option whose wrong value is the API key itself (typed by mistake): its error hides it. */
const KEY_EXPRESSION = emulator.apiKey;

/** Each option, where it lives, its label in errors, and values that cannot be read. */
const BROKEN_OPTIONS = [
	{
		path: 'event',
		label: 'Trigger On',
		download: true,
		bad: ['sometimes', 5, '={{ "videoReady" }}', 'x'.repeat(200_000), KEY_EXPRESSION],
	},
	{
		path: 'simplify',
		label: 'Simplify',
		download: true,
		bad: ['maybe', null, '', 2, KEY_EXPRESSION],
	},
	{
		path: 'options.confirmWithService',
		label: 'Confirm With API in One',
		download: true,
		bad: ['yes', null],
	},
	{ path: 'options.downloadVideo', label: 'Download Video', download: false, bad: ['on', '', 1] },
	{
		path: 'options.binaryPropertyName',
		label: 'Put Output File in Field',
		download: false,
		bad: ['', '   ', ['a', 'b'], { a: 1 }],
	},
	{
		path: 'options.maxVideoSize',
		label: 'Max Video Size (MB)',
		download: false,
		bad: ['abc', -5, 1e9, null],
	},
] as const;

function withOption(path: string, value: unknown): IDataObject {
	const [first, second] = path.split('.');
	const parameters: IDataObject = { event: 'succeeded', options: {} };
	if (second) parameters.options = { [second]: value as never };
	else parameters[first] = value as never;
	return parameters;
}

async function finishedTask(outcome: 'succeeded' | 'failed') {
	const prompt = outcome === 'failed' ? 'a dancer [fail]' : 'a dancer';
	const taskId = await createEmulatedTask(emulator, prompt, 'https://unused.example/cb');
	const task = emulator.tasks.get(taskId)!;
	await waitFor(() => emulator.stateOf(task).state === outcome, 5000, 'the job');
	return { taskId, body: emulator.statusBody(task) };
}

describe('a trigger option that cannot be read', () => {
	it('is refused at publish, and a callback still starts the workflow once with the task, naming the option', async () => {
		const scenario = fc.record({
			option: fc.constantFrom(...BROKEN_OPTIONS),
			pick: fc.nat(),
			failingExpression: fc.boolean(),
			outcome: fc.constantFrom('succeeded' as const, 'failed' as const),
			replays: fc.integer({ min: 0, max: 3 }),
		});
		await checkProperty(
			'broken trigger options',
			fc.asyncProperty(scenario, async ({ option, pick, failingExpression, outcome, replays }) => {
				const value = failingExpression ? FAILING_EXPRESSION : option.bad[pick % option.bad.length];
				const parameters = withOption(option.path, value);
				await expect(new TriggerReceiver(parameters, credentials()).activate()).rejects.toThrow();

				const trigger = new TriggerReceiver(parameters, credentials());
				await trigger.start();
				try {
					const { taskId, body } = await finishedTask(outcome);
					const url = signCallbackUrl(
						trigger.productionUrl,
						callbackSecretOf(credentials().seedanceApi as never),
					);
					for (let delivery = 0; delivery <= replays; delivery++)
						expect(await emulator.postCallback(url, body)).toBe(200);
					// Whatever "Trigger On" meant, a failed task of a "Video Ready" trigger starts it
					// only when Trigger On itself is what failed.
					const starts = outcome === 'succeeded' || option.path === 'event';
					// 200 comes before a download, and the execution starts after it.
					if (starts) await waitFor(() => trigger.executions.length > 0, 5000, 'the start');
					expect(trigger.executions).toHaveLength(starts ? 1 : 0);
					if (!starts) return;
					const [item] = trigger.executions[0];
					expect(item.json).toMatchObject({ taskId, state: outcome });
					const optionError = String(item.json.optionError);
					expect(optionError).toContain(`"${option.label}"`);
					expect(optionError).not.toContain(emulator.apiKey);
					expect(optionError.length).toBeLessThan(2000);
					// Only an option of the download stops the download.
					if (option.download && outcome === 'succeeded') expect(item.binary?.data).toBeDefined();
					else expect(item.binary).toBeUndefined();
				} finally {
					await trigger.stop();
				}
			}),
			30,
		);
	});
});
