/**
 * The database behind n8n's deduplication helpers (`processed_data`), in memory: the same rules as
 * n8n's DeduplicationHelper in `entries` mode (an md5 digest per value, one JSON value per
 * workflow and node, read then written, the oldest dropped past `maxEntries`; the highest number in
 * `latestIncrementalKey` mode; a row inserted when none was found, under a unique key), with a pause
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

/** A row as n8n keeps it: digests in `entries` mode, the highest number in the latest modes. */
type Row = { mode: 'entries'; data: string[] } | { mode: 'latestIncrementalKey'; data: number };

class MemoryDeduplicator implements IDataDeduplicator {
	readonly rows = new Map<string, string[]>();
	/** Rows kept in `latestIncrementalKey` mode (the Seedance node's lock row among them). */
	readonly latest = new Map<string, number>();
	/** Reads and writes of the store, as a database would count them. */
	operations = 0;
	/** Time between a call's read and its write (a database round trip); 0 is one event-loop turn. */
	roundTripMs = 0;

	private rowOf(scope: DeduplicationScope, context: ICheckProcessedContextData): string {
		return `${String(context.workflow.id)}|${scope === 'node' ? `n:${context.node?.id}` : ''}`;
	}

	private find(row: string): Row | undefined {
		if (this.rows.has(row)) return { mode: 'entries', data: [...(this.rows.get(row) ?? [])] };
		if (this.latest.has(row))
			return { mode: 'latestIncrementalKey', data: this.latest.get(row) ?? 0 };
		return undefined;
	}

	/** n8n inserts a row it did not find: the table's unique key refuses a second one. */
	private insert(row: string, value: Row): void {
		if (this.rows.has(row) || this.latest.has(row))
			throw new Error('duplicate key value violates unique constraint "PK_processed_data"');
		this.write(row, value);
	}

	/** n8n updates a row it found; a row deleted meanwhile stays deleted (UPDATE … WHERE). */
	private update(row: string, value: Row): void {
		if (this.rows.has(row) || this.latest.has(row)) this.write(row, value);
	}

	private write(row: string, value: Row): void {
		if (value.mode === 'entries') this.rows.set(row, value.data);
		else this.latest.set(row, value.data);
	}

	async checkProcessedAndRecord(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		context: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		if (options.mode !== 'entries' && options.mode !== 'latestIncrementalKey')
			throw new Error('Only the entries and latestIncrementalKey modes are modelled');
		const row = this.rowOf(scope, context);
		this.operations++;
		// A round trip to read (the connection pool, the query), another to write.
		await pauseFor(this.roundTripMs);
		const found = this.find(row);
		await pauseFor(this.roundTripMs);
		if (found && found.mode !== options.mode)
			throw new Error(
				'Deduplication data was originally saved with an incompatible setting of the ‘Keep Items Where’ parameter. Try ’Clean Database’ operation to reset.',
			);
		if (options.mode === 'latestIncrementalKey') return this.latestMode(row, found, items);
		const stored = found?.mode === 'entries' ? found.data : [];
		const output: IDeduplicationOutput = { new: [], processed: [] };
		// As n8n: the set is the row as read, so an item twice in one call is new (and stored) twice.
		const present = new Set(stored);
		for (const item of items) {
			const hash = digest(item);
			if (present.has(hash)) output.processed.push(item);
			else {
				output.new.push(item);
				stored.push(hash);
			}
		}
		if (options.maxEntries) stored.splice(0, Math.max(0, stored.length - options.maxEntries));
		if (found) this.update(row, { mode: 'entries', data: stored });
		else this.insert(row, { mode: 'entries', data: stored });
		return output;
	}

	private latestMode(
		row: string,
		found: Row | undefined,
		items: DeduplicationItemTypes[],
	): IDeduplicationOutput {
		const numbers = items.map(Number);
		if (!found) {
			this.insert(row, { mode: 'latestIncrementalKey', data: Math.max(...numbers) });
			return { new: items, processed: [] };
		}
		const output: IDeduplicationOutput = { new: [], processed: [] };
		let largest = found.data as number;
		for (const [index, item] of items.entries()) {
			if (numbers[index] > (found.data as number)) {
				output.new.push(item);
				largest = Math.max(largest, numbers[index]);
			} else output.processed.push(item);
		}
		this.update(row, { mode: 'latestIncrementalKey', data: largest });
		return output;
	}

	async removeProcessed(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		context: ICheckProcessedContextData,
	): Promise<void> {
		const row = this.rowOf(scope, context);
		this.operations++;
		await pauseFor(this.roundTripMs);
		const found = this.find(row);
		await pauseFor(this.roundTripMs);
		if (found?.mode !== 'entries') return;
		// As n8n: one occurrence taken out per item given.
		for (const hash of items.map(digest)) {
			const at = found.data.indexOf(hash);
			if (at !== -1) found.data.splice(at, 1);
		}
		this.update(row, { mode: 'entries', data: found.data });
	}

	async clearAllProcessedItems(
		scope: DeduplicationScope,
		context: ICheckProcessedContextData,
	): Promise<void> {
		const row = this.rowOf(scope, context);
		this.operations++;
		await pauseFor(this.roundTripMs);
		this.rows.delete(row);
		this.latest.delete(row);
	}

	async getProcessedDataCount(
		scope: DeduplicationScope,
		context: ICheckProcessedContextData,
	): Promise<number> {
		return this.rows.get(this.rowOf(scope, context))?.length ?? 0;
	}

	/** A node's row of values (`entries` mode) in a workflow, as n8n keys it. */
	nodeRow(nodeId: string, workflowId = 'test-workflow'): string {
		return `${workflowId}|n:${nodeId}`;
	}

	/** Whether a node's row holds a value (the row keeps its md5 digest). */
	holds(nodeId: string, value: string): boolean {
		return (this.rows.get(this.nodeRow(nodeId)) ?? []).includes(digest(value));
	}

	/** Adds values to a node's row, as an earlier execution's writes would have. */
	remember(nodeId: string, values: string[]): void {
		const row = this.nodeRow(nodeId);
		this.rows.set(row, [...(this.rows.get(row) ?? []), ...values.map(digest)]);
	}

	/** Takes values out of a node's row, as a write another process lost would have. */
	drop(nodeId: string, values: string[]): void {
		const cut = new Set(values.map(digest));
		const row = this.nodeRow(nodeId);
		this.rows.set(
			row,
			(this.rows.get(row) ?? []).filter((entry) => !cut.has(entry)),
		);
	}

	/** Empties every row (between tests). */
	clear(): void {
		this.rows.clear();
		this.latest.clear();
	}
}

export const deduplicationStore = new MemoryDeduplicator();

void DataDeduplicationService.init(deduplicationStore);
