import { jsonParse, type IDataObject } from 'n8n-workflow';

import { isObject } from '../../shared/domain/envelope';
import {
	InvalidParameter,
	checkBoolean,
	checkOption,
	describeValue,
} from '../../shared/domain/invalidParameter';

/** The Seedance 1.5 Pro model id; other models share the endpoint. */
export const SEEDANCE_MODEL = 'seedance-1-5-pro';

export const ASPECT_RATIOS = ['16:9', '9:16', '4:3', '3:4', '1:1'] as const;
export const RESOLUTIONS = ['480p', '720p'] as const;
export const DURATIONS = ['4', '8', '12'] as const;

/** Longest prompt: far above any real one, it stops a whole document being sent and charged. */
export const MAX_PROMPT_CHARACTERS = 10_000;

/** Characters as the service counts them: code points (an emoji is one, a lone surrogate too). */
export function codePointCount(text: string): number {
	let count = 0;
	for (let at = 0; at < text.length; at++, count++) {
		const unit = text.charCodeAt(at);
		const next = text.charCodeAt(at + 1);
		if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) at++;
	}
	return count;
}

export interface GenerationRequest {
	model: string;
	prompt: string;
	image?: string;
	aspectRatio: string;
	resolution: string;
	duration: string;
	generateAudio: boolean;
	fixedLens: boolean;
	callbackUrl?: string;
	extraFields?: IDataObject;
}

/** Accepts absolute http(s) URLs only; returns the URL as given. */
export function checkHttpUrl(field: string, value: unknown): string {
	const text = typeof value === 'string' ? value.trim() : '';
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
		throw new InvalidParameter(
			field,
			`${field} "${text}" is not a valid web address`,
			'Enter a full URL starting with https:// (or http://).',
		);
	}
	return text;
}

/** Checks one item against the service's rules; Seedance-only rules spare other models' ids. */
export function checkGeneration(input: {
	model: unknown;
	prompt: unknown;
	aspectRatio: unknown;
	resolution: unknown;
	duration: unknown;
	generateAudio: unknown;
	fixedLens: unknown;
}): Omit<GenerationRequest, 'image' | 'callbackUrl' | 'extraFields'> {
	const model = typeof input.model === 'string' ? input.model.trim() : '';
	if (!model)
		throw new InvalidParameter(
			'Model',
			'Model is empty',
			`Use ${SEEDANCE_MODEL} or another model ID of the service.`,
		);
	if (typeof input.prompt !== 'string') {
		throw new InvalidParameter(
			'Prompt',
			'Prompt must be text',
			`Got ${describeValue(input.prompt)}. Describe the video to generate, e.g. "A dancer spinning in the rain".`,
		);
	}
	if (input.prompt.trim() === '') {
		throw new InvalidParameter(
			'Prompt',
			'Prompt is empty',
			'Describe the video to generate, e.g. "A dancer spinning in the rain".',
		);
	}
	// Fewer UTF-16 units than the limit is fewer characters too: only a long text is counted.
	const characters = input.prompt.length > MAX_PROMPT_CHARACTERS ? codePointCount(input.prompt) : 0;
	if (characters > MAX_PROMPT_CHARACTERS) {
		throw new InvalidParameter(
			'Prompt',
			`Prompt is ${characters} characters long; the most the node sends is ${MAX_PROMPT_CHARACTERS}`,
			'Shorten the prompt (a good one is a few sentences).',
		);
	}
	// Model IDs are matched case-insensitively: "Seedance-1-5-Pro" is Seedance, checked and priced.
	const isSeedance = model.toLowerCase() === SEEDANCE_MODEL;
	const pick = (field: string, value: unknown, allowed: readonly string[]) =>
		isSeedance ? checkOption(field, value, allowed) : String(value ?? '').trim();
	return {
		model: isSeedance ? SEEDANCE_MODEL : model,
		prompt: input.prompt,
		aspectRatio: pick('Aspect Ratio', input.aspectRatio, ASPECT_RATIOS),
		resolution: pick('Resolution', input.resolution, RESOLUTIONS),
		duration: pick('Duration', input.duration, DURATIONS),
		generateAudio: checkBoolean('Generate Audio', input.generateAudio),
		fixedLens: checkBoolean('Fixed Lens', input.fixedLens),
	};
}

/** The create request's JSON body, every field explicit: the service's defaults changed over time. */
export function toRequestBody(request: GenerationRequest): IDataObject {
	const body: IDataObject = {
		model: request.model,
		prompt: request.prompt,
		aspect_ratio: request.aspectRatio,
		resolution: request.resolution,
		duration: request.duration,
		generateAudio: request.generateAudio,
		fixedLens: request.fixedLens,
	};
	if (request.image) body.image = request.image;
	if (request.callbackUrl) body.callback_url = request.callbackUrl;
	return { ...body, ...(request.extraFields ?? {}) };
}

/** Seedance 1.5 Pro credits: 2/s at 480p, 3.5/s at 720p, doubled with audio; null if not priced. */
export function estimateCredits(
	request: Pick<
		GenerationRequest,
		'model' | 'resolution' | 'duration' | 'generateAudio' | 'extraFields'
	>,
): number | null {
	if (request.model !== SEEDANCE_MODEL) return null;
	// Fields the node does not know (a count of videos, another model's `sound`) may cost more.
	if (Object.keys(request.extraFields ?? {}).length > 0) return null;
	const perSecond = request.resolution === '480p' ? 2 : 3.5;
	return perSecond * Number(request.duration) * (request.generateAudio ? 2 : 1);
}

/** Fields of the request body the node sets itself; Extra Body Fields may not replace them. */
const OWNED_FIELDS = [
	'model',
	'prompt',
	'image',
	'aspect_ratio',
	'resolution',
	'duration',
	'generateAudio',
	'fixedLens',
	'callback_url',
];

/**
 * One key however written (case, `-`/`_`, NFKC, folded); null if letters outside ASCII remain:
 * look-alikes (Cyrillic `а` in `durаtion`) would slip past the owned-field check.
 */
function keyOf(name: string): string | null {
	const folded = name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
	if ([...folded].some((char) => char.charCodeAt(0) > 0x7f)) return null;
	return folded.replace(/[^a-z0-9]/g, '');
}
const OWNED_KEYS = new Map(OWNED_FIELDS.map((name) => [keyOf(name), name]));

const EXTRA_FIELD = 'Extra Body Fields (JSON)';
const EXTRA_HINT = 'Enter a JSON object such as {"mode": "pro"}.';

/** Extra Body Fields; owned ones are refused (they would skip the checks, estimate or callback). */
export function parseExtraFields(value: unknown): IDataObject {
	if (value === undefined || value === '') return {};
	const notJson = Symbol('not JSON');
	const parsed: unknown =
		typeof value === 'string' ? jsonParse<unknown>(value, { fallbackValue: notJson }) : value;
	if (parsed === notJson) {
		throw new InvalidParameter(EXTRA_FIELD, 'Extra Body Fields is not valid JSON', EXTRA_HINT);
	}
	if (!isObject(parsed)) {
		throw new InvalidParameter(EXTRA_FIELD, 'Extra Body Fields must be a JSON object', EXTRA_HINT);
	}
	for (const key of Object.keys(parsed)) {
		const normalised = keyOf(key);
		if (normalised === null) {
			throw new InvalidParameter(
				EXTRA_FIELD,
				`Extra Body Fields may not use the name "${key}"`,
				'Field names of the service are plain ASCII (letters, digits, "_" and "-"): retype the name.',
			);
		}
		const owned = OWNED_KEYS.get(normalised);
		if (owned) {
			throw new InvalidParameter(
				EXTRA_FIELD,
				`Extra Body Fields may not set "${key}"`,
				`The node sets "${owned}" from its own fields: use those instead.`,
			);
		}
	}
	return parsed;
}
