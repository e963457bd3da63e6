import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ClickHouseClient, type ClickHouseClientConfigOptions, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { Config } from './config.ts';
import { parseJsonExact } from './contracts/uint64.ts';
import { WearwatchError } from './errors.ts';

export type { ClickHouseClient };

export interface ClickHouse {
  client: ClickHouseClient;
  mode: 'embedded' | 'server';
  /** Where the data lives: the chDB folder, or the server URL without credentials. */
  location: string;
  /** The cluster the schema is spread over (server mode with CLICKHOUSE_CLUSTER), for migrations. */
  cluster?: string;
  close(): Promise<void>;
}

type ClickHouseConfig = Pick<Config, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE' | 'WEARWATCH_DATA'> &
  Partial<Pick<Config, 'CLICKHOUSE_CLUSTER'>>;

const settings = {
  // Timestamps travel as 'YYYY-MM-DD hh:mm:ss.sss' or ISO strings; accept both on insert.
  date_time_input_format: 'best_effort',
  // 64-bit integers come as JSON numbers; parseJsonExact (json below) keeps those beyond 2^53 exact as decimal strings.
  output_format_json_quote_64bit_integers: 0,
} as const;

const json = { parse: <T>(text: string) => parseJsonExact(text) as T, stringify: JSON.stringify };

/**
 * The one ClickHouse factory. Embedded chDB and a server are the same @clickhouse/client, so every query, insert and
 * migration has one code path; only the connection differs. The database is created on first use in both modes.
 */
export async function openClickHouse(config: ClickHouseConfig): Promise<ClickHouse> {
  const database = config.CLICKHOUSE_DATABASE;
  if (!config.CLICKHOUSE_URL) {
    const path = join(config.WEARWATCH_DATA, 'clickhouse');
    mkdirSync(path, { recursive: true });
    // chdb types its connection against @clickhouse/client-common, which @clickhouse/client now bundles as its own
    // copy; the two declarations are the same interface, so the cast only bridges the duplicate type identity.
    const connection = createChdbConnection({ path }) as unknown as ClickHouseClientConfigOptions['connection'];
    const client = createClient({ connection, clickhouse_settings: settings, json });
    await guard(path, async () => {
      await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
      // chDB is one in-process session and ignores the client's `database` option; USE makes it the session default.
      await client.command({ query: `USE ${database}` });
    });
    return { client, mode: 'embedded', location: path, close: () => client.close() };
  }
  const url = new URL(config.CLICKHOUSE_URL);
  const location = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  const base = { url: config.CLICKHOUSE_URL, username: config.CLICKHOUSE_USER, password: config.CLICKHOUSE_PASSWORD };
  const bootstrap = createClient(base);
  try {
    // Both names are validated identifiers (config.ts): DDL takes no query parameters for them.
    const onCluster = config.CLICKHOUSE_CLUSTER ? ` ON CLUSTER '${config.CLICKHOUSE_CLUSTER}'` : '';
    await guard(location, () => bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}${onCluster}` }));
  } finally {
    await bootstrap.close();
  }
  const client = createClient({ ...base, database, clickhouse_settings: settings, json });
  return { client, mode: 'server', location, cluster: config.CLICKHOUSE_CLUSTER, close: () => client.close() };
}

async function guard<T>(location: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    throw new WearwatchError(
      'WW_CLICKHOUSE_UNAVAILABLE',
      `ClickHouse at ${location} is not usable: ${(cause as Error).message}`,
      'check CLICKHOUSE_URL / credentials, or unset CLICKHOUSE_URL to use embedded chDB; an embedded data folder can be used by one process at a time',
      { cause },
    );
  }
}
