import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { Seedance } from '../../../nodes/Seedance/Seedance.node';

const { description } = new Seedance();

/** The parameters n8n keeps for these values (defaults filled, hidden ones dropped). */
function resolved(typeVersion: number, values: INodeParameters): INodeParameters {
	return NodeHelpers.getNodeParameters(
		description.properties,
		values,
		true,
		false,
		{ typeVersion },
		description,
	)!;
}

/** Names of the options a collection offers in the panel for these values. */
function offeredOptions(typeVersion: number, values: INodeParameters): string[] {
	const parameters = resolved(typeVersion, values);
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
	it('adds version 1.1 for new nodes and keeps version 1 for saved workflows', () => {
		expect(description.version).toEqual([1, 1.1]);
		expect(description.defaultVersion).toBe(1.1);
	});

	it('version 1 resolves the parameters it always had: Options hold the wait settings, no Simplify', () => {
		const parameters = resolved(1, generate);
		expect(parameters).not.toHaveProperty('simplify');
		expect(parameters).not.toHaveProperty('waitMode');
		expect(parameters).not.toHaveProperty('waitForCompletion');
		expect(offeredOptions(1, generate)).toEqual(
			expect.arrayContaining([
				'waitForCompletion',
				'waitMode',
				'maxWaitTime',
				'binaryPropertyName',
			]),
		);
	});

	it('version 1.1 simplifies by default and shows Wait for Completion and Wait Mode on the panel', () => {
		expect(resolved(1.1, generate)).toMatchObject({
			simplify: true,
			waitForCompletion: true,
			waitMode: 'poll',
			callbackUrl: '',
		});
		for (const operation of ['getStatus', 'wait'])
			expect(resolved(1.1, { resource: 'video', operation, taskId: 't1' })).toMatchObject({
				simplify: true,
			});
	});

	it('hides Callback URL in Resume on Callback mode, where the node gives its own', () => {
		expect(resolved(1.1, { ...generate, waitMode: 'resume' })).not.toHaveProperty('callbackUrl');
		expect(resolved(1.1, { ...generate, waitMode: 'poll' })).toHaveProperty('callbackUrl');
	});

	it('offers wait and download options only while Generate waits', () => {
		const waiting = offeredOptions(1.1, generate);
		expect(waiting).toEqual(
			expect.arrayContaining(['maxWaitTime', 'pollInterval', 'downloadVideo', 'maxVideoSize']),
		);
		expect(waiting).not.toContain('confirmCallbacks');
		expect(waiting).not.toContain('waitMode');
		const notWaiting = offeredOptions(1.1, { ...generate, waitForCompletion: false });
		expect(notWaiting.sort()).toEqual(['existingTaskId', 'extraBodyFields', 'maxCredits']);
		expect(offeredOptions(1.1, { ...generate, waitMode: 'resume' })).toContain('confirmCallbacks');
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
