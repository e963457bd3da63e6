import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { clusterStatements, newClusterSchema } from '../../infra/clickhouse/cluster-ddl.ts';
import { readMigrations, renderMigrations } from '../../infra/clickhouse/migrate.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';

/**
 * No ClickHouse server can run on these machines, so the cluster schema is checked on paper: every migration rendered
 * for a cluster must parse in the real ClickHouse parser (formatQuery in chDB) and have the shape a sharded, replicated
 * deployment needs.
 */
let clickhouse: ClickHouse;
beforeAll(async () => {
  clickhouse = await openTestClickHouse({ migrate: false });
});
afterAll(async () => clickhouse?.close());

const rendered = renderMigrations(readMigrations(), 'wearwatch').flatMap((m) => m.statements);
const parse = async (query: string) => (await queryRows<{ q: string }>(clickhouse, 'SELECT formatQuery({query:String}) AS q', { query }))[0]!.q;

describe('the schema rendered for a ClickHouse cluster (CLICKHOUSE_CLUSTER)', () => {
  it('parses in ClickHouse, statement by statement', async () => {
    expect(rendered.length).toBeGreaterThan(readMigrations().flatMap((m) => m.statements).length);
    for (const statement of rendered) await expect(parse(statement), statement.slice(0, 200)).resolves.toBeTypeOf('string');
  });

  it('runs every schema change ON CLUSTER; only data-moving inserts run once', () => {
    for (const statement of rendered) {
      if (/^INSERT INTO/i.test(statement)) expect(statement).not.toMatch(/ON CLUSTER/);
      else
        expect(statement, statement.slice(0, 120)).toMatch(/^\S+ (OR REPLACE )?(TABLE|VIEW|MATERIALIZED VIEW)( IF (NOT )?EXISTS)? \w+ ON CLUSTER 'wearwatch'/);
    }
  });

  it('shards tables of drives by serial behind Distributed tables, and replicates the small ones everywhere', async () => {
    const telemetry = rendered.filter((s) => /^CREATE TABLE IF NOT EXISTS telemetry(_local)? /.test(s));
    expect(telemetry[0]).toMatch(
      /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/telemetry_local', '\{replica\}'\)\s+PARTITION BY/,
    );
    expect(telemetry[1]).toMatch(/AS telemetry_local ENGINE = Distributed\('wearwatch', currentDatabase\(\), telemetry_local, cityHash64\(serial\)\)/);
    const drives = rendered.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS drives_local'));
    expect(drives).toMatch(/ReplicatedReplacingMergeTree\('[^']+', '\{replica\}', enrolled_at\)/);
    const catalog = rendered.filter((s) => /^CREATE TABLE IF NOT EXISTS catalog_models/.test(s));
    expect(catalog).toHaveLength(1);
    expect(catalog[0]).toMatch(/ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{database\}\/catalog_models', '\{replica\}', loaded_at\)/);
    expect(rendered.some((s) => /Distributed\([^)]*catalog_models/.test(s))).toBe(false);
  });

  it('attaches materialized views to the local tables that Distributed inserts land in', () => {
    const mv = rendered.find((s) => s.startsWith('CREATE MATERIALIZED VIEW IF NOT EXISTS unit_facts_telemetry_mv'))!;
    expect(mv).toMatch(/TO unit_facts_local/);
    expect(mv).toMatch(/FROM telemetry_local\b/);
    expect(mv).not.toMatch(/FROM telemetry\b/);
  });

  it('alters both the local and the Distributed table of a sharded table', () => {
    const schema = newClusterSchema('c1');
    clusterStatements('CREATE TABLE IF NOT EXISTS t (serial String, x UInt8) ENGINE = MergeTree ORDER BY serial', schema);
    expect(clusterStatements('ALTER TABLE t ADD COLUMN IF NOT EXISTS y UInt8', schema)).toEqual([
      "ALTER TABLE t_local ON CLUSTER 'c1' ADD COLUMN IF NOT EXISTS y UInt8",
      "ALTER TABLE t ON CLUSTER 'c1' ADD COLUMN IF NOT EXISTS y UInt8",
    ]);
  });

  it('refuses a statement it has no cluster form for, instead of running it on one node', () => {
    expect(() => clusterStatements('RENAME TABLE a TO b', newClusterSchema('c1'))).toThrow(/no cluster form/);
  });

  it('leaves the single-server schema exactly as the files say', () => {
    expect(renderMigrations(readMigrations())).toEqual(readMigrations());
  });
});
