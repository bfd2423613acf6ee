import { normalizeTask, stateFromWord } from '../../../../nodes/shared/domain/task';
import { SHAPES, SHAPE_NAMES, createdBody, type EmulatedState } from '../../../emulator/shapes';

const URL = 'https://cdn.example/v.mp4';

describe('normalizeTask', () => {
	it.each(SHAPE_NAMES)('reads a finished task in the "%s" shape', (shape) => {
		const task = normalizeTask(
			SHAPES[shape]({ taskId: 't1', state: 'succeeded', progress: 100, videoUrl: URL, error: '' }),
		);
		expect(task).toMatchObject({
			taskId: 't1',
			state: 'succeeded',
			videoUrl: URL,
			error: null,
			progress: 100,
		});
	});

	it.each(SHAPE_NAMES)('reads a failed task and its error text in the "%s" shape', (shape) => {
		const task = normalizeTask(
			SHAPES[shape]({
				taskId: 't2',
				state: 'failed',
				progress: 40,
				videoUrl: URL,
				error: 'moderation',
			}),
		);
		expect(task).toMatchObject({
			taskId: 't2',
			state: 'failed',
			videoUrl: null,
			error: 'moderation',
		});
	});

	it.each(['queued', 'running', 'cancelled', 'expired'] as EmulatedState[])(
		'maps the %s state in every shape',
		(state) => {
			for (const shape of SHAPE_NAMES) {
				const task = normalizeTask(
					SHAPES[shape]({ taskId: 't3', state, progress: 30, videoUrl: URL, error: 'x' }),
				);
				expect({ shape, state: task?.state }).toEqual({ shape, state });
			}
		},
	);

	it('reads the create answer the service documents', () => {
		expect(normalizeTask(createdBody('n38x_seedance'))).toMatchObject({
			taskId: 'n38x_seedance',
			state: 'running',
			rawStatus: 'IN_PROGRESS',
		});
	});

	it('keeps an unknown status word raw and treats it as running', () => {
		const task = normalizeTask({ task_id: 'a', status: 'RECALIBRATING' });
		expect(task).toMatchObject({ state: 'running', rawStatus: 'RECALIBRATING' });
	});

	it('matches status words case-insensitively', () => {
		expect(['COMPLETED', 'Success', 'done', 'FINISHED', 'succeeded'].map(stateFromWord)).toEqual(
			Array(5).fill('succeeded'),
		);
		expect(['FAILED', 'fail', 'Error'].map(stateFromWord)).toEqual(['failed', 'failed', 'failed']);
		expect(['canceled', 'CANCELLED'].map(stateFromWord)).toEqual(['cancelled', 'cancelled']);
		expect(['pending', 'QUEUING', 'waiting', 'submitted', 'created'].map(stateFromWord)).toEqual(
			Array(5).fill('queued'),
		);
		expect(
			['in_progress', 'IN-PROGRESS', 'processing', 'generating', 'running'].map(stateFromWord),
		).toEqual(Array(5).fill('running'));
		expect(['expired', 'TIMEOUT'].map(stateFromWord)).toEqual(['expired', 'expired']);
	});

	it('finds the video in every place the contract lists', () => {
		const bodies = [
			{ data: { task_id: 'a', status: 'completed', output: { video_url: URL } } },
			{ task_id: 'a', status: 'completed', video_url: URL },
			{ task_id: 'a', status: 'completed', result: { video_url: URL } },
			{ task_id: 'a', status: 'completed', output: { url: URL } },
			{ task_id: 'a', status: 'completed', result: { url: URL } },
			{ task_id: 'a', status: 'completed', content: { video_url: URL } },
			{ task_id: 'a', status: 'completed', output: [URL] },
			{ task_id: 'a', status: 'completed', urls: [URL] },
			{ task_id: 'a', status: 'completed', resultUrls: [URL] },
			{ task_id: 'a', status: 'completed', resultJson: JSON.stringify({ resultUrls: [URL] }) },
		];
		for (const body of bodies) expect(normalizeTask(body)?.videoUrl).toBe(URL);
	});

	it('reads progress as a number, a percentage string, or a fraction', () => {
		expect(normalizeTask({ id: 'a', status: 'running', progress: 42 })?.progress).toBe(42);
		expect(normalizeTask({ id: 'a', status: 'running', progress: '42%' })?.progress).toBe(42);
		expect(normalizeTask({ id: 'a', status: 'running', progress: 0.42 })?.progress).toBeCloseTo(42);
		expect(normalizeTask({ id: 'a', status: 'running' })?.progress).toBeNull();
	});

	it('does not take the envelope\'s "success" message for an error', () => {
		expect(
			normalizeTask({
				code: 200,
				message: 'success',
				data: { task_id: 'a', status: 'COMPLETED', output: { video_url: URL } },
			})?.error,
		).toBeNull();
	});

	it('returns null for bodies without a task', () => {
		for (const body of [
			null,
			'text',
			[],
			{},
			{ code: 200, data: {} },
			{ data: { status: 'done' } },
		])
			expect(normalizeTask(body)).toBeNull();
	});

	it('uses the known task id when a status body omits it', () => {
		expect(normalizeTask({ status: 'running' }, 'known')?.taskId).toBe('known');
	});
});
