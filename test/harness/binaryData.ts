/**
 * Puts n8n-core's BinaryDataService (the one `prepareBinaryData` stores into) in one of n8n's
 * binary data modes for the tests of this process. `default` keeps files inline as base64, as
 * n8n's in-memory mode does; `filesystem` is n8n-core's own filesystem manager in a temporary
 * folder. The `database` and `s3` managers live in n8n's CLI package and need a database or a
 * bucket: here n8n-core's filesystem manager stands in under their names, so what the node sees
 * (ids prefixed `database:` / `s3:`) is what those modes give it.
 */
import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type BinaryMode = 'default' | 'filesystem' | 'database' | 's3';

interface ServiceInternals {
	mode: string;
	managers: Record<string, unknown>;
}

let folder: string | undefined;

export async function useBinaryDataMode(mode: BinaryMode): Promise<void> {
	const service = Container.get(BinaryDataService);
	const internals = service as unknown as ServiceInternals;
	internals.managers = {};
	internals.mode = 'default';
	if (mode === 'default') return;
	folder ??= mkdtempSync(path.join(tmpdir(), 'seedance-binary-'));
	const config = Container.get(BinaryDataConfig);
	config.localStoragePath = folder;
	config.mode = 'filesystem';
	await service.init();
	if (mode !== 'filesystem') {
		internals.managers[mode] = internals.managers.filesystem;
		internals.mode = mode;
	}
}

/** Back to the in-memory mode, and the temporary folder removed. */
export async function resetBinaryDataMode(): Promise<void> {
	await useBinaryDataMode('default');
	if (folder) rmSync(folder, { recursive: true, force: true });
	folder = undefined;
}
