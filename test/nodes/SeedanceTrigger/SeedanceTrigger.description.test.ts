/**
 * What saved workflows, the service and the editor rely on in the trigger's description: n8n
 * stores parameter names and option values in each workflow, and the service posts to the path.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { SeedanceTrigger } from '../../../nodes/SeedanceTrigger/SeedanceTrigger.node';

const trigger = new SeedanceTrigger();
const { description } = trigger;
const property = (name: string) => description.properties.find((field) => field.name === name)!;

it('keeps its name, version, webhook, credential and parameters', () => {
	expect(description).toMatchObject({
		name: 'seedanceTrigger',
		version: 1.1,
		group: ['trigger'],
		inputs: [],
		outputs: ['main'],
		icon: { light: 'file:seedance.svg', dark: 'file:seedance.dark.svg' },
		defaults: { name: 'Seedance Trigger' },
		credentials: [{ name: 'seedanceApi', required: true }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'callback' },
		],
	});
	expect(description.properties.map((field) => [field.name, field.type])).toEqual([
		['wiringNotice', 'notice'],
		['event', 'options'],
		['simplify', 'boolean'],
		['options', 'collection'],
	]);
	// A notice holds no value: n8n's lint asks for '' so saved workflows store nothing for it.
	expect(property('wiringNotice').default).toBe('');
	const event = property('event');
	expect(event.default).toBe('anyTerminal');
	expect((event.options as INodePropertyOptions[]).map((option) => option.value)).toEqual([
		'anyTerminal',
		'succeeded',
		'unsuccessful',
	]);
	expect((property('options').options as INodeProperties[]).map((field) => field.name)).toEqual([
		'confirmWithService',
		'downloadVideo',
		'maxVideoSize',
		'binaryPropertyName',
	]);
});

it('says in words what each field and choice is, and names the event in its subtitle', () => {
	const texts: unknown[] = [description.displayName, description.description];
	const walk = (fields: Array<INodeProperties | INodePropertyOptions>) => {
		for (const field of fields) {
			texts.push('displayName' in field ? field.displayName : field.name);
			if ('description' in field && field.description !== undefined) texts.push(field.description);
			if ('options' in field && Array.isArray(field.options)) walk(field.options as never);
		}
	};
	walk(description.properties);
	for (const text of texts) expect(text).toEqual(expect.stringMatching(/^[A-Z].{3,}/s));
	expect(property('wiringNotice').displayName).toMatch(/Production URL.*Callback URL.*token/s);
	const subtitle = /=\{\{ (\{.*\})\[\$parameter\["event"\]\] \}\}/.exec(description.subtitle ?? '');
	expect(JSON.parse(subtitle![1])).toEqual({
		anyTerminal: 'Any finished task',
		succeeded: 'Video ready',
		unsuccessful: 'Task failed',
	});
});

it('has nothing to register with the service: each callback URL goes with its task', async () => {
	const hooks = trigger.webhookMethods.default;
	// Every option not set: their defaults are valid, so the webhook "exists" (n8n creates nothing).
	const unset = {
		getNode: () => ({ name: 'Seedance Trigger' }),
		getNodeParameter: (_: string, or: unknown) => or,
	};
	expect(await hooks.checkExists.call(unset as never)).toBe(true);
	expect(await hooks.create.call({} as never)).toBe(true);
	expect(await hooks.delete.call({} as never)).toBe(true);
});
