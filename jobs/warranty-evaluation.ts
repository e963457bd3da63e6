import type { Producer } from 'kafkajs';
import { dayOfInstant, isoFromDay } from '../core/calendar.ts';
import type { Catalog } from '../core/catalog/load.ts';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { WearwatchError } from '../core/errors.ts';
import { insertRows, queryFirst } from '../core/query.ts';
import { ThresholdStore } from '../fleet/threshold-store.ts';
import { runBulkEvaluation } from '../warranty/bulk.ts';
import type { Thresholds } from '../warranty/thresholds.ts';
import { publishPendingAlerts } from './publish-alerts.ts';

export interface JobRun {
  run_id: number;
  snapshot_date: string;
  started_at: string;
  finished_at: string | null;
  units: number;
  flags: number;
  raised: number;
  cleared: number;
  published: number;
  outcome: 'running' | 'ok' | 'failed';
  error: string;
  timings: Record<string, number>;
}

export interface JobDeps {
  client: ClickHouseClient;
  catalog: Catalog;
  /** The configured defaults; each fleet's own thresholds are read from the threshold store at the start of a run. */
  thresholds: Thresholds;
  /** Without a producer the run's alerts stay in the outbox until a run with one publishes them. */
  producer?: Producer;
  progress?: (line: string) => void;
  /** Evaluation date; today (UTC) by default. */
  at?: string;
}

const job = 'warranty';

async function record(client: ClickHouseClient, run: JobRun): Promise<void> {
  await insertRows(client, 'scheduler_runs', [
    {
      run_id: run.run_id,
      job,
      snapshot_date: run.snapshot_date,
      started_at: run.started_at,
      finished_at: run.finished_at,
      units: run.units,
      flags: run.flags,
      raised: run.raised,
      cleared: run.cleared,
      published: run.published > 0 || (run.outcome === 'ok' && run.raised + run.cleared === 0) ? 1 : 0,
      outcome: run.outcome,
      error: run.error,
      updated_at: Date.now(),
    },
  ]);
}

/** The last run of the warranty job, as recorded in ClickHouse. */
export async function lastRun(client: ClickHouseClient): Promise<Omit<JobRun, 'timings' | 'published'> | null> {
  const row = await queryFirst<Omit<JobRun, 'timings' | 'published'>>(
    client,
    `SELECT run_id, toString(snapshot_date) AS snapshot_date, toString(started_at) AS started_at, toString(finished_at) AS finished_at,
            units, flags, raised, cleared, outcome, error
     FROM scheduler_runs FINAL WHERE job = {job:String} ORDER BY run_id DESC LIMIT 1`,
    { job },
  );
  return row ?? null;
}

/**
 * One evaluation + flagging run: recorded as running, evaluated in bulk, recorded with its outcome, then the outbox is
 * published when a producer is given. A failure is recorded with its cause and rethrown.
 */
export async function runWarrantyJob(deps: JobDeps): Promise<JobRun> {
  const { client } = deps;
  const progress = deps.progress ?? (() => {});
  const prev = await queryFirst<{ last: number; last_ok: number; last_ok_at: string }>(
    client,
    `SELECT max(run_id) AS last, maxIf(run_id, outcome = 'ok') AS last_ok, toString(argMaxIf(snapshot_date, run_id, outcome = 'ok')) AS last_ok_at
     FROM scheduler_runs FINAL WHERE job = {job:String}`,
    { job },
  );
  const now = Date.now();
  const run: JobRun = {
    run_id: Math.max(now, Number(prev?.last ?? 0) + 1),
    snapshot_date: deps.at ?? isoFromDay(dayOfInstant(now)),
    started_at: new Date(now).toISOString(),
    finished_at: null,
    units: 0,
    flags: 0,
    raised: 0,
    cleared: 0,
    published: 0,
    outcome: 'running',
    error: '',
    timings: {},
  };
  await record(client, run);
  try {
    const thresholds = await new ThresholdStore(client, deps.catalog).set(deps.thresholds);
    const result = await runBulkEvaluation(client, deps.catalog, {
      at: run.snapshot_date,
      runId: run.run_id,
      previous: Number(prev?.last_ok ?? 0) > 0 ? { runId: Number(prev!.last_ok), at: prev!.last_ok_at } : null,
      thresholds,
      progress,
    });
    Object.assign(run, result, { outcome: 'ok', finished_at: new Date().toISOString() });
    await record(client, run);
  } catch (cause) {
    Object.assign(run, { outcome: 'failed', error: (cause as Error).message, finished_at: new Date().toISOString() });
    await record(client, run).catch(() => {});
    throw new WearwatchError(
      'WW_EVALUATE_FAILED',
      `warranty evaluation run ${run.run_id} failed: ${(cause as Error).message}`,
      'see the cause; the previous snapshot and flags are unchanged',
      { cause },
    );
  }
  progress(`run ${run.run_id}: ${run.units} unit(s), ${run.flags} flag(s), ${run.raised} raised, ${run.cleared} cleared`);
  if (deps.producer) run.published = await publishPendingAlerts(client, deps.producer, progress);
  return run;
}
