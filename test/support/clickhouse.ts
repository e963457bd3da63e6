import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouse, openClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { type QueryParams, queryRows as rows } from '../../core/query.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';

/**
 * Embedded chDB in a fresh temporary folder with all migrations applied. One per test file: chDB binds one folder per
 * process and vitest runs each file in its own process.
 */
export async function openTestClickHouse(options: { migrate?: boolean } = {}): Promise<ClickHouse> {
  const config = loadConfig({ WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-test-ch-')) });
  const clickhouse = await openClickHouse(config);
  if (options.migrate !== false) await migrate(clickhouse.client);
  return clickhouse;
}

export const queryRows = <T>(clickhouse: ClickHouse, query: string, params: QueryParams = {}): Promise<T[]> => rows<T>(clickhouse.client, query, params);
