import { type Catalog, writeCatalog } from '../core/catalog/load.ts';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { insertRows, queryRows } from '../core/query.ts';
import {
  type BulkSql,
  decodeSerialsSql,
  flagChangesSql,
  lateSamplesSql,
  lineageSql,
  type PreviousRun,
  recordFlagsSql,
  runCountsSql,
  snapshotSql,
  staleSerialsSql,
} from './bulk-sql.ts';
import type { ThresholdSet } from './thresholds.ts';

export interface BulkRunOptions {
  /** Evaluation date 'YYYY-MM-DD'. */
  at: string;
  runId: number;
  /** The defaults and each fleet's own thresholds. */
  thresholds: ThresholdSet;
  /** Last successful run, whose flags this run's flags are compared with (null: none, every flag is new). */
  previous: PreviousRun | null;
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

const run = (client: ClickHouseClient, { query, params }: BulkSql) => client.command({ query, query_params: params });

const query = <T>(client: ClickHouseClient, { query, params }: BulkSql) => queryRows<T>(client, query, params);

/**
 * Bulk warranty evaluation of every enrolled unit at one date, in ClickHouse: records the run's settings, decodes the
 * serials not decoded yet, records the previous run's flag changes per unit, resolves replacement chains, writes the
 * dated snapshot (flag bits included, next to the previous run's), then records which flags were raised or cleared in
 * the warranty_flag_events outbox.
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
  const { at, runId, thresholds: t } = options;

  await step('settings', async () => {
    await writeCatalog(client, catalog);
    await insertRows(client, 'warranty_runs', [
      {
        run_id: runId,
        snapshot_date: at,
        catalog_version: catalog.version,
        warn_pct: t.defaults.warnPct,
        critical_pct: t.defaults.criticalPct,
        ending_days: t.defaults.endingDays,
        started_at: Date.now(),
      },
    ]);
    await insertRows(
      client,
      'warranty_run_thresholds',
      t.overrides.map((o) => ({
        run_id: runId,
        fleet_id: o.fleetId,
        model: o.model ?? '',
        warn_pct: o.warnPct,
        critical_pct: o.criticalPct,
        ending_days: o.endingDays,
      })),
    );
  });
  await step('decode', async () => {
    const [found] = await query<{ stale: number }>(client, staleSerialsSql(catalog));
    if (Number(found?.stale)) await run(client, decodeSerialsSql(catalog));
  });
  const { previous } = options;
  if (previous) await step('previous_flags', () => run(client, recordFlagsSql(previous)));
  await step('lineage', async () => {
    await client.command({ query: 'TRUNCATE TABLE warranty_lineage' });
    await run(client, lineageSql(catalog, at));
  });
  // A past date (or a clock ahead) leaves samples after it: only then are those units read from their history.
  const late = await step('late_samples', async () => Boolean(Number((await query<{ late: number | boolean }>(client, lateSamplesSql(at)))[0]?.late)));
  progress(`evaluating all enrolled units at ${at}${late ? ' (some reported later: their wear is read as of that date)' : ''}`);
  await step('snapshot', () => run(client, snapshotSql(catalog, at, runId, t, previous, late)));
  await step('flag_changes', () => run(client, flagChangesSql(at, runId)));
  const counts = await step('count', async () => {
    const [units] = await query<{ units: number; flags: number }>(client, runCountsSql(at, runId));
    const [changes] = await query<{ raised: number; cleared: number }>(client, {
      query: `SELECT countIf(action = 'raised') AS raised, countIf(action = 'cleared') AS cleared FROM warranty_flag_events WHERE run_id = {run:UInt64}`,
      params: { run: runId },
    });
    return { ...units!, ...changes! };
  });
  progress(`evaluated ${counts.units} unit(s): ${counts.flags} flag(s), ${counts.raised} raised and ${counts.cleared} cleared since the previous run`);
  return { units: Number(counts.units), flags: Number(counts.flags), raised: Number(counts.raised), cleared: Number(counts.cleared), timings };
}
