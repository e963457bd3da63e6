import jStat from 'jstat';
import type { ClickHouse } from '../core/clickhouse.ts';
import { queryRows } from '../core/query.ts';
import { type AnalyticsFilters, filterConditions, filterParams } from './filters.ts';
import { afrPercent, poissonMeanInterval } from './stats.ts';

/** One drive's follow-up in days of age: watched from `entry` (its age at the first report) to `exit`, failed or not. */
export interface Subject {
  entry: number;
  exit: number;
  failed: boolean;
}

export interface KmPoint {
  age_days: number;
  at_risk: number;
  failures: number;
  /** cumulative share failed by this age, in %, with its pointwise confidence band */
  failed_pct: number;
  lower_pct: number;
  upper_pct: number;
}

/**
 * Kaplan–Meier estimate of the share failed by each age, with left truncation (a drive enrolled at 400 days old is at
 * risk only from day 400: counting it earlier would credit it with survival nobody watched). Greenwood variance,
 * interval on the log(−log S) scale so the band stays inside [0, 100] % and is sensible at small risk sets.
 */
export function kaplanMeier(subjects: Subject[], confidence = 0.95): KmPoint[] {
  const z = jStat.normal.inv(1 - (1 - confidence) / 2, 0, 1);
  const times = [...new Set(subjects.filter((s) => s.failed).map((s) => s.exit))].sort((a, b) => a - b);
  let survival = 1;
  let greenwood = 0;
  const points: KmPoint[] = [];
  for (const t of times) {
    let atRisk = 0;
    let failures = 0;
    for (const s of subjects) {
      if (s.entry < t && s.exit >= t) {
        atRisk++;
        if (s.failed && s.exit === t) failures++;
      }
    }
    if (atRisk === 0) continue;
    survival *= 1 - failures / atRisk;
    greenwood += atRisk > failures ? failures / (atRisk * (atRisk - failures)) : 0;
    let lower = survival;
    let upper = survival;
    if (survival > 0 && survival < 1) {
      const se = Math.sqrt(greenwood) / Math.abs(Math.log(survival));
      lower = survival ** Math.exp(z * se);
      upper = survival ** Math.exp(-z * se);
    }
    points.push({ age_days: t, at_risk: atRisk, failures, failed_pct: (1 - survival) * 100, lower_pct: (1 - upper) * 100, upper_pct: (1 - lower) * 100 });
  }
  return points;
}

/** Drives at risk at each of these ages (the table under a survival chart). */
export function atRiskAt(subjects: Subject[], ages: number[]): { age_days: number; at_risk: number }[] {
  return ages.map((age) => ({ age_days: age, at_risk: subjects.filter((s) => s.entry <= age && s.exit > age).length }));
}

export const survivalGroups = ['model', 'firmware', 'batch'] as const;
export type SurvivalGroup = (typeof survivalGroups)[number];

export interface SurvivalCurve {
  group: string;
  drives: number;
  failures: number;
  /** failures per drive-year over the whole follow-up, in %, with an exact interval */
  afr_pct: number;
  afr_lower_pct: number;
  afr_upper_pct: number;
  points: KmPoint[];
  at_risk: { age_days: number; at_risk: number }[];
}

/**
 * Failure curves by model, firmware (the drive's latest) or batch: age in days since coverage start (purchase with a
 * proof, else the manufacturing date) on the x axis. Groups with fewer than `minDrives` drives are left out: a curve of
 * five drives is noise with a band.
 */
export async function survivalCurves(
  ch: ClickHouse,
  by: SurvivalGroup,
  filters: AnalyticsFilters,
  options: { confidence?: number; minDrives?: number } = {},
): Promise<SurvivalCurve[]> {
  const rows = await queryRows<{ group: string; entry: number; exit: number; failed: number }>(
    ch.client,
    `SELECT group, greatest(0, dateDiff('day', start, first_day)) AS entry, greatest(1, dateDiff('day', start, last_day)) AS exit, failed
     FROM (
       SELECT e.serial AS serial, toString(argMax(e.{by:Identifier}, e.day)) AS group, min(e.day) AS first_day,
              max(e.day + e.drive_days) AS last_day, max(e.failed) AS failed
       FROM analytics_exposure AS e
       WHERE e.day >= {from:Date32} AND e.day < {to:Date32} AND ${filterConditions}
       GROUP BY e.serial
     ) AS x
     INNER JOIN (
       SELECT d.serial AS serial,
              if(d.proof_of_purchase IS NOT NULL AND d.purchase_date IS NOT NULL, d.purchase_date,
                 coalesce(a.manufactured_on, d.purchase_date, toDate32(d.enrolled_at))) AS start
       FROM (SELECT serial, purchase_date, proof_of_purchase, enrolled_at FROM drives FINAL) AS d
       LEFT JOIN (SELECT serial, manufactured_on FROM analytics_units FINAL) AS a ON a.serial = d.serial
     ) AS s ON s.serial = x.serial`,
    { ...filterParams(filters), by },
  );
  const groups = new Map<string, Subject[]>();
  for (const r of rows) {
    const list = groups.get(r.group) ?? [];
    list.push({ entry: Number(r.entry), exit: Math.max(Number(r.exit), Number(r.entry) + 1), failed: Number(r.failed) === 1 });
    groups.set(r.group, list);
  }
  const minDrives = options.minDrives ?? 30;
  const confidence = options.confidence ?? 0.95;
  return [...groups]
    .filter(([, subjects]) => subjects.length >= minDrives)
    .map(([group, subjects]) => {
      const failures = subjects.filter((s) => s.failed).length;
      const driveDays = subjects.reduce((s, x) => s + (x.exit - x.entry), 0);
      const interval = poissonMeanInterval(failures, confidence);
      const longest = Math.max(...subjects.map((s) => s.exit));
      const ages = [0, 90, 180, 365, 730, 1095, 1460, 1825].filter((a) => a < longest);
      return {
        group,
        drives: subjects.length,
        failures,
        afr_pct: afrPercent(failures, driveDays),
        afr_lower_pct: afrPercent(interval.lower, driveDays),
        afr_upper_pct: afrPercent(interval.upper, driveDays),
        points: kaplanMeier(subjects, confidence),
        at_risk: atRiskAt(subjects, ages),
      };
    })
    .sort((a, b) => a.group.localeCompare(b.group));
}
