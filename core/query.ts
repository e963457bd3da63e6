import type { ClickHouseClient } from '@clickhouse/client';

/** Values for a statement's `{name:Type}` placeholders: SQL takes values only this way, never spliced into the text. */
export type QueryParams = Record<string, unknown>;

/** The one way to read typed rows: JSONEachRow over @clickhouse/client, values bound as query parameters. */
export async function queryRows<T>(client: ClickHouseClient, query: string, params: QueryParams = {}, signal?: AbortSignal): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow', abort_signal: signal });
  return result.json<T>();
}

/** The first row of a query, or undefined when it returns none. */
export async function queryFirst<T>(client: ClickHouseClient, query: string, params: QueryParams = {}): Promise<T | undefined> {
  return (await queryRows<T>(client, query, params))[0];
}

/** Rows are written as JSONEachRow too, so one format serves both directions. */
export async function insertRows<T>(client: ClickHouseClient, table: string, values: readonly T[]): Promise<void> {
  if (values.length) await client.insert({ table, values: values as T[], format: 'JSONEachRow' });
}
