import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { SEEDANCE_MODEL } from '../../domain/generation';
import { checkNumber, checked } from '../../domain/invalidParameter';
import type { Plan } from './generatePlan';

/** The budget of an execution; its highest value is far above any batch, and catches a typo such as 1e18. */
export const maxCreditsField: INodeProperties = {
	displayName: 'Max Credits per Execution',
	name: 'maxCredits',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 10_000_000 },
	default: 0,
	hint: 'A 720p 8-second video without audio costs about 28 credits (about $0.28)',
	description:
		'Refuse to start if the estimated credits of all items together exceed this. 0 typed here means no limit; an expression that gives 0 is a limit of 0.',
};

/**
 * The one budget of an execution, or null for none. No limit only when the option is not added,
 * or is typed as 0; once added, anything but a number from 0 up (null, "", text, an expression
 * that gives nothing) fails the node before anything is sent.
 */
export function readMaxCredits(context: IExecuteFunctions, options: IDataObject): number | null {
	const typed = (context.getNode().parameters.options ?? {}) as IDataObject;
	if (!Object.prototype.hasOwnProperty.call(typed, maxCreditsField.name)) return null;
	// 0 is "no limit" only when typed in the field: an expression giving 0 (a remaining budget
	// used up) is a limit of 0.
	const raw = typed[maxCreditsField.name];
	const fromExpression = typeof raw === 'string' && raw.startsWith('=');
	const limit = checked(context.getNode(), 0, () =>
		checkNumber(maxCreditsField.displayName, options[maxCreditsField.name], {
			min: Number(maxCreditsField.typeOptions?.minValue),
			max: Number(maxCreditsField.typeOptions?.maxValue),
		}),
	);
	return limit === 0 && !fromExpression ? null : limit;
}

/**
 * The budget door every create passes: the batch is refused, before anything is sent, when its
 * estimate and what this node already spent in this execution (earlier loop passes and tries)
 * exceed Max Credits.
 */
export function checkBudget(
	context: IExecuteFunctions,
	toCreate: Plan[],
	maxCredits: number | null,
	spent: number,
): void {
	if (maxCredits === null || toCreate.length === 0) return;
	const unpriced = toCreate.find((plan) => plan.credits === null);
	if (unpriced) {
		const extras = Object.keys(unpriced.request.extraFields ?? {});
		const what =
			unpriced.request.model === SEEDANCE_MODEL && extras.length > 0
				? `a video with Extra Body Fields (${extras.join(', ')})`
				: `model "${unpriced.request.model}"`;
		throw new NodeOperationError(
			context.getNode(),
			`The node cannot estimate the credits of ${what}`,
			{
				itemIndex: unpriced.itemIndex,
				description:
					'Max Credits per Execution is set, and the node knows the prices of Seedance 1.5 Pro without Extra Body Fields only. Nothing was sent. To send it, remove the Extra Body Fields, or set Max Credits per Execution to 0 (no limit) and watch your balance in the API in One dashboard.',
			},
		);
	}
	const estimated = toCreate.reduce((sum, plan) => sum + (plan.credits ?? 0), 0);
	if (spent + estimated <= maxCredits) return;
	const already =
		spent > 0
			? `; with the ${spent} credits this node already used in this execution, that is`
			: ',';
	throw new NodeOperationError(
		context.getNode(),
		`These ${toCreate.length} videos would cost about ${estimated} credits${already} more than the limit of ${maxCredits}`,
		{
			description:
				'Nothing was sent. Raise "Max Credits per Execution", or send fewer items, shorter or lower-resolution videos, or no audio.',
		},
	);
}
