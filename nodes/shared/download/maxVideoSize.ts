import type { INode } from 'n8n-workflow';

import { maxVideoSizeField } from '../descriptions/fields';
import { checkNumber, checked } from '../domain/invalidParameter';

const MB = 1048576;

/** Max Video Size in bytes (0: automatic, what n8n's binary data mode holds); not added: 0. */
export function maxVideoBytesOf(value: unknown): number {
	const { minValue, maxValue } = maxVideoSizeField.typeOptions ?? {};
	const megabytes = checkNumber(
		maxVideoSizeField.displayName,
		value === undefined ? maxVideoSizeField.default : value,
		{ min: Number(minValue), max: Number(maxValue), integer: true },
	);
	return megabytes * MB;
}

/** Max Video Size as the node's error (both nodes offer it). */
export function readMaxVideoBytes(context: { getNode(): INode }, value: unknown): number {
	return checked(context.getNode(), 0, () => maxVideoBytesOf(value));
}
