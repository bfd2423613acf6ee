import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import {
	CUSTOM_DATA_KEY,
	LISTED_AT_MOST,
	TASKS_IN_HAND_KEY,
	customDataValue,
	describeStop,
	heldAtStop,
	holdCreate,
	holdTask,
	releaseTasks,
	type HeldTask,
} from '../../../../nodes/shared/domain/bill';
import { ExecutionStopped } from '../../../../nodes/shared/domain/timing';

const running = (count: number): HeldTask[] =>
	Array.from({ length: count }, (_, index) => ({
		taskId: `t${index + 1}`,
		itemIndex: index,
		state: 'running',
	}));

describe('describeStop', () => {
	it('says how many videos keep running and are charged, and how to pick them up', () => {
		const { message, description } = describeStop({ tasks: running(3), unanswered: 0 });
		expect(message).toBe('Stopped while waiting for 3 videos');
		expect(description).toBe(
			'They keep running at API in One and are charged when finished: task IDs t1 (item 1), t2 (item 2), t3 (item 3). Pick them up with the Wait operation (Task ID) instead of generating again, which pays again.',
		);
	});

	it('lists at most 20 task IDs and counts the rest', () => {
		const { message, description } = describeStop({ tasks: running(130), unanswered: 0 });
		expect(message).toBe('Stopped while waiting for 130 videos');
		expect(description).toContain(`t${LISTED_AT_MOST} (item ${LISTED_AT_MOST}) and 110 more.`);
		expect(description).not.toContain(`t${LISTED_AT_MOST + 1} `);
	});

	it('tells finished, failed and never-answered creates apart', () => {
		const { description } = describeStop({
			tasks: [
				{ taskId: 'a', itemIndex: 0, state: 'succeeded' },
				{ taskId: 'b', itemIndex: 1, state: 'failed' },
				{ taskId: 'c', itemIndex: null, state: null },
			],
			unanswered: 1,
		});
		expect(description).toContain(
			'It keeps running at API in One and is charged when finished: task ID c.',
		);
		expect(description).toContain(
			'Finished (and charged) before the stop, video not saved: a (item 1).',
		);
		expect(description).toContain('Failed or expired (not charged): b (item 2).');
		expect(description).toContain('1 request to create a video got no answer before the stop');
	});

	it('a stop before any task was made says nothing is charged', () => {
		expect(describeStop({ tasks: [], unanswered: 0 })).toEqual({
			message: 'The execution was stopped while waiting for Seedance',
			description: 'No video task was created in this run, so nothing is charged.',
		});
		expect(describeStop({ tasks: [], unanswered: 2 }).message).toBe(
			'Stopped while creating 2 videos',
		);
	});
});

describe('customDataValue', () => {
	it("fits n8n's 255 characters and says how many tasks there are in all", () => {
		const ids = Array.from({ length: 40 }, (_, index) => `n${index}abcdef0123_seedance`);
		const value = customDataValue(ids);
		expect(value.length).toBeLessThanOrEqual(255);
		expect(value).toMatch(
			/^n0abcdef0123_seedance, n1abcdef0123_seedance, .* \.\.\. \(40 in all\)$/,
		);
		expect(customDataValue(ids.slice(0, 3))).toBe(ids.slice(0, 3).join(', '));
	});
});

/** The parts of a node's context the bill uses: its node context and the execution's custom data. */
function nodeContext(custom: 'own' | 'proxy' | 'none' = 'own') {
	const node: IDataObject = {};
	const own = { set: jest.fn() };
	const proxied = { set: jest.fn() };
	const context = {
		getContext: (kind: string) => (kind === 'node' ? node : {}),
		...(custom === 'own' ? { customData: own } : {}),
		getWorkflowDataProxy: () => ({
			$execution: custom === 'proxy' ? { customData: proxied } : {},
		}),
	};
	return { context: context as unknown as IExecuteFunctions, node, own, proxied };
}

describe('holdTask and releaseTasks: the record n8n saves with the execution', () => {
	it('keeps each task under its ID, and what an earlier hold knew of it', () => {
		const { context, node } = nodeContext();
		holdTask(context, 't1', 3, 'queued');
		holdTask(context, 't1');
		holdTask(context, 't2');
		expect(TASKS_IN_HAND_KEY).toBe('seedanceTasksInHand');
		expect(node.seedanceTasksInHand).toEqual({
			t1: { item: 3, state: 'queued' },
			t2: { item: null, state: null },
		});
	});

	it('replaces a saved value that is no record, and adds to one that is', () => {
		for (const stored of ['text', ['t0'], null]) {
			const { context, node } = nodeContext();
			node[TASKS_IN_HAND_KEY] = stored as never;
			holdTask(context, 't1', 0, 'running');
			expect(node[TASKS_IN_HAND_KEY]).toEqual({ t1: { item: 0, state: 'running' } });
		}
		const { context, node } = nodeContext();
		node[TASKS_IN_HAND_KEY] = { earlier: { item: 1, state: 'running' } };
		holdTask(context, 't1', 0, 'running');
		expect(Object.keys(node[TASKS_IN_HAND_KEY] as IDataObject)).toEqual(['earlier', 't1']);
	});

	it("takes out only this run's tasks, and the key once nothing is left", () => {
		const { context, node } = nodeContext();
		node[TASKS_IN_HAND_KEY] = { earlier: { item: 1, state: 'running' } };
		holdTask(context, 't1', 0, 'running');
		releaseTasks(context);
		expect(node[TASKS_IN_HAND_KEY]).toEqual({ earlier: { item: 1, state: 'running' } });
		const alone = nodeContext();
		holdTask(alone.context, 't1', 0, 'running');
		releaseTasks(alone.context);
		expect(TASKS_IN_HAND_KEY in alone.node).toBe(false);
	});

	it('a webhook call (no node context) keeps no record and sets no custom data', () => {
		const webhook = { customData: { set: jest.fn() } } as unknown as IWebhookFunctions;
		expect(() => holdTask(webhook, 't1', 0, 'running')).not.toThrow();
		expect(() => releaseTasks(webhook)).not.toThrow();
		expect(
			(webhook as unknown as { customData: { set: jest.Mock } }).customData.set,
		).not.toBeCalled();
	});
});

describe("holdTask: the task IDs in the execution's custom data", () => {
	it('lists every task once a new one comes, under seedanceTasks', () => {
		const { context, own } = nodeContext('own');
		holdTask(context, 't1', 0, 'queued');
		holdTask(context, 't1', 0, 'running');
		holdTask(context, 't2', 1, 'queued');
		expect(CUSTOM_DATA_KEY).toBe('seedanceTasks');
		expect(own.set.mock.calls).toEqual([
			['seedanceTasks', 't1'],
			['seedanceTasks', 't1, t2'],
		]);
	});

	it("takes n8n 1.x's custom data from the data proxy when the context has none", () => {
		const { context, proxied } = nodeContext('proxy');
		holdTask(context, 't1', 0, 'queued');
		expect(proxied.set).toBeCalledWith('seedanceTasks', 't1');
	});

	it('goes on when custom data refuses the value (full) or is not offered', () => {
		const { context, own } = nodeContext('own');
		own.set.mockImplementation(() => {
			throw new Error('Custom data can have at most 10 keys');
		});
		expect(() => holdTask(context, 't1', 0, 'queued')).not.toThrow();
		expect(() => holdTask(nodeContext('none').context, 't1', 0, 'queued')).not.toThrow();
	});
});

describe('customDataValue at the 255 characters', () => {
	it('keeps a list of exactly 255 characters whole, and cuts one of 256', () => {
		const exact = ['a'.repeat(100), 'b'.repeat(100), 'c'.repeat(51)];
		expect(exact.join(', ').length).toBe(255);
		expect(customDataValue(exact)).toBe(exact.join(', '));
		const over = [...exact.slice(0, 2), 'c'.repeat(52)];
		expect(customDataValue(over)).toBe(`${over.slice(0, 2).join(', ')} ... (3 in all)`);
	});

	it('shows a task whose ID ends the value at exactly 255 characters', () => {
		const suffix = ' ... (3 in all)';
		const ids = ['a'.repeat(100), 'b'.repeat(255 - suffix.length - 102), 'c'.repeat(20)];
		expect(customDataValue(ids)).toBe(`${ids[0]}, ${ids[1]}${suffix}`);
		expect(customDataValue(ids).length).toBe(255);
	});
});

describe('holdCreate and heldAtStop: creates sent when the stop comes', () => {
	it('waits (up to the grace) for a sent create, whose task is then held, not unanswered', async () => {
		const { context } = nodeContext();
		let answer: (taskId: string) => void = () => undefined;
		const sending = holdCreate(context, new Promise<string>((resolve) => (answer = resolve)));
		void sending.then((taskId) => holdTask(context, taskId, 0, 'queued'));
		const stop = heldAtStop(context, 60_000);
		answer('t1');
		expect(await stop).toEqual({
			tasks: [{ taskId: 't1', itemIndex: 0, state: 'queued' }],
			unanswered: 0,
		});
	});

	it('counts creates cut by the stop and those still unanswered after the grace', async () => {
		const { context } = nodeContext();
		const cut = holdCreate(context, Promise.reject(new ExecutionStopped()));
		const refused = holdCreate(context, Promise.reject(new Error('HTTP 402')));
		await Promise.allSettled([cut, refused]);
		holdCreate(context, new Promise(() => undefined));
		expect(await heldAtStop(context, 10)).toEqual({ tasks: [], unanswered: 2 });
	});

	it('lists the tasks by item, those of no known item last', async () => {
		const { context } = nodeContext();
		holdTask(context, 'late', undefined, 'running');
		holdTask(context, 'second', 1, 'running');
		holdTask(context, 'first', 0, 'running');
		const { tasks } = await heldAtStop(context, 0);
		expect(tasks.map((task) => task.taskId)).toEqual(['first', 'second', 'late']);
	});
});

describe('describeStop: counts and lists as a person reads them', () => {
	it('lists the first 20 whole, then counts the rest', () => {
		const { description } = describeStop({ tasks: running(21), unanswered: 0 });
		const first = Array.from({ length: 20 }, (_, index) => `t${index + 1} (item ${index + 1})`);
		expect(description).toContain(`task IDs ${first.join(', ')} and 1 more.`);
	});

	it('one unanswered create is "that video", several "those videos"', () => {
		const one = describeStop({ tasks: [], unanswered: 1 });
		expect(one.message).toBe('Stopped while creating 1 video');
		expect(one.description).toBe(
			'1 request to create a video got no answer before the stop: that video may exist and be charged; check the task list in your API in One dashboard.',
		);
		expect(describeStop({ tasks: [], unanswered: 2 }).description).toContain(
			'2 requests to create a video got no answer before the stop: those videos may exist',
		);
	});
});

describe('describeStop and heldAtStop: the last words', () => {
	it('one task is "1 video"', () => {
		expect(describeStop({ tasks: running(1), unanswered: 0 }).message).toBe(
			'Stopped while waiting for 1 video',
		);
	});

	it('leaves no timer behind once the creates it waited for are answered', async () => {
		jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
		try {
			const { context } = nodeContext();
			let answer: () => void = () => undefined;
			holdCreate(context, new Promise<void>((resolve) => (answer = resolve)));
			const stop = heldAtStop(context, 60_000);
			answer();
			await stop;
			expect(jest.getTimerCount()).toBe(0);
		} finally {
			jest.useRealTimers();
		}
	});
});
