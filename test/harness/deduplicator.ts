/**
 * The database behind n8n's deduplication helpers (`processed_data`), in memory: the same rules as
 * n8n's DeduplicationHelper in `entries` mode (an md5 digest per value, one JSON value per
 * workflow and node, read then written, the oldest dropped past `maxEntries`), with a pause
 * between the read and the write as a database has, so overlapping writes can lose each other.
 */
import { createHash } from 'node:crypto';
import { DataDeduplicationService } from 'n8n-core';
import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';

const digest = (value: DeduplicationItemTypes) =>
	createHash('md5').update(value.toString()).digest('base64');

const pauseFor = async (ms: number) =>
	await new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

class MemoryDeduplicator implements IDataDeduplicator {
	readonly rows = new Map<string, string[]>();
	/** Reads and writes of the store, as a database would count them. */
	operations = 0;
	/** Time between a call's read and its write (a database round trip); 0 is one event-loop turn. */
	roundTripMs = 0;

	private rowOf(scope: DeduplicationScope, context: ICheckProcessedContextData): string {
		return `${String(context.workflow.id)}|${scope === 'node' ? `n:${context.node?.id}` : ''}`;
	}

	async checkProcessedAndRecord(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		context: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		if (options.mode !== 'entries') throw new Error('Only entries mode is modelled');
		const row = this.rowOf(scope, context);
		this.operations++;
		const stored = [...(this.rows.get(row) ?? [])];
		await pauseFor(this.roundTripMs);
		const output: IDeduplicationOutput = { new: [], processed: [] };
		const present = new Set(stored);
		for (const item of items) {
			const hash = digest(item);
			if (present.has(hash)) output.processed.push(item);
			else {
				output.new.push(item);
				stored.push(hash);
				present.add(hash);
			}
		}
		if (options.maxEntries) stored.splice(0, Math.max(0, stored.length - options.maxEntries));
		this.rows.set(row, stored);
		return output;
	}

	async removeProcessed(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		context: ICheckProcessedContextData,
	): Promise<void> {
		const row = this.rowOf(scope, context);
		this.operations++;
		const stored = [...(this.rows.get(row) ?? [])];
		await pauseFor(this.roundTripMs);
		const gone = new Set(items.map(digest));
		this.rows.set(
			row,
			stored.filter((hash) => !gone.has(hash)),
		);
	}

	async clearAllProcessedItems(
		scope: DeduplicationScope,
		context: ICheckProcessedContextData,
	): Promise<void> {
		this.rows.delete(this.rowOf(scope, context));
	}

	async getProcessedDataCount(
		scope: DeduplicationScope,
		context: ICheckProcessedContextData,
	): Promise<number> {
		return this.rows.get(this.rowOf(scope, context))?.length ?? 0;
	}
}

export const deduplicationStore = new MemoryDeduplicator();

void DataDeduplicationService.init(deduplicationStore);
