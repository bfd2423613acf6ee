import { InvalidParameter } from '../../../../nodes/Seedance/domain/invalidParameter';
import {
	checkGeneration,
	estimateCredits,
	toRequestBody,
} from '../../../../nodes/Seedance/domain/generation';

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
