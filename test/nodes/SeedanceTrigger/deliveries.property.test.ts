/**
 * n8n loads a workflow's static data per webhook request and saves it whole at the request's end,
 * only when it changed: the last save wins. Whatever order concurrent requests load, record and
 * save in, every delivery that started the workflow must be in what the database ends up with.
 */
import { ObservableObject, type IDataObject, type IObservableObject } from 'n8n-workflow';

import { isFirstDelivery } from '../../../nodes/SeedanceTrigger/deliveries';
import { checkProperty, fc } from '../../property';

let runs = 0;

/** One webhook request: the task it delivers and, once it recorded, whether it started. */
interface Request {
	key: string;
	staticData?: IDataObject & IObservableObject;
	started?: boolean;
}

/**
 * Plays the requests with their steps (load, record, save) interleaved in the given order, as one
 * n8n process would, against a database that holds the static data as JSON.
 */
function play(keys: string[], order: number[], scope: string, database: { json: string }) {
	const requests: Request[] = keys.map((key) => ({ key }));
	const steps = new Array<number>(keys.length).fill(0);
	for (const index of order) {
		const request = requests[index];
		const step = steps[index]++;
		if (step === 0) {
			// As n8n's Workflow: the loaded JSON made observable, the node's part under its name.
			const root = ObservableObject.create(JSON.parse(database.json) as IDataObject, undefined, {
				ignoreEmptyOnFirstChild: true,
			}) as IDataObject & IObservableObject;
			root['node:Seedance Trigger'] ??= ObservableObject.create({}, root);
			request.staticData = root;
		} else if (step === 1) {
			const nodeData = request.staticData!['node:Seedance Trigger'] as IDataObject;
			request.started = isFirstDelivery(nodeData, scope, request.key);
		} else if (request.staticData!.__dataChanged === true) {
			database.json = JSON.stringify(request.staticData);
		}
	}
	return requests;
}

describe('the memory of deliveries under concurrent requests', () => {
	it('loses none, whatever order concurrent requests load, record and save in', async () => {
		const scenario = fc
			.array(fc.integer({ min: 0, max: 11 }), { minLength: 2, maxLength: 30 })
			.chain((tasks) =>
				fc.record({
					keys: fc.constant(tasks.map((task) => `t${task}:succeeded`)),
					// Each request's three steps, in an order that keeps load < record < save per request.
					order: fc.shuffledSubarray(
						tasks.flatMap((_, index) => [index, index, index]),
						{ minLength: tasks.length * 3, maxLength: tasks.length * 3 },
					),
					savedBefore: fc.array(fc.integer({ min: 12, max: 20 }), { maxLength: 3 }),
				}),
			);
		await checkProperty(
			'concurrent deliveries whose static-data saves interleave lose none',
			fc.property(scenario, ({ keys, order, savedBefore }) => {
				const scope = `wf-prop/${++runs}`;
				const before = Object.fromEntries(
					savedBefore.map((task) => [`t${task}:succeeded`, Math.floor(Date.now() / 60_000)]),
				);
				const database = {
					json: JSON.stringify({ 'node:Seedance Trigger': { deliveredTasks: before } }),
				};
				const requests = play(keys, order, scope, database);
				const distinct = new Set(keys.filter((key) => !(key in before)));
				const started = requests.filter((request) => request.started).map((r) => r.key);
				// Each new task started exactly once in this process.
				expect(started.sort()).toEqual([...distinct].sort());

				// A restart: a new process (a new scope: nothing in memory) reads only the database.
				const restarted = `${scope}/restarted`;
				const saved = JSON.parse(database.json) as Record<string, IDataObject>;
				const nodeData = structuredClone(saved['node:Seedance Trigger']);
				for (const key of [...distinct, ...Object.keys(before)])
					expect(isFirstDelivery(nodeData, restarted, key)).toBe(false);
			}),
			300,
		);
	});
});
