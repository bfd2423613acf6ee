import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { withCallbackToken } from '../../domain/callbackToken';
import type { Plan } from './generatePlan';

/**
 * The callback URL each item's task is created with, its own token added (a token opens only the
 * URL it was made for). Resume mode gives every task this execution's resume URL (Generate then
 * pauses, or a Seedance Wait in resume mode does).
 */
export function callbackUrls(
	context: IExecuteFunctions,
	plans: Map<number, Plan>,
	resumeUrl: string | undefined,
	tokenOf: (url: string) => string,
): (plan: Plan) => string | undefined {
	const signed = (url: string) => withCallbackToken(url, tokenOf(url));
	if (resumeUrl === undefined) {
		return (plan) => (plan.request.callbackUrl ? signed(plan.request.callbackUrl) : undefined);
	}
	const taken = [...plans.values()].find((plan) => plan.request.callbackUrl);
	if (taken) {
		throw new NodeOperationError(
			context.getNode(),
			'Callback URL must be empty when Wait Mode is "Resume on Callback"',
			{
				itemIndex: taken.itemIndex,
				description:
					'The node gives the service this execution\'s own resume URL. Nothing was sent. Clear Callback URL, or use Wait Mode "Poll".',
			},
		);
	}
	const url = signed(resumeUrl);
	return () => url;
}

/** This execution's resume URL, which Resume on Callback gives the service. */
export function resumeUrlOf(context: IExecuteFunctions): string {
	return String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0));
}
