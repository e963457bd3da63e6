import type { ClickHouseClient } from '../core/clickhouse.ts';
import { classifyWriteError } from './write-errors.ts';

/**
 * Rows go as positional arrays (JSONCompactEachRow): ClickHouse parses them several times faster than keyed objects
 * (JSONEachRow), and the insert is where ingest spends most of its time. A column a row leaves out is written as NULL.
 */
export async function insertCompact(client: ClickHouseClient, table: string, columns: readonly string[], rows: object[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column] ?? null));
  await client.insert({ table, values, columns: columns as [string, ...string[]], format: 'JSONCompactEachRow' });
}

/** A row to write and whatever identifies it to the caller (its Kafka message), so an unwritable row can be dead-lettered. */
export interface Item<Row, Ref> {
  row: Row;
  ref: Ref;
}

export interface BatchWriterOptions<Row> {
  insert(rows: Row[]): Promise<void>;
  /** The partition a row lands in (e.g. its month), or undefined for an unpartitioned table. */
  partitionOf?: (row: Row) => string;
  /** ClickHouse's max_partitions_per_insert_block: no insert spans more partitions. */
  maxPartitionsPerInsert: number;
}

/**
 * Writes a batch so that no row can block the rest: the batch is first cut into inserts of at most
 * `maxPartitionsPerInsert` partitions; an insert ClickHouse rejects for its data is split (by partition, then in
 * halves) until the offending rows stand alone, and those come back with ClickHouse's reason while every other row is
 * written. A transient failure is thrown for the caller to retry; rewriting rows already written is harmless because
 * the tables deduplicate on their sort keys.
 */
export async function writeBatch<Row, Ref>(items: Item<Row, Ref>[], options: BatchWriterOptions<Row>): Promise<Array<Item<Row, Ref> & { reason: string }>> {
  const unwritable: Array<Item<Row, Ref> & { reason: string }> = [];
  for (const chunk of cutByPartitions(items, options)) await writeOrSplit(chunk, options, unwritable);
  return unwritable;
}

function groupByPartition<Row, Ref>(items: Item<Row, Ref>[], partitionOf: (row: Row) => string): Item<Row, Ref>[][] {
  const groups = new Map<string, Item<Row, Ref>[]>();
  for (const item of items) {
    const key = partitionOf(item.row);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/** Consecutive partition groups, at most `maxPartitionsPerInsert` per chunk. */
export function cutByPartitions<Row, Ref>(items: Item<Row, Ref>[], options: Pick<BatchWriterOptions<Row>, 'partitionOf' | 'maxPartitionsPerInsert'>) {
  if (!options.partitionOf || items.length === 0) return items.length ? [items] : [];
  const groups = groupByPartition(items, options.partitionOf);
  const chunks: Item<Row, Ref>[][] = [];
  for (let i = 0; i < groups.length; i += options.maxPartitionsPerInsert) chunks.push(groups.slice(i, i + options.maxPartitionsPerInsert).flat());
  return chunks;
}

async function writeOrSplit<Row, Ref>(items: Item<Row, Ref>[], options: BatchWriterOptions<Row>, unwritable: Array<Item<Row, Ref> & { reason: string }>) {
  try {
    await options.insert(items.map((i) => i.row));
    return;
  } catch (error) {
    const failure = classifyWriteError(error);
    if (failure.kind === 'transient') throw error;
    if (items.length === 1) {
      unwritable.push({ ...items[0]!, reason: failure.reason });
      return;
    }
    const groups = options.partitionOf ? groupByPartition(items, options.partitionOf) : [items];
    const parts = groups.length > 1 ? halvesOf(groups).map((g) => g.flat()) : halvesOf(items);
    for (const part of parts) await writeOrSplit(part, options, unwritable);
  }
}

const halvesOf = <T>(list: T[]): T[][] => [list.slice(0, Math.ceil(list.length / 2)), list.slice(Math.ceil(list.length / 2))];
