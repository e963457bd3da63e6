import type { ClickHouse } from '../core/clickhouse.ts';
import { insertRows, queryRows } from '../core/query.ts';
import type { LevelFigures } from './causes.ts';
import { type AnalyticsFilters, filterConditions, filterParams } from './filters.ts';
import { type FactorTest, fitPoisson, type LevelStatus, type PoissonCell, type PoissonFit } from './poisson.ts';
import { afrPercent } from './stats.ts';
import { type Factor, factorColumns } from './trends.ts';

/** The factors adjusted for each other. Unsafe shutdowns stay a one-factor view: they are a symptom as much as a cause. */
export const adjustedFactors = ['model', 'firmware', 'batch', 'age', 'temperature', 'fleet', 'wear'] as const;
export type AdjustedFactor = (typeof adjustedFactors)[number];

/**
 * Wear is in the model although nobody sends wear back to engineering: cards worn past their P/E rating fail whatever
 * batch they came from, and without it an old, heavily written batch looks like a bad one.
 */
const wearBand = `if(e.wear_pct IS NULL, 'unknown', ['<50 %', '50-79 %', '80-99 %', '100+ %'][1 + arrayCount(b -> b <= assumeNotNull(e.wear_pct), [50, 80, 100])])`;
const columnOf = (f: AdjustedFactor) => (f === 'fleet' ? 'e.fleet_id' : f === 'wear' ? wearBand : `e.${factorColumns[f as Factor]}`);

type AdjustedVerdict = 'higher' | 'lower' | 'no_evidence' | 'not_estimable';

/**
 * `expected`: failures this level would have had at the reference level, everything else (model, batch, age, …) as it
 * was; `ratio`: the adjusted rate ratio against the factor's reference level, null when not estimable on its own.
 */
interface AdjustedCauseRow extends LevelFigures {
  status: LevelStatus;
  verdict: AdjustedVerdict;
}

export interface AdjustedCauseReport {
  factor: AdjustedFactor;
  adjusted: true;
  adjusted_for: AdjustedFactor[];
  confidence: number;
  reference: string;
  /** Likelihood-ratio test of the whole factor: does it explain failures beyond the other factors? */
  test: FactorTest;
  min_failures: number;
  levels: AdjustedCauseRow[];
}

/** Failures and drive-days per combination of all adjusted factors: the regression's aggregated exposure cells. */
export async function exposureCells(ch: ClickHouse, filters: AnalyticsFilters): Promise<PoissonCell[]> {
  const columns = adjustedFactors.map((f) => `toString(${columnOf(f)}) AS ${f}`).join(', ');
  const rows = await queryRows<Record<AdjustedFactor, string> & { drive_days: string; failures: string }>(
    ch.client,
    `SELECT ${columns},
            sum(least(e.drive_days, dateDiff('day', e.day, {to:Date32}))) AS drive_days,
            sum(e.failed = 1 AND e.failed_on < {to:Date32}) AS failures
     FROM analytics_exposure AS e
     WHERE e.day >= {from:Date32} AND e.day < {to:Date32} AND ${filterConditions}
     GROUP BY ${adjustedFactors.join(', ')}`,
    filterParams(filters),
  );
  return rows.map((r) => ({
    levels: Object.fromEntries(adjustedFactors.map((f) => [f, r[f]])),
    events: Number(r.failures),
    exposure: Number(r.drive_days),
  }));
}

/**
 * Which levels of a factor fail more than they should once every other factor is accounted for. Levels are ranked by
 * the lower bound of their adjusted rate ratio: the top row is the level we are most sure fails too often. Pooled and
 * aliased levels come last, reported but not judged.
 */
export function adjustedCauses(factor: AdjustedFactor, cells: PoissonCell[], options: { confidence?: number; minFailures?: number } = {}): AdjustedCauseReport {
  return adjustedCauseReports(cells, options).find((r) => r.factor === factor)!;
}

/** The reports of every adjusted factor from one fit (the regression is the same whichever factor is read). */
function adjustedCauseReports(cells: PoissonCell[], options: { confidence?: number; minFailures?: number } = {}): AdjustedCauseReport[] {
  const confidence = options.confidence ?? 0.95;
  const minFailures = options.minFailures ?? 3;
  // A factor constant under the filters (e.g. model=X) carries no information; fitting it would only alias.
  const varying = adjustedFactors.filter((f) => new Set(cells.map((c) => c.levels[f])).size > 1);
  const fit = fitPoisson(cells, varying, { confidence, minEvents: minFailures });
  return adjustedFactors.map((factor) => report(factor, fit, varying, confidence, minFailures));
}

function report(factor: AdjustedFactor, fit: PoissonFit, varying: AdjustedFactor[], confidence: number, minFailures: number): AdjustedCauseReport {
  const levels = fit.levels
    .filter((l) => l.factor === factor)
    .map((l): AdjustedCauseRow => {
      const judged = l.status === 'estimated' && l.lower !== null && l.upper !== null;
      const verdict: AdjustedVerdict = !judged
        ? l.status === 'reference'
          ? 'no_evidence'
          : 'not_estimable'
        : l.lower! > 1
          ? 'higher'
          : l.upper! < 1
            ? 'lower'
            : 'no_evidence';
      return {
        level: l.level,
        status: l.status,
        drive_days: l.exposure,
        failures: l.events,
        afr_pct: afrPercent(l.events, l.exposure),
        expected: l.expected,
        ratio: l.status === 'estimated' || l.status === 'reference' ? l.ratio : null,
        lower: l.status === 'estimated' ? l.lower : null,
        upper: l.status === 'estimated' ? l.upper : null,
        verdict,
      };
    });
  const rank = (r: AdjustedCauseRow) => (r.status === 'estimated' ? 0 : r.status === 'reference' ? 1 : 2);
  levels.sort((a, b) => rank(a) - rank(b) || (b.lower ?? -1) - (a.lower ?? -1) || b.failures - a.failures || a.level.localeCompare(b.level));
  return {
    factor,
    adjusted: true,
    adjusted_for: varying.filter((f) => f !== factor),
    confidence,
    reference: levels.find((l) => l.status === 'reference')?.level ?? '',
    test: fit.tests.find((t) => t.factor === factor) ?? { factor, chi2: 0, df: 0, p: 1 },
    min_failures: minFailures,
    levels,
  };
}

export async function adjustedFailureCauses(
  ch: ClickHouse,
  factor: AdjustedFactor,
  filters: AnalyticsFilters,
  confidence = 0.95,
): Promise<AdjustedCauseReport> {
  return adjustedCauses(factor, await exposureCells(ch, filters), { confidence });
}

/** Stores every factor's adjusted ranking for the dashboards; nothing to store before the first failure-free day. */
export async function saveAdjustedCauses(ch: ClickHouse, runAt = Date.now()): Promise<number> {
  const cells = await exposureCells(ch, {});
  if (!cells.some((c) => c.events > 0)) return 0;
  const rows = adjustedCauseReports(cells).flatMap((r) =>
    r.levels.map((l, rank) => ({
      run_at: runAt,
      factor: r.factor,
      rank,
      level: l.level,
      status: l.status,
      failures: l.failures,
      drive_days: l.drive_days,
      ratio: l.ratio,
      lower: l.lower,
      upper: l.upper,
      verdict: l.verdict,
      factor_p: r.test.p,
    })),
  );
  await insertRows(ch.client, 'analytics_causes_adjusted', rows);
  return rows.length;
}
