import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { writeCatalog, type Catalog } from '../../core/catalog/load.ts';
import { flagChangesSql, flagsSql, lineageSql, snapshotSql, type BulkSql, type Thresholds } from './bulk-sql.ts';

export interface BulkRunOptions {
  /** Evaluation date 'YYYY-MM-DD'. */
  at: string;
  runId: number;
  thresholds: Thresholds;
  /** Last successful run, whose flags this run's flags are compared with (0 = none). */
  previousRunId: number;
  progress?: (line: string) => void;
}

export interface BulkRunResult {
  units: number;
  flags: number;
  raised: number;
  cleared: number;
  /** Seconds spent in each step, to show where time goes. */
  timings: Record<string, number>;
}

async function one<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T> {
  const rows = await (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  return rows[0]!;
}

const run = (client: ClickHouseClient, { query, params }: BulkSql) => client.command({ query, query_params: params });

/**
 * Bulk warranty evaluation of every enrolled unit at one date, in ClickHouse: resolves replacement chains, writes the
 * dated snapshot, expands its flag bits into warranty_flags, then records which flags were
 * raised or cleared since the previous successful run in the warranty_flag_events outbox.
 */
export async function runBulkEvaluation(client: ClickHouseClient, catalog: Catalog, options: BulkRunOptions): Promise<BulkRunResult> {
  const progress = options.progress ?? (() => {});
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await fn();
    timings[name] = (performance.now() - started) / 1000;
    return result;
  };
  const { at, runId, previousRunId } = options;

  await step('catalog', () => writeCatalog(client, catalog));
  await step('lineage', async () => {
    await client.command({ query: 'TRUNCATE TABLE warranty_lineage' });
    await run(client, lineageSql(catalog, at, catalog.version));
  });
  progress(`evaluating all enrolled units at ${at}`);
  await step('snapshot', () => run(client, snapshotSql(catalog, at, catalog.version, runId, options.thresholds)));
  await step('flags', () => run(client, flagsSql(at, catalog.version, runId, options.thresholds)));
  const counts = await step('count', () =>
    one<{ units: number; flags: number }>(
      client,
      `SELECT (SELECT count() FROM warranty_status WHERE snapshot_date = {at:Date32} AND run_id = {run:UInt64}) AS units,
              (SELECT count() FROM warranty_flags WHERE run_id = {run:UInt64}) AS flags`,
      { at, run: runId },
    ),
  );
  progress(`evaluated ${counts.units} unit(s), ${counts.flags} flag(s) raised; comparing with the previous run`);
  await step('flag_changes', () => run(client, flagChangesSql(runId, previousRunId)));
  const changes = await one<{ raised: number; cleared: number }>(
    client,
    `SELECT countIf(action = 'raised') AS raised, countIf(action = 'cleared') AS cleared FROM warranty_flag_events WHERE run_id = {run:UInt64}`,
    { run: runId },
  );
  await step('prune', () => pruneFlagRuns(client, [runId, previousRunId]));
  return { units: Number(counts.units), flags: Number(counts.flags), raised: Number(changes.raised), cleared: Number(changes.cleared), timings };
}

/** Keeps only the flags of the runs still needed (this run and the one it was compared with). */
async function pruneFlagRuns(client: ClickHouseClient, keep: number[]): Promise<void> {
  const rows = await (
    await client.query({
      query: `SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = 'warranty_flags' AND active`,
      format: 'JSONEachRow',
    })
  ).json<{ partition: string }>();
  for (const { partition } of rows) {
    if (!keep.includes(Number(partition))) {
      await client.command({ query: 'ALTER TABLE warranty_flags DROP PARTITION {p:UInt64}', query_params: { p: Number(partition) } });
    }
  }
}
