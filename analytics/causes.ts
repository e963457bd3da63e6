import type { ClickHouse } from '../core/clickhouse.ts';
import type { AnalyticsFilters } from './filters.ts';
import { afrPercent, standardizedRatio } from './stats.ts';
import { type ExposureCell, exposureByFactor, type Factor } from './trends.ts';

type Verdict = 'higher' | 'lower' | 'no_evidence';

/** One level of a factor as both cause views report it; `expected` and `ratio` are each view's own comparison. */
export interface LevelFigures {
  level: string;
  drive_days: number;
  failures: number;
  afr_pct: number;
  expected: number;
  ratio: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * `expected`: failures this level would have had at the rest of the fleet's rate for the same models; `ratio`:
 * observed ÷ expected, 2 means twice the failures of comparable drives elsewhere in the fleet.
 */
interface CauseRow extends LevelFigures {
  p: number;
  /** Benjamini-Hochberg adjusted p-value across the levels of this factor (many levels, many chances of a fluke). */
  q: number;
  verdict: Verdict;
}

export interface CauseReport {
  factor: Factor;
  confidence: number;
  baseline: { drive_days: number; failures: number; afr_pct: number };
  levels: CauseRow[];
}

/**
 * Which level of a factor fails more than it should. Each level is compared with the REST of the fleet, model by model
 * (indirect standardisation): a firmware that only ships on a fragile model is not blamed for the model. The expected
 * count uses the rest's failure rate of each model over the level's drive-days on that model; where the level has the
 * model to itself, the rest's overall rate stands in. Ranked by the lower confidence bound, so the top row is the level
 * we are most sure fails too often, not merely the one with the largest noisy ratio.
 */
export function rankCauses(factor: Factor, cells: ExposureCell[], confidence = 0.95): CauseReport {
  const byModel = new Map<string, { days: number; failures: number }>();
  for (const c of cells) {
    const m = byModel.get(c.model) ?? { days: 0, failures: 0 };
    m.days += c.drive_days;
    m.failures += c.failures;
    byModel.set(c.model, m);
  }
  const totalDays = cells.reduce((s, c) => s + c.drive_days, 0);
  const totalFailures = cells.reduce((s, c) => s + c.failures, 0);
  const levels = [...new Set(cells.map((c) => c.level))];

  const rows = levels.map((level) => {
    const own = cells.filter((c) => c.level === level);
    const days = own.reduce((s, c) => s + c.drive_days, 0);
    const failures = own.reduce((s, c) => s + c.failures, 0);
    const restDays = totalDays - days;
    const restRate = restDays > 0 ? (totalFailures - failures) / restDays : 0;
    const stratified = own.reduce((sum, c) => {
      const model = byModel.get(c.model)!;
      const modelRestDays = model.days - c.drive_days;
      const rate = modelRestDays > 0 ? (model.failures - c.failures) / modelRestDays : restRate;
      return sum + c.drive_days * rate;
    }, 0);
    // A rest of the fleet without a single failure gives no baseline; half a failure there (the usual continuity
    // correction) keeps the ratio finite and errs toward understating the excess.
    const expected = stratified === 0 && restDays > 0 ? (days * 0.5) / restDays : stratified;
    const rr = standardizedRatio(failures, expected, confidence);
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const verdict: Verdict = rr.lower > 1 ? 'higher' : rr.upper < 1 ? 'lower' : 'no_evidence';
    return {
      level,
      drive_days: days,
      failures,
      afr_pct: afrPercent(failures, days),
      expected,
      ratio: finite(rr.ratio),
      lower: finite(rr.lower),
      upper: finite(rr.upper),
      p: rr.p,
      q: 1,
      verdict,
    };
  });
  adjustBenjaminiHochberg(rows);
  rows.sort((a, b) => (b.lower ?? -1) - (a.lower ?? -1) || (b.ratio ?? -1) - (a.ratio ?? -1) || a.level.localeCompare(b.level));
  return {
    factor,
    confidence,
    baseline: { drive_days: totalDays, failures: totalFailures, afr_pct: afrPercent(totalFailures, totalDays) },
    levels: rows,
  };
}

function adjustBenjaminiHochberg(rows: { p: number; q: number }[]): void {
  const order = [...rows].sort((a, b) => b.p - a.p);
  let running = 1;
  order.forEach((row, i) => {
    const rank = rows.length - i;
    running = Math.min(running, (row.p * rows.length) / rank);
    row.q = running;
  });
}

export async function failureCauses(ch: ClickHouse, factor: Factor, filters: AnalyticsFilters, confidence = 0.95): Promise<CauseReport> {
  return rankCauses(factor, await exposureByFactor(ch, factor, filters), confidence);
}
