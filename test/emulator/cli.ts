/**
 * Runs the API in One emulator alone: `npm run emulator` (port from EMULATOR_PORT, default 4010).
 * Point a Seedance credential at the printed Base URL with the printed key.
 */
import { Emulator } from './server';
import type { ShapeName } from './shapes';

async function main(): Promise<void> {
	const emulator = new Emulator({
		apiKey: process.env.EMULATOR_API_KEY,
		latencyMs: Number(process.env.EMULATOR_LATENCY_MS ?? 5000),
		shape: (process.env.EMULATOR_SHAPE as ShapeName | undefined) ?? 'default',
	});
	await emulator.start(
		Number(process.env.EMULATOR_PORT ?? 4010),
		process.env.EMULATOR_HOST ?? '127.0.0.1',
	);
	console.log(
		JSON.stringify({ baseUrl: emulator.url, apiKey: emulator.apiKey, cdnUrl: emulator.cdnUrl }),
	);
	const stop = () => void emulator.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
