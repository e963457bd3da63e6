import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { RowLayout } from '../core/contracts/rows.ts';
import { classifyWriteError } from './write-errors.ts';

/**
 * A canonical ISO instant (what the contracts output: toISOString) as ClickHouse's basic DateTime64 text. The client's
 * default best_effort parsing, which the 'T' and 'Z' would need, cost a tenth of a bare telemetry insert.
 */
const basicInstant = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;

/**
 * Rows as positional arrays in the layout's column order (JSONCompactEachRow): ClickHouse parses them several times
 * faster than keyed objects (JSONEachRow), and the insert is where ingest spends most of its time. A column a row
 * leaves out is written as NULL.
 */
export function compactValues(layout: RowLayout, rows: readonly object[]): unknown[][] {
  const instant = layout.columns.map((column) => layout.instants.includes(column));
  return rows.map((row) =>
    layout.columns.map((column, i) => {
      const value = (row as Record<string, unknown>)[column] ?? null;
      return instant[i] && typeof value === 'string' ? basicInstant(value) : value;
    }),
  );
}

/** Inserts values made by compactValues for the same layout. */
export async function insertCompactValues(client: ClickHouseClient, table: string, layout: RowLayout, values: unknown[][]): Promise<void> {
  if (values.length === 0) return;
  await client.insert({
    table,
    values,
    columns: layout.columns as [string, ...string[]],
    format: 'JSONCompactEachRow',
    clickhouse_settings: { date_time_input_format: 'basic' },
  });
}

export const insertCompact = (client: ClickHouseClient, table: string, layout: RowLayout, rows: readonly object[]): Promise<void> =>
  insertCompactValues(client, table, layout, compactValues(layout, rows));

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
