/**
 * Bodies for the download guard on a real Node stream, as download.guard*.test.ts deliver them:
 * some bytes (or all, ended) in the stream before the guard goes on, the rest pushed after.
 */
import { Readable } from 'node:stream';
import type { INode } from 'n8n-workflow';

import { VideoCheck } from '../../../../nodes/shared/domain/video';
import { guard, type SizeLimit } from '../../../../nodes/shared/download/download';
import { SAMPLE_MP4 } from '../../../emulator/server';

const node: INode = {
	id: 'guard',
	name: 'Seedance',
	type: 'seedance',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** A body whose first bytes arrived before the guard; `ended`: the whole body had. */
export function bodyWith(early: Buffer, ended: boolean): Readable {
	const stream = new Readable({ read() {} });
	// A refusal destroys the stream with its error: heard here even where no test reads it.
	stream.on('error', () => undefined);
	if (early.length > 0) stream.push(early);
	if (ended) stream.push(null);
	return stream;
}

/** All n8n would read of the stream, and the error that ended it. */
export async function readAll(stream: Readable): Promise<{ bytes: Buffer; error?: Error }> {
	const chunks: Buffer[] = [];
	try {
		for await (const chunk of stream) chunks.push(chunk as Buffer);
	} catch (error) {
		return { bytes: Buffer.concat(chunks), error: error as Error };
	}
	return { bytes: Buffer.concat(chunks) };
}

/** The guard put on the stream, with Max Video Size `bytes` and the size the video declared. */
export function guarded(
	stream: Readable,
	bytes = 10 * SAMPLE_MP4.length,
	announced: number | null = null,
) {
	const limit: SizeLimit = { bytes, mode: null };
	return guard(
		node,
		stream,
		new VideoCheck({ announcedLength: announced, maxBytes: bytes }),
		limit,
	);
}
