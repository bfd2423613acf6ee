import { NodeOperationError, type INode } from 'n8n-workflow';

/**
 * A rule a parameter broke: which field, and what is allowed. Turned into a NodeOperationError by
 * the caller, before anything is sent.
 */
export class InvalidParameter extends Error {
	constructor(
		readonly field: string,
		message: string,
		readonly hint: string,
	) {
		super(message);
	}
}

/** A number within [min, max]; `integer` refuses fractions. */
export function checkNumber(
	field: string,
	value: unknown,
	range: { min: number; max: number; integer?: boolean },
): number {
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && value.trim() !== ''
				? Number(value)
				: NaN;
	const whole = range.integer ? Number.isInteger(number) : true;
	if (!Number.isFinite(number) || number < range.min || number > range.max || !whole) {
		const kind = range.integer ? 'a whole number' : 'a number';
		throw new InvalidParameter(
			field,
			`${field} must be ${kind} from ${range.min} to ${range.max}`,
			`Got "${String(value)}".`,
		);
	}
	return number;
}

/** The error a user sees for a broken rule: what is wrong and allowed, and that nothing was sent. */
export function parameterError(
	node: INode,
	error: InvalidParameter,
	itemIndex: number,
): NodeOperationError {
	return new NodeOperationError(node, `${error.message}. ${error.hint}`, {
		itemIndex,
		description: `Fix "${error.field}" and run again. Nothing was sent to the service.`,
	});
}

/** Runs a check; a broken rule becomes the node's error for that item. */
export function checked<T>(node: INode, itemIndex: number, check: () => T): T {
	try {
		return check();
	} catch (error) {
		throw error instanceof InvalidParameter ? parameterError(node, error, itemIndex) : error;
	}
}
