import { addMonths, type Day, dayFromIso, isoFromDay } from '../../core/calendar.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { queryRows } from '../../core/query.ts';
import type { ClaimRecord, ForecastUnit } from './model.ts';

/** How far back the write rate is measured: long enough to smooth weekly cycles, short enough to follow a new workload. */
const writeRateWindowDays = 180;

/** A unit silent this long before asOf has left service (failed and replaced, retired): it no longer accrues exposure. */
const silentDays = 30;

interface UnitRow {
  serial: string;
  model: string;
  warranty_months: number;
  coverage_start: string;
  observed_from: string;
  first_day: string | null;
  first_wear: number | null;
  last_day: string | null;
  last_wear: number | null;
  first_seen: string | null;
  last_seen: string | null;
  firmware: string | null;
  batch: string | null;
}

/**
 * The installed base as it was known on asOf: units enrolled before it, their coverage start (purchase date with a
 * proof of purchase, else the manufacturing date the serial encodes, as the README's warranty rules read the policy) and their wear and
 * write rate from telemetry before asOf. Nothing recorded on or after asOf is read, which is what makes a backtest honest.
 */
export async function loadUnits(ch: ClickHouse, asOf: Day, model = ''): Promise<ForecastUnit[]> {
  const rows = await queryRows<UnitRow>(
    ch.client,
    `
      WITH wear AS (
        SELECT serial,
               toString(min(day)) AS first_day, argMin(wear_pct, day) AS first_wear,
               toString(max(day)) AS last_day, argMax(wear_pct, day) AS last_wear
        FROM analytics_drive_state
        WHERE day < {asOf:Date32} AND day >= {asOf:Date32} - {window:UInt32} AND wear_pct IS NOT NULL
        GROUP BY serial
      ),
      seen AS (
        SELECT serial, toString(min(day)) AS first_seen, toString(max(day)) AS last_seen, argMaxMerge(firmware) AS firmware
        FROM analytics_drive_days WHERE day < {asOf:Date32} GROUP BY serial
      )
      SELECT d.serial AS serial, toString(d.model) AS model, c.warranty_months AS warranty_months,
             toString(if(d.proof_of_purchase IS NOT NULL AND d.purchase_date IS NOT NULL, d.purchase_date,
                         coalesce(u.manufactured_on, d.purchase_date, toDate32(d.enrolled_at)))) AS coverage_start,
             toString(toDate32(d.enrolled_at)) AS observed_from,
             w.first_day AS first_day, w.first_wear AS first_wear, w.last_day AS last_day, w.last_wear AS last_wear,
             s.first_seen AS first_seen, s.last_seen AS last_seen, s.firmware AS firmware, u.batch AS batch
      FROM (SELECT * FROM drives FINAL WHERE enrolled_at < {asOf:Date32}
            AND ({model:String} = '' OR model = {model:String})) AS d
      INNER JOIN (SELECT model, warranty_months FROM catalog_models FINAL) AS c ON c.model = d.model
      LEFT JOIN (SELECT serial, manufactured_on, toNullable(toString(batch)) AS batch FROM analytics_units FINAL) AS u ON u.serial = d.serial
      LEFT JOIN (SELECT serial, toNullable(first_day) AS first_day, first_wear, toNullable(last_day) AS last_day, last_wear FROM wear) AS w
        ON w.serial = d.serial
      LEFT JOIN (SELECT serial, toNullable(first_seen) AS first_seen, toNullable(last_seen) AS last_seen, toNullable(firmware) AS firmware FROM seen) AS s ON s.serial = d.serial`,
    { asOf: isoFromDay(asOf), window: writeRateWindowDays, model },
  );
  return rows.map((r) => {
    const start = dayFromIso(r.coverage_start);
    let wearPct: number | null = null;
    let perDay = 0;
    if (r.last_day !== null && r.last_wear !== null) {
      const lastDay = dayFromIso(r.last_day);
      const firstDay = r.first_day === null ? lastDay : dayFromIso(r.first_day);
      perDay = lastDay > firstDay && r.first_wear !== null ? Math.max(0, (r.last_wear - r.first_wear) / (lastDay - firstDay)) : 0;
      wearPct = r.last_wear + perDay * (asOf - lastDay);
    }
    return {
      serial: r.serial,
      model: r.model,
      coverageStart: start,
      // As the warranty rules read the term: the anniversary day is still covered (warranty/evaluate.ts).
      coverageEnd: addMonths(start, Number(r.warranty_months)) + 1,
      // Exposure before the first report is not watched: a unit enrolled with a past date had claims we never saw.
      observedFrom: Math.max(dayFromIso(r.observed_from), r.first_seen === null ? dayFromIso(r.observed_from) : dayFromIso(r.first_seen)),
      leftServiceOn: r.last_seen !== null && dayFromIso(r.last_seen) < asOf - silentDays ? dayFromIso(r.last_seen) + 1 : null,
      wearPct,
      wearPctPerDay: perDay,
      ...(r.firmware ? { firmware: r.firmware } : {}),
      ...(r.batch ? { batch: r.batch } : {}),
    };
  });
}

/** Claims (RMAs) opened in [from, to), by serial. */
export async function loadClaims(ch: ClickHouse, from: Day, to: Day): Promise<ClaimRecord[]> {
  const rows = await queryRows<{ serial: string; opened: string }>(
    ch.client,
    `SELECT serial, toString(opened_on) AS opened FROM analytics_claims
            WHERE opened_on >= {from:Date32} AND opened_on < {to:Date32}`,
    { from: isoFromDay(from), to: isoFromDay(to) },
  );
  return rows.map((r) => ({ serial: r.serial, openedOn: dayFromIso(r.opened) }));
}

/** The last day anything was recorded (telemetry or a claim), or null on an empty database. */
export async function lastDataDay(ch: ClickHouse): Promise<Day | null> {
  const [row] = await queryRows<{ last: string; rows: number }>(
    ch.client,
    `SELECT toString(greatest((SELECT max(day) FROM analytics_drive_days), (SELECT max(opened_on) FROM analytics_claims))) AS last,
                   (SELECT count() FROM analytics_drive_days) + (SELECT count() FROM analytics_claims) AS rows`,
  );
  return row && Number(row.rows) > 0 ? dayFromIso(row.last) : null;
}
