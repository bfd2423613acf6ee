import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { Seedance } from '../../../nodes/Seedance/Seedance.node';
import seedanceCodex from '../../../nodes/Seedance/Seedance.node.json';
import { SeedanceTrigger } from '../../../nodes/SeedanceTrigger/SeedanceTrigger.node';
import triggerCodex from '../../../nodes/SeedanceTrigger/SeedanceTrigger.node.json';

const { description } = new Seedance();
const trigger = new SeedanceTrigger().description;
const typeVersion = 1.1;

/** The parameters n8n keeps for these values (defaults filled, hidden ones dropped). */
function resolved(values: INodeParameters, node = description): INodeParameters {
	return NodeHelpers.getNodeParameters(
		node.properties,
		values,
		true,
		false,
		{ typeVersion },
		node,
	)!;
}

/** The fields the panel shows for these values, in order (n8n's own display logic). */
function panel(values: INodeParameters, node = description): string[] {
	const parameters = resolved(values, node);
	return node.properties
		.filter((property) => NodeHelpers.displayParameter(parameters, property, { typeVersion }, node))
		.map((property) => property.name);
}

/** Names of the options a collection offers in the panel for these values. */
function offeredOptions(values: INodeParameters): string[] {
	const parameters = resolved(values);
	const collection = description.properties.find(
		(property) =>
			property.name === 'options' &&
			NodeHelpers.displayParameter(parameters, property, { typeVersion }, description),
	)!;
	return (collection.options as INodeProperties[])
		.filter((option) =>
			NodeHelpers.displayParameterPath(parameters, option, 'options', { typeVersion }, description),
		)
		.map((option) => option.name);
}

const generate = { resource: 'video', operation: 'generate', prompt: 'A dancer' };

describe('The Seedance panel', () => {
	it('has one version, 1.1, like the trigger and the codex files', () => {
		expect(description.version).toBe(1.1);
		expect(description.defaultVersion).toBeUndefined();
		expect(trigger.version).toBe(1.1);
		for (const codex of [seedanceCodex, triggerCodex]) expect(codex.nodeVersion).toBe('1.1');
	});

	it('shows by default only what a first video needs; the rarely changed settings wait in Options', () => {
		expect(panel(generate)).toEqual([
			'resource',
			'operation',
			'model',
			'prompt',
			'imageSource',
			'aspectRatio',
			'resolution',
			'duration',
			'generateAudio',
			'fixedLens',
			'callbackUrl',
			'waitForCompletion',
			'waitMode',
			'simplify',
			'options',
		]);
		const task = { resource: 'video', taskId: 't1' };
		expect(panel({ ...task, operation: 'wait' })).toEqual([
			'resource',
			'operation',
			'taskId',
			'waitMode',
			'simplify',
			'options',
		]);
		expect(panel({ ...task, operation: 'getStatus' })).toEqual([
			'resource',
			'operation',
			'taskId',
			'simplify',
			'options',
		]);
		expect(panel({}, trigger)).toEqual(['wiringNotice', 'event', 'simplify', 'options']);
		// The trigger downloads unless told not to, like Generate: "starts with the video".
		const triggerOptions = trigger.properties.find((property) => property.name === 'options')!;
		expect(
			(triggerOptions.options as INodeProperties[]).find(
				(option) => option.name === 'downloadVideo',
			),
		).toMatchObject({ default: true });
		expect(String(trigger.properties[0].displayName)).toContain('publish (activate) this workflow');
		expect(offeredOptions(generate)).toEqual([
			'concurrency',
			'downloadVideo',
			'existingTaskId',
			'extraBodyFields',
			'idempotencyKey',
			'maxCredits',
			'maxVideoSize',
			'maxWaitTime',
			'pollInterval',
			'binaryPropertyName',
			'requestTimeout',
		]);
	});

	it('shows a field only where it applies', () => {
		expect(panel({ ...generate, model: 'custom' })).toContain('customModel');
		expect(panel({ ...generate, imageSource: 'url' })).toContain('imageUrl');
		expect(panel({ ...generate, imageSource: 'binary' })).toContain('imageBinaryProperty');
		for (const field of ['customModel', 'imageUrl', 'imageBinaryProperty'])
			expect(panel(generate)).not.toContain(field);
	});

	it('simplifies by default and shows Wait for Completion and Wait Mode on the panel', () => {
		expect(resolved(generate)).toMatchObject({
			simplify: true,
			waitForCompletion: true,
			waitMode: 'poll',
			callbackUrl: '',
		});
		expect(resolved(generate)).not.toHaveProperty('options.waitMode');
		for (const operation of ['getStatus', 'wait'])
			expect(resolved({ resource: 'video', operation, taskId: 't1' })).toMatchObject({
				simplify: true,
			});
	});

	it('hides Callback URL in Resume on Callback mode, where the node gives its own', () => {
		expect(resolved({ ...generate, waitMode: 'resume' })).not.toHaveProperty('callbackUrl');
		expect(resolved({ ...generate, waitMode: 'poll' })).toHaveProperty('callbackUrl');
	});

	it('offers wait and download options only while Generate waits; Concurrency and Request Timeout always (they drive the creates)', () => {
		const waiting = offeredOptions(generate);
		expect(waiting).toEqual(
			expect.arrayContaining(['maxWaitTime', 'pollInterval', 'downloadVideo', 'maxVideoSize']),
		);
		expect(waiting).not.toContain('confirmCallbacks');
		expect(waiting).not.toContain('waitMode');
		const notWaiting = offeredOptions({ ...generate, waitForCompletion: false });
		expect(notWaiting.sort()).toEqual([
			'concurrency',
			'existingTaskId',
			'extraBodyFields',
			'idempotencyKey',
			'maxCredits',
			'requestTimeout',
		]);
		expect(offeredOptions({ resource: 'video', operation: 'getStatus' }).sort()).toEqual([
			'concurrency',
			'requestTimeout',
		]);
		expect(offeredOptions({ ...generate, waitMode: 'resume' })).toContain('confirmCallbacks');
	});

	it("names the output file field as n8n's own nodes do, and bounds every number", () => {
		const fields = (properties: INodeProperties[]): INodeProperties[] =>
			properties.flatMap((property) => [
				property,
				...fields((property.options ?? []).filter((o): o is INodeProperties => 'type' in o)),
			]);
		const all = fields(description.properties);
		expect(
			all.filter((field) => field.name === 'binaryPropertyName').map((f) => f.displayName),
		).toEqual(expect.arrayContaining(['Put Output File in Field']));
		for (const field of all.filter((f) => f.type === 'number'))
			expect(field.typeOptions).toMatchObject({
				minValue: expect.any(Number),
				maxValue: expect.any(Number),
			});
		const hinted = all.filter((field) => field.hint).map((field) => field.name);
		expect(hinted).toEqual(
			expect.arrayContaining(['generateAudio', 'callbackUrl', 'waitMode', 'maxCredits']),
		);
	});
});
