import { addMonths, type Day, dayFromIso, isoFromDay } from '../../core/calendar.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { WearwatchError } from '../../core/errors.ts';
import { insertRows } from '../../core/query.ts';
import { lastDataDay, loadClaims, loadUnits } from './data.ts';
import { type ClaimRecord, coveredOn, estimateHazard, type ForecastCell, type ForecastUnit, projectClaims } from './model.ts';

export interface ForecastOptions {
  /** first day of the first forecast month, YYYY-MM-DD; default: the month after the last recorded data */
  asOf?: string;
  months: number;
  model?: string;
}

export interface Forecast {
  as_of: string;
  months: number;
  units_in_coverage: number;
  cells: ForecastCell[];
}

const monthStart = (day: Day) => dayFromIso(`${isoFromDay(day).slice(0, 7)}-01`);

/** First day of the first month not fully recorded yet: forecasts start there, backtests end there. */
async function dataHorizon(ch: ClickHouse): Promise<Day> {
  const last = await lastDataDay(ch);
  if (last === null) {
    throw new WearwatchError(
      'WW_NO_HISTORY',
      'there is no telemetry or claim history to learn claim rates from',
      'ingest data first, e.g. `wearwatch simulate`',
    );
  }
  return monthStart(last + 1) === last + 1 ? last + 1 : monthStart(last);
}

async function forecastFrom(ch: ClickHouse, asOf: Day, months: number, model = ''): Promise<{ forecast: Forecast; units: ForecastUnit[] }> {
  const units = await loadUnits(ch, asOf, model);
  const history = await loadClaims(ch, dayFromIso('1900-01-01'), asOf);
  const hazard = estimateHazard(units, history, asOf);
  const covered = units.filter((u) => coveredOn(u, asOf, asOf));
  return {
    units: covered,
    forecast: { as_of: isoFromDay(asOf), months, units_in_coverage: covered.length, cells: projectClaims(covered, hazard, asOf, months) },
  };
}

/** Expected warranty claims per month and model for the next `months` months. */
export async function forecastClaims(ch: ClickHouse, options: ForecastOptions): Promise<Forecast> {
  const asOf = options.asOf ? monthStart(dayFromIso(options.asOf)) : await dataHorizon(ch);
  return (await forecastFrom(ch, asOf, options.months, options.model)).forecast;
}

interface BacktestMonth {
  month: string;
  forecast: number;
  actual: number;
  abs_error: number;
}

export interface Backtest {
  as_of: string;
  months: BacktestMonth[];
  by_model: { model: string; forecast: number; actual: number }[];
  /** mean of |forecast − actual| / actual over months with claims, in % */
  mape_pct: number | null;
  /** Σ |forecast − actual| over the months, in claims */
  total_abs_error: number;
  total_forecast: number;
  total_actual: number;
}

/**
 * Compares a forecast with the claims that happened. Actual claims count when the unit was in the forecast's installed
 * base and covered on the claim's day: the same population the forecast speaks for (new sales are not forecast).
 */
export function scoreForecast(forecast: Forecast, units: ForecastUnit[], claims: ClaimRecord[]): Backtest {
  const asOf = dayFromIso(forecast.as_of);
  const bySerial = new Map(units.map((u) => [u.serial, u]));
  const actual = new Map<string, number>();
  for (const claim of claims) {
    const unit = bySerial.get(claim.serial);
    if (!unit || !coveredOn(unit, asOf, claim.openedOn)) continue;
    const key = `${isoFromDay(monthStart(claim.openedOn))}|${unit.model}`;
    actual.set(key, (actual.get(key) ?? 0) + 1);
  }
  const months = [...new Set(forecast.cells.map((c) => c.month))].sort().map((month) => {
    const cells = forecast.cells.filter((c) => c.month === month);
    const f = cells.reduce((s, c) => s + c.expected_claims, 0);
    const a = cells.reduce((s, c) => s + (actual.get(`${month}|${c.model}`) ?? 0), 0);
    return { month, forecast: f, actual: a, abs_error: Math.abs(f - a) };
  });
  const models = [...new Set(forecast.cells.map((c) => c.model))].sort();
  const byModel = models.map((model) => ({
    model,
    forecast: forecast.cells.filter((c) => c.model === model).reduce((s, c) => s + c.expected_claims, 0),
    actual: [...actual].filter(([k]) => k.endsWith(`|${model}`)).reduce((s, [, n]) => s + n, 0),
  }));
  const scored = months.filter((m) => m.actual > 0);
  return {
    as_of: forecast.as_of,
    months,
    by_model: byModel,
    mape_pct: scored.length ? (scored.reduce((s, m) => s + m.abs_error / m.actual, 0) / scored.length) * 100 : null,
    total_abs_error: months.reduce((s, m) => s + m.abs_error, 0),
    total_forecast: months.reduce((s, m) => s + m.forecast, 0),
    total_actual: months.reduce((s, m) => s + m.actual, 0),
  };
}

/** Hides the last `months` complete months, forecasts them from the history before, and scores the forecast. */
export async function backtestForecast(ch: ClickHouse, months: number, model = ''): Promise<Backtest> {
  const end = await dataHorizon(ch);
  const asOf = addMonths(end, -months);
  const { forecast, units } = await forecastFrom(ch, asOf, months, model);
  return scoreForecast(forecast, units, await loadClaims(ch, asOf, end));
}

/** Stores a forecast run so dashboards can compare it with the claims that arrive later. */
export async function saveForecast(ch: ClickHouse, forecast: Forecast, runAt = Date.now()): Promise<void> {
  await insertRows(
    ch.client,
    'analytics_forecast',
    forecast.cells.map((c) => ({ run_at: runAt, as_of: forecast.as_of, ...c })),
  );
}
