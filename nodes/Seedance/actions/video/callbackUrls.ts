import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import {
	CALLBACK_TOKEN_PARAMETER,
	isUrlOfInstance,
	webhookBaseOf,
	withCallbackToken,
} from '../../../shared/domain/callbackToken';
import type { Plan } from './generatePlan';

/** Each item's callback URL; only this n8n's URLs get their token (a token opens only its own URL). */
export function callbackUrls(
	context: IExecuteFunctions,
	plans: Map<number, Plan>,
	resumeUrl: string | undefined,
	tokenOf: (url: string) => string,
): (plan: Plan) => string | undefined {
	const signed = (url: string) => withCallbackToken(url, tokenOf(url));
	if (resumeUrl === undefined) {
		let base: string | undefined;
		// A token binds only the path: another host given one could open this n8n's webhook there.
		const signedIfOurs = (url: string) => {
			base ??= webhookBaseOf(resumeUrlOf(context)) ?? '';
			return isUrlOfInstance(url, base) ? signed(url) : withoutToken(url);
		};
		return (plan) =>
			plan.request.callbackUrl ? signedIfOurs(plan.request.callbackUrl) : undefined;
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

function withoutToken(url: string): string {
	const parsed = new URL(url);
	if (!parsed.searchParams.has(CALLBACK_TOKEN_PARAMETER)) return url;
	parsed.searchParams.delete(CALLBACK_TOKEN_PARAMETER);
	return parsed.toString();
}
