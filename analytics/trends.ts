import type { ClickHouse } from '../core/clickhouse.ts';
import { queryRows } from '../core/query.ts';
import { type AnalyticsFilters, filterConditions, filterParams } from './filters.ts';
import { afrPercent, poissonMeanInterval } from './stats.ts';

/** Factors failures are broken down by, and the analytics_exposure column holding each. */
export const factorColumns = {
  model: 'model',
  firmware: 'firmware',
  batch: 'batch',
  temperature: 'temp_band',
  unsafe_shutdowns: 'shutdown_band',
  age: 'age_band',
} as const;
export type Factor = keyof typeof factorColumns;
export const factors = Object.keys(factorColumns) as Factor[];

/**
 * Exposure and failures inside [from, to): a row whose span crosses `to` is cut there, and a failure after `to` is
 * not yet a failure, so a window of history reads exactly as it would have on its last day.
 */
const exposureMeasures = `sum(least(e.drive_days, dateDiff('day', e.day, {to:Date32}))) AS drive_days,
  sum(e.failed = 1 AND e.failed_on < {to:Date32}) AS failures`;
const exposureWhere = `e.day >= {from:Date32} AND e.day < {to:Date32} AND ${filterConditions}`;

export interface ExposureCell {
  level: string;
  model: string;
  drive_days: number;
  failures: number;
}

/** Drive-days and failures per level of a factor and per model (the model split is what the cause analysis stratifies on). */
export async function exposureByFactor(ch: ClickHouse, factor: Factor, filters: AnalyticsFilters): Promise<ExposureCell[]> {
  const rows = await queryRows<ExposureCell>(
    ch.client,
    `SELECT toString(e.{factor:Identifier}) AS level, e.model AS model, ${exposureMeasures}
            FROM analytics_exposure AS e WHERE ${exposureWhere}
            GROUP BY level, model ORDER BY level, model`,
    { ...filterParams(filters), factor: factorColumns[factor] },
  );
  return rows.map((r) => ({ ...r, drive_days: Number(r.drive_days), failures: Number(r.failures) }));
}

export interface AfrPoint {
  month: string;
  series: string;
  drive_days: number;
  failures: number;
  afr_pct: number;
}

/** Monthly AFR per model or per firmware: the quality engineer's trend chart. */
export async function afrTrend(ch: ClickHouse, by: 'model' | 'firmware', filters: AnalyticsFilters): Promise<AfrPoint[]> {
  const rows = await queryRows<AfrPoint>(
    ch.client,
    `SELECT toString(e.month) AS month, toString(e.{by:Identifier}) AS series, ${exposureMeasures}
            FROM analytics_exposure AS e WHERE ${exposureWhere}
            GROUP BY month, series ORDER BY month, series`,
    { ...filterParams(filters), by },
  );
  return rows.map((r) => {
    const driveDays = Number(r.drive_days);
    const failures = Number(r.failures);
    return { month: r.month, series: r.series, drive_days: driveDays, failures, afr_pct: afrPercent(failures, driveDays) };
  });
}

export interface ClaimPoint {
  month: string;
  series: string;
  claims: number;
}

/**
 * Claims opened per month by outcome or by reason. By reason, a claim with several reasons counts under each and a
 * claim without one under "none", so each exclusion reason shows up on its own.
 */
export async function claimTrend(ch: ClickHouse, by: 'outcome' | 'reason', filters: AnalyticsFilters): Promise<ClaimPoint[]> {
  const series = by === 'outcome' ? 'outcome' : `arrayJoin(if(empty(reasons), ['none'], reasons))`;
  const rows = await queryRows<ClaimPoint>(
    ch.client,
    `SELECT toString(toStartOfMonth(opened_on)) AS month, ${series} AS series, count() AS claims
            FROM analytics_claims
            WHERE opened_on >= {from:Date32} AND opened_on < {to:Date32}
              AND ({model:String} = '' OR model = {model:String}) AND ({fleet:String} = '' OR fleet_id = {fleet:String})
            GROUP BY month, series ORDER BY month, series`,
    filterParams(filters),
  );
  return rows.map((r) => ({ ...r, claims: Number(r.claims) }));
}

const wearBuckets = ['0-10', '10-20', '20-30', '30-40', '40-50', '50-60', '60-70', '70-80', '80-90', '90-100', '100+'] as const;

export interface WearBucket {
  model: string;
  bucket: (typeof wearBuckets)[number];
  drives: number;
}

/** How worn the fleet is now: drives per 10 % band of TBW (SSD) or P/E (TF) used, per model, from each drive's latest report. */
export async function wearDistribution(ch: ClickHouse, filters: AnalyticsFilters): Promise<WearBucket[]> {
  const rows = await queryRows<WearBucket>(
    ch.client,
    `SELECT model, {buckets:Array(String)}[toUInt32(least(floor(wear_pct / 10), 10)) + 1] AS bucket, count() AS drives
            FROM analytics_wear_latest
            WHERE ${filterConditions}
            GROUP BY model, bucket ORDER BY model, bucket`,
    { ...filterParams(filters), buckets: wearBuckets },
  );
  return rows.map((r) => ({ ...r, drives: Number(r.drives) }));
}

export interface NearLimitUnit {
  serial: string;
  model: string;
  fleet_id: string;
  firmware: string;
  last_seen: string;
  wear_pct: number;
  level: 'warning' | 'critical';
}

/** Drives at or above the warning share of their TBW / P/E rating, most worn first. */
export async function nearLimitUnits(
  ch: ClickHouse,
  filters: AnalyticsFilters,
  thresholds: { warnPct: number; criticalPct: number; limit: number },
): Promise<NearLimitUnit[]> {
  return queryRows<NearLimitUnit>(
    ch.client,
    `SELECT serial, model, fleet_id, firmware, toString(last_seen) AS last_seen, round(wear_pct, 2) AS wear_pct,
                   if(wear_pct >= {critical:Float64}, 'critical', 'warning') AS level
            FROM analytics_wear_latest
            WHERE wear_pct >= {warn:Float64} AND ${filterConditions}
            ORDER BY wear_pct DESC, serial LIMIT {limit:UInt32}`,
    { ...filterParams(filters), warn: thresholds.warnPct, critical: thresholds.criticalPct, limit: thresholds.limit },
  );
}

export interface CumulativeAfrPoint extends AfrPoint {
  /** exact (Garwood) interval of the cumulative AFR, in % */
  lower_pct: number;
  upper_pct: number;
}

/**
 * AFR from the first month up to each month, per series, with its exact interval: one month of a small firmware is a
 * handful of drive-years, and its raw monthly AFR spikes to tens of % on a single failure; the running figure settles
 * as exposure accumulates and its band says how far to trust it.
 */
export function cumulativeAfr(points: AfrPoint[], confidence = 0.95): CumulativeAfrPoint[] {
  const running = new Map<string, { days: number; failures: number }>();
  return [...points]
    .sort((a, b) => a.month.localeCompare(b.month) || a.series.localeCompare(b.series))
    .map((p) => {
      const r = running.get(p.series) ?? { days: 0, failures: 0 };
      r.days += p.drive_days;
      r.failures += p.failures;
      running.set(p.series, r);
      const interval = poissonMeanInterval(r.failures, confidence);
      return {
        month: p.month,
        series: p.series,
        drive_days: r.days,
        failures: r.failures,
        afr_pct: afrPercent(r.failures, r.days),
        lower_pct: afrPercent(interval.lower, r.days),
        upper_pct: afrPercent(interval.upper, r.days),
      };
    });
}
