import { InvalidParameter } from '../../../../nodes/shared/domain/invalidParameter';
import {
	MAX_PROMPT_CHARACTERS,
	checkGeneration,
	codePointCount,
	estimateCredits,
	toRequestBody,
} from '../../../../nodes/Seedance/domain/generation';
import { checkProperty, fc } from '../../../property';

const good = {
	model: 'seedance-1-5-pro',
	prompt: 'a dancer',
	aspectRatio: '16:9',
	resolution: '720p',
	duration: '8',
	generateAudio: false,
	fixedLens: false,
};

describe('estimateCredits (seed pricing)', () => {
	it.each([
		['480p', '4', false, 8],
		['720p', '8', false, 28],
		['720p', '12', true, 84],
		['480p', '12', true, 48],
		['720p', '4', false, 14],
	])('%s %ss audio=%s costs %d credits', (resolution, duration, generateAudio, credits) => {
		expect(
			estimateCredits({ model: 'seedance-1-5-pro', resolution, duration, generateAudio }),
		).toBe(credits);
	});

	it('does not price other models', () => {
		expect(
			estimateCredits({
				model: 'kling-3',
				resolution: '720p',
				duration: '8',
				generateAudio: false,
			}),
		).toBeNull();
	});
});

describe('checkGeneration', () => {
	it.each([
		[{ prompt: '  ' }, 'Prompt'],
		[{ aspectRatio: '21:9' }, 'Aspect Ratio'],
		[{ resolution: '1080p' }, 'Resolution'],
		[{ duration: '5' }, 'Duration'],
		[{ generateAudio: 'yes' }, 'Generate Audio'],
		[{ model: '' }, 'Model'],
	])('rejects %p naming the field %s', (change, field) => {
		expect(() => checkGeneration({ ...good, ...change })).toThrow(InvalidParameter);
		try {
			checkGeneration({ ...good, ...change });
		} catch (error) {
			expect((error as InvalidParameter).field).toBe(field);
		}
	});

	it('lists the allowed values', () => {
		expect(() => checkGeneration({ ...good, resolution: '1080p' })).toThrow(
			expect.objectContaining({ hint: 'Use one of: 480p, 720p.' }),
		);
	});

	it('accepts a numeric duration from an expression', () => {
		expect(checkGeneration({ ...good, duration: 12 }).duration).toBe('12');
	});

	it('does not apply Seedance-only rules to other models on the endpoint', () => {
		expect(
			checkGeneration({ ...good, model: 'kling-3', duration: 10, resolution: '1080p' }),
		).toMatchObject({ model: 'kling-3', duration: '10', resolution: '1080p' });
	});

	it('sends every field explicitly, plus extras for other models', () => {
		const body = toRequestBody({
			...checkGeneration(good),
			image: 'https://x/y.png',
			callbackUrl: 'https://hook',
			extraFields: { mode: 'pro' },
		});
		expect(body).toEqual({
			model: 'seedance-1-5-pro',
			prompt: 'a dancer',
			aspect_ratio: '16:9',
			resolution: '720p',
			duration: '8',
			generateAudio: false,
			fixedLens: false,
			image: 'https://x/y.png',
			callback_url: 'https://hook',
			mode: 'pro',
		});
	});
});

describe('the prompt limit counts characters (code points), not UTF-16 units', () => {
	const prompt = (text: string) => () => checkGeneration({ ...good, prompt: text });

	it('takes 10,000 emoji (20,000 UTF-16 units) and refuses 10,001, naming the count', () => {
		expect(prompt('😀'.repeat(MAX_PROMPT_CHARACTERS))).not.toThrow();
		expect(prompt('😀'.repeat(MAX_PROMPT_CHARACTERS + 1))).toThrow(
			'Prompt is 10001 characters long; the most the node sends is 10000',
		);
		expect(prompt('a'.repeat(MAX_PROMPT_CHARACTERS + 1))).toThrow('Prompt is 10001 characters');
	});

	it('any prompt of N code points, astral ones among them: accepted iff N <= 10,000', async () => {
		const character = fc.oneof(
			fc.constantFrom('a', ' ', 'é', '中', '😀', '𝄞', '👩‍💻'.slice(0, 2), '\ud83d'),
			fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
			fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
		);
		await checkProperty(
			'prompt length in code points',
			fc.property(
				fc.integer({ min: MAX_PROMPT_CHARACTERS - 3, max: MAX_PROMPT_CHARACTERS + 3 }),
				fc.array(character, { minLength: 1, maxLength: 8 }),
				(count, pool) => {
					// About `count` code points; what they add up to is the language's own count (lone
					// surrogates from the pool may pair up).
					const points = Array.from({ length: count }, (_, index) => pool[index % pool.length]);
					const text = `x${points.slice(1).join('')}`;
					const expected = [...text].length;
					expect(codePointCount(text)).toBe(expected);
					if (expected <= MAX_PROMPT_CHARACTERS) expect(prompt(text)).not.toThrow();
					else expect(prompt(text)).toThrow(`Prompt is ${expected} characters long`);
				},
			),
			200,
		);
	});
});
