/**
 * The daily pipeline's day, in n8n-core's engine: 30 rows (2 of them fail at the service), each
 * with its Idempotency Key, On Error "Continue (using error output)", run twice as a re-run would.
 */
import { Emulator } from '../../test/emulator/server';
import { itemsNode, runWorkflow } from '../../test/harness/n8n';
import { promptedGenerate } from '../../test/harness/webhook';
import { rows, say, seconds } from './table';

const ROWS = 30;
const FAILING = new Set([7, 19]);

export async function pipelineFigures(): Promise<void> {
	const emulator = await new Emulator({ latencyMs: 3000 }).start();
	try {
		const node = promptedGenerate(
			{
				pollInterval: 0.25,
				downloadVideo: true,
				idempotencyKey: '={{ $json.day }} {{ $json.prompt }}',
			},
			{ waitForCompletion: true },
		);
		node.onError = 'continueErrorOutput';
		const items = Array.from({ length: ROWS }, (_, index) => ({
			json: { day: '2026-12-06', prompt: `Row ${index}${FAILING.has(index) ? ' [fail]' : ''}` },
		}));
		const runOnce = async () => {
			const creates = emulator.count('create');
			const started = Date.now();
			const result = await runWorkflow([itemsNode(items), node], {
				credentials: { seedanceApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } },
			});
			const [made, failed] = result.outputs('Seedance');
			return {
				ms: Date.now() - started,
				creates: emulator.count('create') - creates,
				saved: made.filter((item) => item.binary?.data).length,
				failed: failed?.length ?? 0,
			};
		};
		say(`Pipeline: ${ROWS} rows (${FAILING.size} fail at the service), run twice`);
		const first = await runOnce();
		const second = await runOnce();
		rows.push(
			{
				figure: `pipeline, ${ROWS} rows with ${FAILING.size} failing: creates, first run / re-run`,
				value: `${first.creates} / ${second.creates}`,
				target: `re-run 0`,
				met: second.creates === 0,
			},
			{
				figure: 'videos saved (error branch), first run / re-run',
				value: `${first.saved} (${first.failed}) / ${second.saved} (${second.failed})`,
				target: `${ROWS - FAILING.size} each run`,
				met: first.saved === ROWS - FAILING.size && second.saved === ROWS - FAILING.size,
			},
			{
				figure: 'wall time, first run / re-run (job latency 3 s)',
				value: `${seconds(first.ms)} / ${seconds(second.ms)} (${(second.ms / first.ms).toFixed(2)}x)`,
				target: '',
				met: null,
			},
		);
	} finally {
		await emulator.stop();
	}
}
