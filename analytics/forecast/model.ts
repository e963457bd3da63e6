import { addMonths, type Day, isoFromDay } from '../../core/calendar.ts';

/** Days in an average month: ages are counted in these so a month of life is the same length for every unit. */
export const daysPerMonth = 30.4375;

/** Prior weights (unit-months) pulling sparse cells toward broader estimates: an age month of one model toward that
 * model's rate shaped by the fleet's age curve, a rarely sold model toward the fleet. */
export const shrinkage = { ageMonths: 120, modelMonths: 600 } as const;

export interface ForecastUnit {
  serial: string;
  model: string;
  coverageStart: Day;
  /** Coverage end by time (start + warranty term); wear can end it sooner. */
  coverageEnd: Day;
  /** First day the unit was observed (enrolled); history before it is unknown to us. */
  observedFrom: Day;
  /** % of TBW / P/E used at the as-of day, and its daily growth, when telemetry reports wear. */
  wearPct: number | null;
  wearPctPerDay: number;
  /** Day after the last report of a unit that fell silent before asOf (failed and swapped, retired); null while reporting. */
  leftServiceOn?: Day | null;
}

export interface ClaimRecord {
  serial: string;
  openedOn: Day;
}

export interface HazardTable {
  /** claims per unit-month at (model, age month); beyond known ages the model's own rate. */
  rate(model: string, ageMonth: number): number;
  fleetRate: number;
}

const ageMonth = (unit: ForecastUnit, day: Day) => Math.max(0, Math.floor((day - unit.coverageStart) / daysPerMonth));

/** The day wear reaches 100 % (coverage ends by TBW / P/E), or Infinity when it never does at the current write rate. */
export function wearOutDay(unit: ForecastUnit, asOf: Day): number {
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

type Cells = Map<string, Map<number, { exposure: number; claims: number }>>;

/**
 * Claim hazard by model and month of life, observed while units were covered and watched (from enrolment to asOf).
 * Estimates are empirical-Bayes: rate = (claims + k·prior) / (exposure + k), so a cell with little exposure leans on the
 * model's rate times the fleet's age shape, and a model with little exposure leans on the fleet.
 */
export function estimateHazard(units: ForecastUnit[], claims: ClaimRecord[], asOf: Day): HazardTable {
  const cells: Cells = new Map();
  const cell = (model: string, age: number) => {
    const byAge = cells.get(model) ?? new Map();
    cells.set(model, byAge);
    const c = byAge.get(age) ?? { exposure: 0, claims: 0 };
    byAge.set(age, c);
    return c;
  };
  const unitsBySerial = new Map(units.map((u) => [u.serial, u]));
  for (const unit of units) {
    const exposure = new Map<number, number>();
    addExposure(exposure, unit, coveredSpan(unit, asOf, unit.observedFrom, asOf));
    for (const [age, months] of exposure) cell(unit.model, age).exposure += months;
  }
  for (const claim of claims) {
    const unit = unitsBySerial.get(claim.serial);
    if (!unit || claim.openedOn >= asOf) continue;
    // A failed unit falls silent weeks before its owner files: the claim still counts, at the age it left service.
    const [start, end] = coveredSpan(unit, asOf, unit.observedFrom, asOf, true);
    const lastInService = Math.min(claim.openedOn, (unit.leftServiceOn ?? Number.POSITIVE_INFINITY) - 1);
    if (claim.openedOn >= start && claim.openedOn < end) cell(unit.model, ageMonth(unit, lastInService)).claims += 1;
  }

  let fleetExposure = 0;
  let fleetClaims = 0;
  const byAge = new Map<number, { exposure: number; claims: number }>();
  const byModel = new Map<string, { exposure: number; claims: number }>();
  for (const [model, ages] of cells) {
    for (const [age, c] of ages) {
      fleetExposure += c.exposure;
      fleetClaims += c.claims;
      const a = byAge.get(age) ?? { exposure: 0, claims: 0 };
      a.exposure += c.exposure;
      a.claims += c.claims;
      byAge.set(age, a);
      const m = byModel.get(model) ?? { exposure: 0, claims: 0 };
      m.exposure += c.exposure;
      m.claims += c.claims;
      byModel.set(model, m);
    }
  }
  const fleetRate = fleetExposure > 0 ? fleetClaims / fleetExposure : 0;
  const shrink = (claimsN: number, exposure: number, prior: number, k: number) => (claimsN + k * prior) / (exposure + k);
  const ageShape = (age: number) => {
    const a = byAge.get(age);
    return fleetRate > 0 && a ? shrink(a.claims, a.exposure, fleetRate, shrinkage.ageMonths) / fleetRate : 1;
  };
  const modelRate = (model: string) => {
    const m = byModel.get(model);
    return m ? shrink(m.claims, m.exposure, fleetRate, shrinkage.modelMonths) : fleetRate;
  };
  return {
    fleetRate,
    rate(model, age) {
      const prior = modelRate(model) * ageShape(age);
      const c = cells.get(model)?.get(age);
      return c ? shrink(c.claims, c.exposure, prior, shrinkage.ageMonths) : prior;
    },
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
      for (const [age, unitMonths] of exposure) row.expected_claims += hazard.rate(unit.model, age) * unitMonths;
    }
  }
  return [...out.values()].sort((a, b) => a.month.localeCompare(b.month) || a.model.localeCompare(b.model));
}

/** Whether the unit is covered on `day` (by time and by projected wear). */
export function coveredOn(unit: ForecastUnit, asOf: Day, day: Day): boolean {
  const [start, end] = coveredSpan(unit, asOf, day, day + 1);
  return end > start;
}
