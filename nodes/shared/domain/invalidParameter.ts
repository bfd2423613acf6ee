import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

/** A rule a parameter broke (field, what is allowed), raised before anything is sent. */
export class InvalidParameter extends Error {
	constructor(
		readonly field: string,
		message: string,
		readonly hint: string,
		/** The item that broke it, where a check over all items found it. */
		readonly itemIndex?: number,
	) {
		super(message);
	}
}

/** A value named with its type, so `null`, `""`, `"false"` and `false` read differently. */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'nothing (the expression gave no value)';
	if (value === null) return 'null';
	if (typeof value === 'string') {
		const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
		return value.trim() === '' ? 'an empty text' : `the text "${shown}"`;
	}
	if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
	if (Array.isArray(value)) return 'a list';
	return `a value of type ${typeof value}`;
}

/** The one reader of an output field's name: a text (a number reads as its text), not empty. */
export function checkFieldName(field: string, value: unknown): string {
	const hint =
		'Enter a name such as "data" for the downloaded video, or turn off "Download Video".';
	const name = typeof value === 'number' ? String(value) : value;
	if (typeof name !== 'string')
		throw new InvalidParameter(
			field,
			`${field} must be a text`,
			`Got ${describeValue(value)}. ${hint}`,
		);
	if (!name.trim()) throw new InvalidParameter(field, `Option "${field}" is empty`, hint);
	return name.trim();
}

/** A plain decimal number written as text ("12", "0.5"), as CSV files and forms give numbers. */
const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** Reads a number strictly (finite, or decimal text): a valueless expression never passes as 0. */
export function checkNumber(
	field: string,
	value: unknown,
	range: { min: number; max: number; integer?: boolean },
): number {
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && DECIMAL_TEXT.test(value.trim())
				? Number(value)
				: NaN;
	const whole = range.integer ? Number.isInteger(number) : true;
	if (!Number.isFinite(number) || number < range.min || number > range.max || !whole) {
		const kind = range.integer ? 'a whole number' : 'a number';
		throw new InvalidParameter(
			field,
			`${field} must be ${kind} from ${range.min} to ${range.max}`,
			`Got ${describeValue(value)}.`,
		);
	}
	return number;
}

/** Reads on/off strictly: booleans or "true"/"false" texts; 0, 1, "yes" and null are refused. */
export function checkBoolean(field: string, value: unknown): boolean {
	if (typeof value === 'boolean') return value;
	const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
	if (text === 'true' || text === 'false') return text === 'true';
	throw new InvalidParameter(
		field,
		`${field} must be true or false`,
		`Got ${describeValue(value)}.`,
	);
}

/** The one reader of choices: one of the allowed values (a number is read as its text, e.g. 8). */
export function checkOption<T extends string>(
	field: string,
	value: unknown,
	allowed: readonly T[],
): T {
	const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
	const found =
		typeof text === 'string' ? allowed.find((choice) => choice === text.trim()) : undefined;
	if (found === undefined) {
		throw new InvalidParameter(
			field,
			`${field} ${typeof value === 'string' ? `"${value.slice(0, 40)}"` : `(${describeValue(value)})`} is not allowed`,
			`Use one of: ${allowed.join(', ')}.`,
		);
	}
	return found;
}

export function parameterError(
	node: INode,
	error: InvalidParameter,
	itemIndex: number,
): NodeOperationError {
	return new NodeOperationError(node, `${error.message}. ${error.hint}`, {
		itemIndex: error.itemIndex ?? itemIndex,
		description: `Fix "${error.field}" and run again. Nothing was sent to the service.`,
	});
}

export function checked<T>(node: INode, itemIndex: number, check: () => T): T {
	try {
		return check();
	} catch (error) {
		throw error instanceof InvalidParameter ? parameterError(node, error, itemIndex) : error;
	}
}

/** Batch-wide settings are read per item: differing values are refused, not taken from item 1. */
export function sameForEveryItem(
	itemCount: number,
	read: (itemIndex: number) => IDataObject,
	fields: ReadonlyArray<{ name: string; displayName: string }>,
): IDataObject {
	const first = read(0);
	for (let itemIndex = 1; itemIndex < itemCount; itemIndex++) {
		const values = read(itemIndex);
		for (const { name, displayName } of fields) {
			if (JSON.stringify(values[name]) === JSON.stringify(first[name])) continue;
			throw new InvalidParameter(
				displayName,
				`${displayName} differs between items: item 1 gives ${describeValue(first[name])}, item ${itemIndex + 1} ${describeValue(values[name])}`,
				'It applies to all items together: give every item the same value, or split the items with a Loop Over Items node.',
				itemIndex,
			);
		}
	}
	return first;
}
