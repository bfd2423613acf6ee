import {
	LISTED_AT_MOST,
	customDataValue,
	describeStop,
	type HeldTask,
} from '../../../../nodes/shared/domain/bill';

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
