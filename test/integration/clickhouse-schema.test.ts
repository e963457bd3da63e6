import { appendFileSync, copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { migrate, migrationsDir, readMigrations } from '../../infra/clickhouse/migrate.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';

let clickhouse: ClickHouse;

beforeAll(async () => {
  clickhouse = await openTestClickHouse({ migrate: false });
});
afterAll(async () => clickhouse?.close());

describe('ClickHouse migrations on embedded chDB', () => {
  it('applies every migration once, records it, and applies nothing the second time', async () => {
    const first = await migrate(clickhouse.client);
    expect(first.applied.map((m) => m.version)).toEqual(readMigrations().map((m) => m.version));
    const second = await migrate(clickhouse.client);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(first.applied.length);
    const recorded = await queryRows<{ n: number }>(clickhouse, 'SELECT count() AS n FROM schema_migrations');
    expect(Number(recorded[0]!.n)).toBe(first.applied.length);
  });

  it('creates the tables with engines that collapse redelivered rows', async () => {
    const tables = await queryRows<{ name: string; engine: string }>(
      clickhouse,
      'SELECT name, engine FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    );
    const engines = Object.fromEntries(tables.map((t) => [t.name, t.engine]));
    expect(engines).toMatchObject({
      catalog_models: 'ReplacingMergeTree',
      drives: 'ReplacingMergeTree',
      telemetry: 'ReplacingMergeTree',
      telemetry_latest: 'ReplacingMergeTree',
      rma_events: 'ReplacingMergeTree',
      schema_migrations: 'MergeTree',
    });
  });

  it('counts a redelivered telemetry sample once and keeps the newest sample per serial', async () => {
    const sample = (collected_at: string, host_bytes_written: number) => ({
      serial: 'SN-DEDUP',
      fleet_id: 'f1',
      collected_at,
      model: 'M',
      firmware: '1.0',
      host_bytes_written,
      source: 'test',
    });
    const batch = [sample('2025-03-01T00:00:00Z', 100), sample('2025-03-02T00:00:00Z', 200)];
    await clickhouse.client.insert({ table: 'telemetry', values: batch, format: 'JSONEachRow' });
    await clickhouse.client.insert({ table: 'telemetry', values: batch, format: 'JSONEachRow' });
    const history = await queryRows<{ n: number }>(clickhouse, 'SELECT count() AS n FROM telemetry FINAL WHERE serial = {s:String}', { s: 'SN-DEDUP' });
    expect(Number(history[0]!.n)).toBe(2);
    const latest = await queryRows<{ host_bytes_written: number }>(
      clickhouse,
      'SELECT host_bytes_written FROM telemetry_latest FINAL WHERE serial = {s:String}',
      { s: 'SN-DEDUP' },
    );
    expect(latest).toEqual([{ host_bytes_written: 200 }]);
  });

  it('refuses to run when an applied migration file has changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wearwatch-changed-'));
    for (const file of readdirSync(migrationsDir)) copyFileSync(join(migrationsDir, file), join(dir, file));
    appendFileSync(join(dir, '0002_drives.sql'), '\n-- edited after it was applied\n');
    await expect(migrate(clickhouse.client, { dir })).rejects.toThrow(/0002.*drives was applied but its file has changed/);
  });
});
