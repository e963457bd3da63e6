import { addMonths, type Day, dayFromIso, isoFromDay } from '../core/calendar.ts';
import type { ClickHouse } from '../core/clickhouse.ts';
import { queryRows } from '../core/query.ts';
import { fitPoisson, type PoissonCell, type PoissonFit } from './poisson.ts';

/** Drives in the top this share of predicted risk are the ones a fleet manager is told about. */
const topShare = 0.05;
/** A drive whose predicted chance of failing in the next 30 days reaches this raises the alert flag. */
export const alertProbability = 0.1;
/** Failure-risk horizon in days. */
const horizonDays = 30;

/** One drive's telemetry as of a snapshot day, read from what it reported in the 60 days before. */
interface DriveSnapshot {
  snapshot: string;
  serial: string;
  model: string;
  fleet_id: string;
  firmware: string;
  batch: string;
  age_days: number;
  wear_pct: number | null;
  media_errors: number | null;
  /** media errors logged in the last 30 days (the trend) */
  new_media_errors: number | null;
  spare_pct: number | null;
  critical_warning: number;
  /** hottest reading of the last 30 days above the model's rated maximum */
  temperature_excursion: boolean;
  unsafe_shutdowns_60d: number | null;
  /** failed within the horizon after the snapshot (known only for past snapshots) */
  failed_next: boolean;
}

/** The risk factors: telemetry bands, and the model / firmware / batch effects fitted alongside them. */
const riskFactors = ['media_trend', 'spare', 'critical', 'wear', 'age', 'temperature', 'shutdowns', 'model', 'firmware', 'batch'] as const;

function band(value: number | null, edges: number[], labels: string[]): string {
  if (value === null) return 'unknown';
  let i = 0;
  while (i < edges.length && value >= edges[i]!) i++;
  return labels[i]!;
}

function riskLevels(s: DriveSnapshot): Record<(typeof riskFactors)[number], string> {
  return {
    media_trend:
      s.media_errors === null
        ? 'not reported'
        : s.new_media_errors !== null && s.new_media_errors > 0
          ? s.new_media_errors >= 5
            ? 'rising 5+'
            : 'rising 1-4'
          : s.media_errors > 0
            ? 'old errors'
            : 'none',
    spare: band(s.spare_pct, [50, 90], ['<50 %', '50-89 %', '90+ %']),
    critical: s.critical_warning > 0 ? 'warning' : 'none',
    wear: band(s.wear_pct, [50, 80, 100], ['<50 %', '50-79 %', '80-99 %', '100+ %']),
    age: band(s.age_days, [90, 365, 730], ['0-89 days', '90-364 days', '1-2 years', '2+ years']),
    temperature: s.temperature_excursion ? 'excursion' : 'within rating',
    shutdowns: band(s.unsafe_shutdowns_60d, [1, 10], ['0', '1-9', '10+']),
    model: s.model,
    firmware: s.firmware,
    batch: s.batch,
  };
}

/**
 * Telemetry features of every drive in service on each snapshot day: drives that already failed, or have not reported
 * in the 30 days before, are out. `failed_next` says whether it failed (THE failure definition) within the horizon.
 */
async function driveSnapshots(ch: ClickHouse, days: Day[], fleet = ''): Promise<DriveSnapshot[]> {
  const rows = await queryRows<Record<string, string | number | null>>(
    ch.client,
    `SELECT toString(x.d) AS snapshot, x.serial AS serial, x.model AS model, x.fleet_id AS fleet_id, x.firmware AS firmware,
            ifNull(toString(u.batch), 'unknown') AS batch,
            greatest(0, dateDiff('day', toDate32(dr.enrolled_at), x.d)) AS age_days,
            multiIf(c.kind = 'ssd' AND c.tbw_tb > 0, x.host_bytes_written / (c.tbw_tb * 1e12) * 100,
                    c.kind = 'tf' AND c.pe_cycles > 0, x.avg_pe_cycles / c.pe_cycles * 100, NULL) AS wear_pct,
            x.media_now AS media_errors,
            if(x.media_now IS NULL, NULL, x.media_now - ifNull(x.media_before, 0)) AS new_media_errors,
            x.spare AS spare_pct, x.critical AS critical_warning,
            ifNull(x.max_temp > c.temp_max_c, 0) AS temperature_excursion,
            x.unsafe_delta AS unsafe_shutdowns_60d,
            ifNull(f.failed_on >= x.d AND f.failed_on < x.d + {horizon:UInt16}, 0) AS failed_next
     FROM (
       SELECT d, t.serial AS serial, any(toString(t.model)) AS model, any(toString(t.fleet_id)) AS fleet_id,
              argMax(toString(t.firmware), t.collected_at) AS firmware,
              argMax(t.media_errors, t.collected_at) AS media_now,
              argMaxIf(t.media_errors, t.collected_at, toDate32(t.collected_at) < d - 30) AS media_before,
              max(ifNull(t.critical_warning, 0)) AS critical,
              argMax(t.available_spare_pct, t.collected_at) AS spare,
              max(toDate32(t.collected_at)) AS last_seen,
              maxIf(t.temperature_c, toDate32(t.collected_at) >= d - 30) AS max_temp,
              max(t.unsafe_shutdowns) - min(t.unsafe_shutdowns) AS unsafe_delta,
              argMax(t.host_bytes_written, t.collected_at) AS host_bytes_written,
              argMax(t.avg_pe_cycles, t.collected_at) AS avg_pe_cycles
       FROM telemetry AS t ARRAY JOIN {days:Array(Date32)} AS d
       WHERE toDate32(t.collected_at) >= d - 60 AND toDate32(t.collected_at) < d
         AND ({fleet:String} = '' OR t.fleet_id = {fleet:String})
       GROUP BY d, t.serial
       HAVING last_seen >= d - 30
     ) AS x
     LEFT JOIN (SELECT serial, toNullable(failed_on) AS failed_on FROM analytics_failures) AS f ON f.serial = x.serial
     LEFT JOIN (SELECT serial, toNullable(batch) AS batch FROM analytics_units FINAL) AS u ON u.serial = x.serial
     LEFT JOIN (SELECT serial, enrolled_at FROM drives FINAL) AS dr ON dr.serial = x.serial
     LEFT JOIN (SELECT model, kind, tbw_tb, pe_cycles, temp_max_c FROM catalog_models FINAL) AS c ON c.model = x.model
     WHERE f.failed_on IS NULL OR f.failed_on >= x.d
     ORDER BY snapshot, serial`,
    { days: days.map(isoFromDay), fleet, horizon: horizonDays },
  );
  const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    snapshot: String(r.snapshot),
    serial: String(r.serial),
    model: String(r.model),
    fleet_id: String(r.fleet_id),
    firmware: String(r.firmware),
    batch: String(r.batch),
    age_days: Number(r.age_days),
    wear_pct: num(r.wear_pct),
    media_errors: num(r.media_errors),
    new_media_errors: num(r.new_media_errors),
    spare_pct: num(r.spare_pct),
    critical_warning: Number(r.critical_warning),
    temperature_excursion: Number(r.temperature_excursion) === 1,
    unsafe_shutdowns_60d: num(r.unsafe_shutdowns_60d),
    failed_next: Number(r.failed_next) === 1,
  }));
}

/**
 * The risk model: a Poisson regression of "failed within 30 days" over past drive snapshots (one unit of exposure per
 * drive and snapshot) on the telemetry bands and the model / firmware / batch effects, all adjusted for each other.
 * Expected failures of a snapshot → probability 1 − e^(−rate).
 */
function fitRisk(training: DriveSnapshot[]): PoissonFit {
  const cells = new Map<string, PoissonCell>();
  for (const s of training) {
    const levels = riskLevels(s);
    const key = JSON.stringify(levels);
    const cell = cells.get(key) ?? { levels, events: 0, exposure: 0 };
    cell.exposure += 1;
    if (s.failed_next) cell.events += 1;
    cells.set(key, cell);
  }
  const all = [...cells.values()];
  const varying = riskFactors.filter((f) => new Set(all.map((c) => c.levels[f])).size > 1);
  return fitPoisson(all, varying);
}

interface RiskRow extends Omit<DriveSnapshot, 'failed_next' | 'snapshot'> {
  /** expected probability of failing in the next 30 days */
  p_fail_30d: number;
  /** the telemetry signals behind the score, strongest first */
  signals: string[];
  alert: boolean;
}

function signalsOf(s: DriveSnapshot): string[] {
  const out: string[] = [];
  if (s.critical_warning > 0) out.push('critical warning');
  if ((s.new_media_errors ?? 0) > 0) out.push(`${s.new_media_errors} new media errors in 30 days`);
  if (s.spare_pct !== null && s.spare_pct < 90) out.push(`spare ${s.spare_pct} %`);
  if (s.wear_pct !== null && s.wear_pct >= 80) out.push(`wear ${s.wear_pct.toFixed(0)} %`);
  if (s.temperature_excursion) out.push('temperature above rating');
  if (s.age_days < 90) out.push('early life');
  return out;
}

function scoreDrives(fit: PoissonFit, drives: DriveSnapshot[]): RiskRow[] {
  return drives
    .map(({ failed_next: _f, snapshot: _s, ...d }) => {
      const p = 1 - Math.exp(-fit.rate(riskLevels({ ...d, snapshot: '', failed_next: false })));
      return { ...d, p_fail_30d: p, signals: signalsOf({ ...d, snapshot: '', failed_next: false }), alert: p >= alertProbability };
    })
    .sort((a, b) => b.p_fail_30d - a.p_fail_30d || a.serial.localeCompare(b.serial));
}

/** Monthly snapshot days before `asOf` whose 30-day outcome is known on asOf. */
const trainingDays = (asOf: Day, months: number) =>
  Array.from({ length: months }, (_, i) => addMonths(asOf, -(i + 1)) - 0).filter((d) => d + horizonDays <= asOf);

export interface RiskRanking {
  as_of: string;
  drives_scored: number;
  training_snapshots: number;
  top_share: number;
  drives: RiskRow[];
}

/**
 * Drives most likely to fail in the next 30 days as of `asOf` (default: the day after the latest telemetry), from a
 * model fitted on the snapshots of the year before.
 */
export async function rankRisk(ch: ClickHouse, options: { asOf?: string; fleet?: string; limit: number }): Promise<RiskRanking> {
  const latest = await queryRows<{ day: string }>(ch.client, 'SELECT toString(max(day) + 1) AS day FROM analytics_drive_days');
  const asOf = dayFromIso(options.asOf ?? latest[0]?.day ?? new Date().toISOString().slice(0, 10));
  const training = await driveSnapshots(ch, trainingDays(asOf, 12), options.fleet);
  const current = await driveSnapshots(ch, [asOf], options.fleet);
  const scored = training.length ? scoreDrives(fitRisk(training), current) : [];
  return {
    as_of: isoFromDay(asOf),
    drives_scored: current.length,
    training_snapshots: training.length,
    top_share: topShare,
    drives: scored.slice(0, options.limit),
  };
}

export interface RiskBacktest {
  as_of: string;
  drives: number;
  failures_next_30d: number;
  top_n: number;
  model: { found: number; recall: number; precision: number };
  wear_baseline: { found: number; recall: number; precision: number };
}

/**
 * Ranks the drives as they were on `asOf` with a model fitted only on snapshots whose outcome was known then, and counts
 * how many of the next 30 days' failures the top 5 % holds, against ranking by wear (the threshold view that exists).
 */
export async function backtestRisk(ch: ClickHouse, asOf: Day, fleet = ''): Promise<RiskBacktest> {
  const training = await driveSnapshots(ch, trainingDays(asOf, 12), fleet);
  const current = await driveSnapshots(ch, [asOf], fleet);
  const fit = fitRisk(training);
  const outcome = new Map(current.map((d) => [d.serial, d.failed_next]));
  const failures = current.filter((d) => d.failed_next).length;
  const topN = Math.max(1, Math.round(current.length * topShare));
  const measure = (ranked: { serial: string }[]) => {
    const found = ranked.slice(0, topN).filter((d) => outcome.get(d.serial)).length;
    return { found, recall: failures ? found / failures : 0, precision: found / topN };
  };
  const byWear = [...current].sort((a, b) => (b.wear_pct ?? -1) - (a.wear_pct ?? -1) || a.serial.localeCompare(b.serial));
  return {
    as_of: isoFromDay(asOf),
    drives: current.length,
    failures_next_30d: failures,
    top_n: topN,
    model: measure(scoreDrives(fit, current)),
    wear_baseline: measure(byWear),
  };
}
