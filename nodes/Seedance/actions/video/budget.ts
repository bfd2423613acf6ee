import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { SEEDANCE_MODEL } from '../../domain/generation';
import { checkNumber, checked } from '../../../shared/domain/invalidParameter';
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
		'The most this execution may spend, counting every Seedance node in it. Items are made in input order while their estimate fits; the rest are refused (nothing sent, no cost). 0 typed here means no limit; an expression that gives 0 is a limit of 0.',
};

/** The execution's budget or null (option absent or typed 0); any other unusable value fails. */
export function readMaxCredits(context: IExecuteFunctions, options: IDataObject): number | null {
	const typed = (context.getNode().parameters.options ?? {}) as IDataObject;
	if (!Object.prototype.hasOwnProperty.call(typed, maxCreditsField.name)) return null;
	// 0 is "no limit" only when typed: an expression giving 0 (a used-up budget) is a limit of 0.
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

/** What the budget lets through: the first creates that fit, in input order, and the rest. */
export interface BudgetSplit {
	fits: Plan[];
	refused: Array<{ plan: Plan; error: NodeOperationError }>;
}

function unpricedError(context: IExecuteFunctions, plan: Plan): NodeOperationError {
	const extras = Object.keys(plan.request.extraFields ?? {});
	const what =
		plan.request.model === SEEDANCE_MODEL && extras.length > 0
			? `a video with Extra Body Fields (${extras.join(', ')})`
			: `model "${plan.request.model}"`;
	return new NodeOperationError(
		context.getNode(),
		`The node cannot estimate the credits of ${what}`,
		{
			itemIndex: plan.itemIndex,
			description:
				'Max Credits per Execution is set, and the node knows the prices of Seedance 1.5 Pro without Extra Body Fields only. Nothing was sent for this item. To send it, remove the Extra Body Fields, or set Max Credits per Execution to 0 (no limit) and watch your balance in the API in One dashboard.',
		},
	);
}

function overBudgetError(
	context: IExecuteFunctions,
	plan: Plan,
	used: number,
	maxCredits: number,
): NodeOperationError {
	return new NodeOperationError(
		context.getNode(),
		`Over budget: the video of item ${plan.itemIndex + 1} (about ${plan.credits} credits) was not made; this execution already uses ${used} of its ${maxCredits} credits`,
		{
			itemIndex: plan.itemIndex,
			description:
				'Nothing was sent for this item and it cost nothing. Raise "Max Credits per Execution" (it counts every Seedance node of the execution), or make it in a later execution: with an Idempotency Key, the videos already made are picked up, not paid again.',
		},
	);
}

/** The budget door: in input order, the creates whose estimate fits with what the execution spent. */
export function splitByBudget(
	context: IExecuteFunctions,
	toCreate: Plan[],
	maxCredits: number | null,
	spent: number,
): BudgetSplit {
	if (maxCredits === null) return { fits: toCreate, refused: [] };
	const split: BudgetSplit = { fits: [], refused: [] };
	let used = spent;
	let full = false;
	for (const plan of [...toCreate].sort((a, b) => a.itemIndex - b.itemIndex)) {
		if (plan.credits === null) {
			split.refused.push({ plan, error: unpricedError(context, plan) });
			continue;
		}
		full = full || used + plan.credits > maxCredits;
		if (full) {
			split.refused.push({ plan, error: overBudgetError(context, plan, used, maxCredits) });
			continue;
		}
		used += plan.credits;
		split.fits.push(plan);
	}
	return split;
}
