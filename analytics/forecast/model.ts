import { addMonths, type Day, isoFromDay } from '../../core/calendar.ts';
import { fitPoisson } from '../poisson.ts';

/** Days in an average month: ages are counted in these so a month of life is the same length for every unit. */
export const daysPerMonth = 30.4375;

export interface ForecastUnit {
  serial: string;
  model: string;
  coverageStart: Day;
  /** First day no longer covered by time (the day after the term's anniversary); wear can end it sooner. */
  coverageEnd: Day;
  /** First day the unit was observed (enrolled); history before it is unknown to us. */
  observedFrom: Day;
  /** % of TBW / P/E used at the as-of day, and its daily growth, when telemetry reports wear. */
  wearPct: number | null;
  wearPctPerDay: number;
  /** Day after the last report of a unit that fell silent before asOf (failed and swapped, retired); null while reporting. */
  leftServiceOn?: Day | null;
  /** Latest firmware and manufacturing batch before asOf, when known: the factors whose effects the hazard carries. */
  firmware?: string;
  batch?: string;
}

export interface ClaimRecord {
  serial: string;
  openedOn: Day;
}

export interface HazardTable {
  /** claims per unit-month of this unit at an age month */
  rate(unit: Pick<ForecastUnit, 'model' | 'firmware' | 'batch'>, ageMonth: number): number;
  /** claims per unit-month over the whole watched, covered history */
  fleetRate: number;
  /** Claim-rate ratio of each factor level against its reference level, adjusted for the other factors. */
  ratios: { factor: string; level: string; ratio: number | null }[];
}

/**
 * Age bands of the claim hazard: early life (infant mortality), the first year, the second, and later. Bands rather than
 * single months: a two-year history of a few thousand units has a few dozen claims per model, far too few to learn a
 * rate for every month of life, and month-level noise is what the forecast would then project.
 */
const ageBands = [0, 3, 12, 24, 36] as const;

function ageBand(month: number): string {
  let i = 0;
  while (i + 1 < ageBands.length && month >= ageBands[i + 1]!) i++;
  const next = ageBands[i + 1];
  return next === undefined ? `${ageBands[i]}+ months` : `${ageBands[i]}-${next - 1} months`;
}

/** The factors of the claim hazard: model and age band, and the firmware and batch the unit carries. */
const hazardFactors = ['model', 'age', 'firmware', 'batch'] as const;

function levelsOf(unit: Pick<ForecastUnit, 'model' | 'firmware' | 'batch'>, month: number): Record<(typeof hazardFactors)[number], string> {
  return { model: unit.model, age: ageBand(month), firmware: unit.firmware ?? 'unknown', batch: unit.batch ?? 'unknown' };
}

const ageMonth = (unit: ForecastUnit, day: Day) => Math.max(0, Math.floor((day - unit.coverageStart) / daysPerMonth));

/** The day wear reaches 100 % (coverage ends by TBW / P/E), or Infinity when it never does at the current write rate. */
function wearOutDay(unit: ForecastUnit, asOf: Day): number {
  if (unit.wearPct === null) return Number.POSITIVE_INFINITY;
  if (unit.wearPct >= 100) return asOf - (unit.wearPctPerDay > 0 ? (unit.wearPct - 100) / unit.wearPctPerDay : 0);
  return unit.wearPctPerDay > 0 ? asOf + (100 - unit.wearPct) / unit.wearPctPerDay : Number.POSITIVE_INFINITY;
}

/** The part of [from, to) during which the unit is covered (and, unless `evenIfSilent`, still in service). */
function coveredSpan(unit: ForecastUnit, asOf: Day, from: Day, to: Day, evenIfSilent = false): [number, number] {
  const start = Math.max(from, unit.coverageStart);
  const silent = evenIfSilent ? Number.POSITIVE_INFINITY : (unit.leftServiceOn ?? Number.POSITIVE_INFINITY);
  const end = Math.min(to, unit.coverageEnd, wearOutDay(unit, asOf), silent);
  return [start, Math.max(start, end)];
}

/** Adds a covered span to `cells` as unit-months per age month. */
function addExposure(cells: Map<number, number>, unit: ForecastUnit, [start, end]: [number, number]): void {
  let day = start;
  while (day < end) {
    const age = ageMonth(unit, day);
    const ageEnd = Math.min(end, unit.coverageStart + (age + 1) * daysPerMonth);
    const next = ageEnd > day ? ageEnd : end;
    cells.set(age, (cells.get(age) ?? 0) + (next - day) / daysPerMonth);
    day = next;
  }
}

/** Unit-months per age month of a unit's watched, covered history before asOf. */
function watchedExposure(unit: ForecastUnit, asOf: Day): Map<number, number> {
  const exposure = new Map<number, number>();
  addExposure(exposure, unit, coveredSpan(unit, asOf, unit.observedFrom, asOf));
  return exposure;
}

/** The age month a claim counts at: its own, or the last in service for a unit that fell silent before filing. */
function claimAge(unit: ForecastUnit, claim: ClaimRecord, asOf: Day): number | null {
  const [start, end] = coveredSpan(unit, asOf, unit.observedFrom, asOf, true);
  if (claim.openedOn < start || claim.openedOn >= end || claim.openedOn >= asOf) return null;
  return ageMonth(unit, Math.min(claim.openedOn, (unit.leftServiceOn ?? Number.POSITIVE_INFINITY) - 1));
}

/**
 * Claim hazard per unit-month: a Poisson regression of the claims of covered, watched units on model, age band,
 * firmware and batch (unit-months as exposure). A bad batch or release raises the forecast for exactly the units that
 * carry it instead of being smeared over its model, and a model's early-life excess applies to its young units only.
 * Sparse levels are pooled and every ratio is held near 1 by the regression's prior, so a level with a claim or two
 * does not swing the forecast.
 */
export function estimateHazard(units: ForecastUnit[], claims: ClaimRecord[], asOf: Day): HazardTable {
  const cells = new Map<string, { levels: Record<string, string>; events: number; exposure: number }>();
  const cellOf = (unit: ForecastUnit, month: number) => {
    const levels = levelsOf(unit, month);
    const key = JSON.stringify(levels);
    const cell = cells.get(key) ?? { levels, events: 0, exposure: 0 };
    cells.set(key, cell);
    return cell;
  };
  for (const unit of units) for (const [age, months] of watchedExposure(unit, asOf)) cellOf(unit, age).exposure += months;
  const bySerial = new Map(units.map((u) => [u.serial, u]));
  for (const claim of claims) {
    const unit = bySerial.get(claim.serial);
    const age = unit ? claimAge(unit, claim, asOf) : null;
    if (unit && age !== null) cellOf(unit, age).events += 1;
  }
  const all = [...cells.values()];
  const totalExposure = all.reduce((s, c) => s + c.exposure, 0);
  const fleetRate = totalExposure > 0 ? all.reduce((s, c) => s + c.events, 0) / totalExposure : 0;
  if (fleetRate === 0) return { fleetRate, ratios: [], rate: () => 0 };
  const varying = hazardFactors.filter((f) => new Set(all.map((c) => c.levels[f])).size > 1);
  const fit = fitPoisson(all, varying);
  return {
    fleetRate,
    ratios: fit.levels.map((l) => ({ factor: l.factor, level: l.level, ratio: l.ratio })),
    rate: (unit, age) => fit.rate(levelsOf(unit, age)),
  };
}

export interface ForecastCell {
  /** first day of the month, YYYY-MM-DD */
  month: string;
  model: string;
  expected_claims: number;
  /** units covered on the month's first day */
  units_covered: number;
}

/**
 * Expected claims per calendar month for `months` months from asOf (the first day of a month), per model: each unit
 * still covered contributes hazard(model, its age) for the days it stays covered, leaving coverage when its term ends
 * or when its projected wear reaches the TBW / P/E rating.
 */
export function projectClaims(units: ForecastUnit[], hazard: HazardTable, asOf: Day, months: number): ForecastCell[] {
  const out = new Map<string, ForecastCell>();
  for (let j = 0; j < months; j++) {
    const from = addMonths(asOf, j);
    const to = addMonths(asOf, j + 1);
    for (const unit of units) {
      const key = `${j}|${unit.model}`;
      const row = out.get(key) ?? { month: isoFromDay(from), model: unit.model, expected_claims: 0, units_covered: 0 };
      out.set(key, row);
      const span = coveredSpan(unit, asOf, from, to);
      if (span[1] <= span[0]) continue;
      if (span[0] === from) row.units_covered += 1;
      const exposure = new Map<number, number>();
      addExposure(exposure, unit, span);
      for (const [age, unitMonths] of exposure) row.expected_claims += hazard.rate(unit, age) * unitMonths;
    }
  }
  return [...out.values()].sort((a, b) => a.month.localeCompare(b.month) || a.model.localeCompare(b.model));
}

/** Whether the unit is covered on `day` (by time and by projected wear). */
export function coveredOn(unit: ForecastUnit, asOf: Day, day: Day): boolean {
  const [start, end] = coveredSpan(unit, asOf, day, day + 1);
  return end > start;
}
