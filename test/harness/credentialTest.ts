/**
 * Runs the credential's test the way n8n's CredentialsTester runs it: the test request as a
 * declarative node through n8n-core's RoutingNode, then the credential's rules on the answer.
 */
import { ExecuteContext, ExecutionLifecycleHooks, RoutingNode } from 'n8n-core';
import {
	Workflow,
	createEmptyRunExecutionData,
	type ICredentialDataDecryptedObject,
	type INode,
	type INodeType,
} from 'n8n-workflow';

import { SeedanceApi } from '../../credentials/SeedanceApi.credentials';
import { additionalDataFor } from './n8n';

const credential = new SeedanceApi();

const valueAt = (body: unknown, key: string): unknown =>
	key
		.split('.')
		.reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], body);

/**
 * `asN8n1`: as n8n 1.x runs it, whose request helper reads any `ignoreHttpStatusErrors` as "accept
 * every status" (2.x honours its `except` list).
 */
export async function testCredential(
	data: ICredentialDataDecryptedObject,
	{ asN8n1 = false } = {},
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const request = asN8n1
		? { ...credential.test.request, ignoreHttpStatusErrors: true }
		: credential.test.request;
	const nodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'temp',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credential.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request },
					default: '',
				},
			],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp',
		type: 'temp',
		typeVersion: 1,
		position: [0, 0],
		parameters: { temp: '' },
		credentials: { seedanceApi: { id: '1', name: 'x' } },
	};
	const nodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const hooks = new ExecutionLifecycleHooks('internal', 'cred-test', {
		nodes: [node],
		connections: {},
	} as never);
	const additionalData = additionalDataFor({ seedanceApi: data }, 'cred-test', hooks);
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const routing = new RoutingNode(context, nodeType, {
		id: '1',
		name: 'x',
		type: credential.name,
		data,
	});
	let output: Awaited<ReturnType<RoutingNode['runNode']>>;
	try {
		output = await routing.runNode();
	} catch (error) {
		// As CredentialsTester: a status code named by a rule gives that rule's message.
		const status = (error as { cause?: { response?: { status?: number } } }).cause?.response
			?.status;
		const rule = (credential.test.rules ?? []).find(
			(candidate) => candidate.type === 'responseCode' && candidate.properties.value === status,
		);
		return { status: 'Error', message: rule?.properties.message ?? (error as Error).message };
	}
	// As CredentialsTester: then the rules on the answer's body.
	const body = output?.[0]?.[0]?.json ?? {};
	for (const rule of credential.test.rules ?? [])
		if (
			rule.type === 'responseSuccessBody' &&
			valueAt(body, rule.properties.key) === rule.properties.value
		)
			return { status: 'Error', message: rule.properties.message };
	return { status: 'OK', message: 'Connection successful!' };
}
