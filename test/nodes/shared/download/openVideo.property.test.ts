/**
 * The key never follows a redirect of a video link: generated redirect chains (to the API's
 * origin, the CDN's, relative, with passing faults and broken-off bodies between the hops), thrown
 * at a Wait node in n8n-core's engine against the emulator, which records every request's headers.
 * Only the link itself may carry the key, and only when it is on the Base URL's origin; once any
 * hop has redirected, no request of the download carries it, wherever it goes.
 */
import type { Fault } from '../../../emulator/server';
import { generatedTaskId, itemsNode, runWorkflow, seedanceNode } from '../../../harness/n8n';
import { useEmulator } from '../../../helpers';
import { checkProperty, fc } from '../../../property';

const { emulator, credentials } = useEmulator({ latencyMs: 0 });

type Step = { redirect: 'api' | 'cdn' | 'relative'; code: number } | { fault: 'cut' | '503' };

const step: fc.Arbitrary<Step> = fc.oneof(
	{
		weight: 4,
		arbitrary: fc.record({
			redirect: fc.constantFrom('api' as const, 'cdn' as const, 'relative' as const),
			code: fc.constantFrom(301, 302, 303, 307, 308),
		}),
	},
	{ weight: 1, arbitrary: fc.record({ fault: fc.constantFrom('cut' as const, '503' as const) }) },
);

function faultOf(item: Step, index: number, taskId: string): Fault {
	if ('fault' in item)
		return item.fault === 'cut' ? { kind: 'cut' } : { kind: 'status', code: 503 };
	const file = `/files/${taskId}.mp4?expires=later&h=${index}`;
	const location = {
		api: `${emulator.url}${file}`,
		cdn: `${emulator.cdnUrl}${file}`,
		relative: `?expires=later&h=${index}`,
	}[item.redirect];
	return { kind: 'redirect', location, code: item.code };
}

let taskId = '';
beforeEach(async () => {
	taskId = await generatedTaskId(credentials());
});

it('no request after a redirect carries the key, wherever the chain leads; the link itself only on the API origin', async () => {
	await checkProperty(
		'download redirect chains',
		fc.asyncProperty(
			fc.array(step, { minLength: 1, maxLength: 6 }),
			fc.boolean(),
			async (chain, filesOnApiOrigin) => {
				emulator.requests.length = 0;
				emulator.faults.download.length = 0;
				emulator.options.filesOnApiOrigin = filesOnApiOrigin;
				emulator.inject('download', ...chain.map((item, index) => faultOf(item, index, taskId)));
				const node = seedanceNode({
					resource: 'video',
					operation: 'wait',
					taskId,
					options: { pollInterval: 0.1, maxWaitTime: 20, requestTimeout: 5 },
				});
				await runWorkflow([itemsNode([{ json: {} }]), node], { credentials: credentials() });
				const downloads = emulator.requests.filter((request) => request.route === 'download');
				expect(downloads.length).toBeGreaterThanOrEqual(1);
				expect(downloads[0].sawAuthorizationHeader).toBe(filesOnApiOrigin);
				const firstHop = downloads.findIndex((request) => request.fault?.kind === 'redirect');
				if (firstHop >= 0)
					for (const request of downloads.slice(firstHop + 1))
						expect([request.origin, request.path, request.sawAuthorizationHeader]).toEqual([
							request.origin,
							request.path,
							false,
						]);
				for (const request of downloads)
					if (request.origin === 'cdn') expect(request.sawAuthorizationHeader).toBe(false);
			},
		),
		30,
		{ timeLimitMs: 90_000 },
	);
}, 120_000);
