import { describe, expect, it } from 'vitest';
import { type ClaimRecord, daysPerMonth, estimateHazard, type ForecastUnit, projectClaims } from '../../analytics/forecast/model.ts';
import { scoreForecast } from '../../analytics/forecast/run.ts';
import { addMonths, dayFromIso } from '../../core/calendar.ts';

const asOf = dayFromIso('2025-01-01');

function unit(i: number, overrides: Partial<ForecastUnit> = {}): ForecastUnit {
  const start = asOf - 365;
  return {
    serial: `S${i}`,
    model: 'M',
    coverageStart: start,
    coverageEnd: addMonths(start, 36),
    observedFrom: start,
    wearPct: null,
    wearPctPerDay: 0,
    ...overrides,
  };
}

/** 1000 units watched for a year with one claim per 100 unit-months spread evenly: a hazard of 0.01 per unit-month. */
function steadyFleet() {
  const units = Array.from({ length: 1000 }, (_, i) => unit(i));
  const unitMonths = (1000 * 365) / daysPerMonth;
  const count = Math.round(unitMonths / 100);
  // Evenly over the year, so every age band sees the same rate.
  const claims: ClaimRecord[] = Array.from({ length: count }, (_, k) => ({
    serial: `S${k % 1000}`,
    openedOn: asOf - 365 + Math.floor(((k + 0.5) * 365) / count),
  }));
  return { units, claims, rate: claims.length / unitMonths };
}

describe('warranty-load forecast', () => {
  it('learns a constant hazard and projects it onto the units in coverage', () => {
    const { units, claims, rate } = steadyFleet();
    const hazard = estimateHazard(units, claims, asOf);
    expect(hazard.fleetRate).toBeCloseTo(rate, 10);
    const cells = projectClaims(units, hazard, asOf, 3);
    expect(cells).toHaveLength(3);
    // January has 31 days: 1000 units × 31/30.4375 unit-months × the rate (cells shrink toward it, not away).
    expect(cells[0]!.expected_claims).toBeCloseTo(1000 * (31 / daysPerMonth) * rate, 0);
    expect(cells[0]!.units_covered).toBe(1000);
  });

  it('drops units whose coverage ends by time, part-way through a month', () => {
    const { units, claims, rate } = steadyFleet();
    const hazard = estimateHazard(units, claims, asOf);
    const ending = units.map((u) => ({ ...u, coverageEnd: asOf + 10 }));
    const [january, february] = projectClaims(ending, hazard, asOf, 2);
    expect(january!.expected_claims).toBeCloseTo(1000 * (10 / daysPerMonth) * rate, 0);
    expect(february!.expected_claims).toBe(0);
    expect(february!.units_covered).toBe(0);
  });

  it('drops units when projected wear reaches the TBW or P/E rating', () => {
    const { units, claims } = steadyFleet();
    const hazard = estimateHazard(units, claims, asOf);
    const full = projectClaims(units.slice(0, 1), hazard, asOf, 1)[0]!.expected_claims;
    const wearing = projectClaims([{ ...units[0]!, wearPct: 95, wearPctPerDay: 1 }], hazard, asOf, 1)[0]!.expected_claims;
    // Covered 5 of 31 days (the hazard differs slightly across the age month boundary inside January).
    expect(wearing / ((full * 5) / 31)).toBeCloseTo(1, 2);
  });

  it('learns a higher hazard at the ages where claims happen', () => {
    const units = Array.from({ length: 1000 }, (_, i) => unit(i));
    // All claims in the 3rd month of life (age month 2).
    const claims = Array.from({ length: 200 }, (_, k) => ({ serial: `S${k}`, openedOn: units[0]!.coverageStart + 2 * 31 }));
    const hazard = estimateHazard(units, claims, asOf);
    expect(hazard.rate(units[0]!, 2)).toBeGreaterThan(10 * hazard.rate(units[0]!, 8));
  });

  it('scores a forecast against the claims of covered units only', () => {
    const units = [unit(1), unit(2, { coverageEnd: asOf + 5 })];
    const forecast = {
      as_of: '2025-01-01',
      months: 2,
      units_in_coverage: 2,
      cells: [
        { month: '2025-01-01', model: 'M', expected_claims: 2, units_covered: 2 },
        { month: '2025-02-01', model: 'M', expected_claims: 1, units_covered: 1 },
      ],
    };
    const claims = [
      { serial: 'S1', openedOn: asOf + 3 },
      { serial: 'S2', openedOn: asOf + 20 }, // after its coverage ended: not a warranty claim the forecast speaks for
      { serial: 'S1', openedOn: asOf + 40 },
      { serial: 'S9', openedOn: asOf + 40 }, // not in the installed base
    ];
    const score = scoreForecast(forecast, units, claims);
    expect(score.months).toEqual([
      { month: '2025-01-01', forecast: 2, actual: 1, abs_error: 1 },
      { month: '2025-02-01', forecast: 1, actual: 1, abs_error: 0 },
    ]);
    expect(score.mape_pct).toBeCloseTo(50, 10);
    expect(score.total_abs_error).toBe(1);
  });
});
