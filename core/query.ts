import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { parseJsonExact } from './contracts/uint64.ts';

/** Values for a statement's `{name:Type}` placeholders: SQL takes values only this way, never spliced into the text. */
export type QueryParams = Record<string, unknown>;

/** Per-query knobs: an abort signal, and ClickHouse settings for queries that need their own limits. */
export interface QueryOptions {
  signal?: AbortSignal;
  settings?: ClickHouseSettings;
  /** Rows parsed between yields to the event loop, for large background reads that must not hold up requests for long. */
  yieldEvery?: number;
}

/** The one way to read typed rows: JSONEachRow over @clickhouse/client, values bound as query parameters. */
export async function queryRows<T>(client: ClickHouseClient, query: string, params: QueryParams = {}, options: QueryOptions = {}): Promise<T[]> {
  const result = await client.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    abort_signal: options.signal,
    clickhouse_settings: options.settings,
  });
  if (!options.yieldEvery) return result.json<T>();
  const lines = (await result.text()).split('\n');
  const rows: T[] = [];
  for (let i = 0; i < lines.length; i += options.yieldEvery) {
    for (const line of lines.slice(i, i + options.yieldEvery)) if (line) rows.push(parseJsonExact(line) as T);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return rows;
}

/** The first row of a query, or undefined when it returns none. */
export async function queryFirst<T>(client: ClickHouseClient, query: string, params: QueryParams = {}, options: QueryOptions = {}): Promise<T | undefined> {
  return (await queryRows<T>(client, query, params, options))[0];
}

/** Rows are written as JSONEachRow too, so one format serves both directions. */
export async function insertRows<T>(client: ClickHouseClient, table: string, values: readonly T[], settings?: ClickHouseSettings): Promise<void> {
  if (values.length) await client.insert({ table, values: values as T[], format: 'JSONEachRow', clickhouse_settings: settings });
}
