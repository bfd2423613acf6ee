import { BoundedMap, BoundedSet } from '../../../../nodes/shared/domain/boundedMemory';
import { checkProperty, fc } from '../../../property';

describe('BoundedMap', () => {
	it('forgets the oldest written key past its size; writing a key again makes it the newest', () => {
		const map = new BoundedMap<string, number>(2);
		map.set('a', 1).set('b', 2);
		expect([...map]).toEqual([
			['a', 1],
			['b', 2],
		]);
		map.set('a', 3).set('c', 4);
		expect([...map]).toEqual([
			['a', 3],
			['c', 4],
		]);
		expect(map.size).toBe(2);
		expect(map.has('b')).toBe(false);
	});

	it('holds exactly its size, and reading does not reorder', () => {
		const map = new BoundedMap<number, number>(3);
		for (const key of [1, 2, 3]) map.set(key, key);
		expect(map.get(1)).toBe(1);
		map.set(4, 4);
		expect([...map.keys()]).toEqual([2, 3, 4]);
	});
});

describe('BoundedSet', () => {
	it('forgets the oldest added value past its size; adding one again makes it the newest', () => {
		const set = new BoundedSet<string>(2);
		set.add('a').add('b').add('a').add('c');
		expect([...set]).toEqual(['a', 'c']);
		set.add('d');
		expect([...set]).toEqual(['c', 'd']);
	});
});

describe('bounded memories keep the newest keys (property)', () => {
	const operations = fc.array(
		fc.record({ key: fc.integer({ min: 0, max: 12 }), remove: fc.boolean() }),
		{ maxLength: 80 },
	);

	it('after any writes and deletions: the last max keys written, oldest first, with their last values', async () => {
		await checkProperty(
			'bounded memory = newest keys',
			fc.property(fc.integer({ min: 1, max: 6 }), operations, (max, steps) => {
				const map = new BoundedMap<number, number>(max);
				const set = new BoundedSet<number>(max);
				let model: Array<[number, number]> = [];
				steps.forEach(({ key, remove }, index) => {
					model = model.filter(([known]) => known !== key);
					if (remove) {
						map.delete(key);
						set.delete(key);
					} else {
						map.set(key, index);
						set.add(key);
						model.push([key, index]);
						model = model.slice(-max);
					}
				});
				expect([...map]).toEqual(model);
				expect([...set]).toEqual(model.map(([key]) => key));
			}),
			300,
		);
	});
});
