import { itemsNode, runWorkflow, seedanceNode, generatedTaskId } from '../../../../harness/n8n';
import { FAST, useEmulator } from '../../../../helpers';
import { CUSTOM_DATA_KEY, TASKS_IN_HAND_KEY } from '../../../../../nodes/shared/domain/bill';

const { emulator, credentials } = useEmulator();

function generate(options: Record<string, unknown> = {}) {
	return seedanceNode({
		resource: 'video',
		operation: 'generate',
		prompt: '={{ $json.prompt }}',
		resolution: '480p',
		duration: '4',
		options: { ...FAST, maxWaitTime: 60, ...options },
	});
}

const prompts = (count: number, prompt = 'A dancer [latency=60000]') =>
	Array.from({ length: count }, () => ({ json: { prompt } }));

/** Every task the emulator made, in the order it made them. */
const madeTasks = () => [...emulator.tasks.keys()];

describe('Stop keeps the bill', () => {
	it('Generate with 3 items stopped while polling names all 3 tasks, in the error and the node context', async () => {
		const result = await runWorkflow([itemsNode(prompts(3)), generate()], {
			credentials: credentials(),
			cancelWhen: () => emulator.count('create') === 3 && emulator.count('status') >= 3,
		});
		const ids = madeTasks();
		expect(ids).toHaveLength(3);
		const error = result.errorOf('Seedance');
		expect(error?.message).toBe('Stopped while waiting for 3 videos');
		expect(error?.description).toContain(
			'They keep running at API in One and are charged when finished: task IDs',
		);
		expect(error?.description).toContain('Pick them up with the Wait operation (Task ID)');
		ids.forEach((id, index) => expect(error?.description).toContain(`${id} (item ${index + 1})`));
		expect(error?.context?.seedanceTasks).toEqual(
			ids.map((taskId, index) => ({ taskId, item: index + 1, state: expect.any(String) })),
		);
		expect(Object.keys(result.contextOf('Seedance')[TASKS_IN_HAND_KEY] as object).sort()).toEqual(
			[...ids].sort(),
		);
		// What survives n8n's stop endpoint: the execution's custom data.
		expect(result.customData()[CUSTOM_DATA_KEY].split(', ').sort()).toEqual([...ids].sort());
		expect(result.output('Seedance')).toHaveLength(0);
	});

	it('names the tasks that already ended before the stop, with what became of them', async () => {
		const result = await runWorkflow(
			[
				itemsNode([
					{ json: { prompt: 'A dancer [latency=60000]' } },
					{ json: { prompt: 'A dancer [fail] [latency=100]' } },
				]),
				generate(),
			],
			{
				credentials: credentials(),
				// Stopped two reads of the running task after the failure's read: a later round of reads.
				cancelWhen: () => {
					const [running, failed] = madeTasks();
					const reads = emulator.requests.filter((request) => request.route === 'status');
					const failedRead = reads.find(
						(read) =>
							read.path.endsWith(`/${failed}`) &&
							read.at >= (emulator.tasks.get(failed)?.createdAt ?? Infinity) + 100,
					);
					return (
						failedRead !== undefined &&
						reads.filter((read) => read.path.endsWith(`/${running}`) && read.at > failedRead.at)
							.length >= 2
					);
				},
			},
		);
		const [running, failed] = madeTasks();
		const error = result.errorOf('Seedance');
		expect(error?.message).toBe('Stopped while waiting for 2 videos');
		expect(error?.description).toContain(`charged when finished: task ID ${running} (item 1).`);
		expect(error?.description).toContain(`Failed or expired (not charged): ${failed} (item 2).`);
	});

	it('Wait stopped names the task it waited on', async () => {
		const taskId = await generatedTaskId(credentials(), 'A dancer [latency=60000]');
		const before = emulator.count('status');
		const result = await runWorkflow(
			[
				itemsNode([{ json: {} }]),
				seedanceNode({ resource: 'video', operation: 'wait', taskId, options: FAST }),
			],
			{ credentials: credentials(), cancelWhen: () => emulator.count('status') > before },
		);
		const error = result.errorOf('Seedance');
		expect(error?.message).toBe('Stopped while waiting for 1 video');
		expect(error?.description).toContain(
			`It keeps running at API in One and is charged when finished: task ID ${taskId} (item 1).`,
		);
		// Its state is known once the first read answered, which the stop may come before.
		const inHand = result.contextOf('Seedance')[TASKS_IN_HAND_KEY] as Record<string, unknown>;
		expect(Object.keys(inHand)).toEqual([taskId]);
		expect(inHand[taskId]).toMatchObject({ item: 0 });
		expect(result.customData()[CUSTOM_DATA_KEY]).toBe(taskId);
	});

	it('a stop during the creates names the tasks whose create answered, counts the cut ones, sends no more', async () => {
		// The first 2 creates answer; the next 2 make their task but are still unanswered at the stop.
		emulator.holdCreatesAfter = 2;
		const result = await runWorkflow([itemsNode(prompts(6)), generate({ concurrency: 2 })], {
			credentials: credentials(),
			cancelWhen: () => emulator.heldCreates === 2,
			afterCancel: () => emulator.releaseCreateAnswers(),
		});
		const [first, second, ...cut] = madeTasks();
		expect(cut).toHaveLength(2);
		expect(emulator.count('create')).toBe(4);
		const error = result.errorOf('Seedance');
		expect(error?.message).toBe('Stopped while waiting for 2 videos');
		expect(error?.description).toContain(`task IDs ${first} (item 1), ${second} (item 2).`);
		expect(error?.description).toContain(
			'2 requests to create a video got no answer before the stop: those videos may exist and be charged; check the task list in your API in One dashboard.',
		);
		expect(error?.context).toMatchObject({
			seedanceTasks: [
				{ taskId: first, item: 1 },
				{ taskId: second, item: 2 },
			],
			unansweredCreates: 2,
		});
		expect(Object.keys(result.contextOf('Seedance')[TASKS_IN_HAND_KEY] as object).sort()).toEqual(
			[first, second].sort(),
		);
		// The ledger keeps the 4 creates sent (2 with their task, 2 whose answer was cut off); the 2
		// never sent are taken back, so a retry of the execution creates them.
		const ledger = Object.values(
			result.contextOf('Seedance').seedanceCreateRecords as Record<string, { taskId?: string }>,
		);
		expect(ledger.map((record) => record.taskId ?? null).sort()).toEqual(
			[first, second, null, null].sort(),
		);
	});

	it('a run that ends normally leaves no tasks in hand in the node context', async () => {
		const result = await runWorkflow([itemsNode(prompts(2, 'A dancer')), generate()], {
			credentials: credentials(),
		});
		expect(result.output('Seedance')).toHaveLength(2);
		expect(result.contextOf('Seedance')[TASKS_IN_HAND_KEY]).toBeUndefined();
	});
});
