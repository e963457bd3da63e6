import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtestForecast, forecastClaims } from '../../analytics/forecast/run.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { runAnalyticsJob } from '../../jobs/analytics-refresh.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';
import { writeClaimHistory } from './analytics-fleet.ts';

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openTestClickHouse();
  await writeClaimHistory(ch, { units: 12000, seed: 7, start: '2023-01-01', end: '2025-07-01' });
});
afterAll(() => ch?.close());

describe('warranty-load forecast on a history with a known hazard', () => {
  it('forecasts the next 12 months from the month after the last data', async () => {
    const forecast = await forecastClaims(ch, { months: 12 });
    expect(forecast.as_of).toBe('2025-07-01');
    const months = [...new Set(forecast.cells.map((c) => c.month))];
    expect(months).toHaveLength(12);
    expect(months[0]).toBe('2025-07-01');
    // No new sales are forecast, so the covered base and its claims only shrink as units age out of coverage.
    const covered = forecast.cells.map((c) => c.units_covered);
    for (const [i, n] of covered.slice(1).entries()) expect(n).toBeLessThanOrEqual(covered[i]!);
    expect(forecast.units_in_coverage).toBeGreaterThan(10_000);
  });

  it('backtests the hidden last six months within the noise of the claim counts', async () => {
    const backtest = await backtestForecast(ch, 6);
    expect(backtest.as_of).toBe('2025-01-01');
    expect(backtest.months).toHaveLength(6);
    // ~12000 units at 0.4-1.2 % a month give ~45 claims a month: Poisson noise alone is ~15 % per month.
    expect(backtest.total_actual).toBeGreaterThan(250);
    expect(Math.abs(backtest.total_forecast - backtest.total_actual) / backtest.total_actual).toBeLessThan(0.1);
    expect(backtest.mape_pct!).toBeLessThan(20);
    expect(backtest.total_abs_error).toBeCloseTo(
      backtest.months.reduce((s, m) => s + Math.abs(m.forecast - m.actual), 0),
      10,
    );
    process.stderr.write(
      `backtest on a known hazard: ${JSON.stringify({ mape_pct: backtest.mape_pct, total_abs_error: backtest.total_abs_error, forecast: backtest.total_forecast, actual: backtest.total_actual })}\n`,
    );
  });
});

describe('scheduled analytics job', () => {
  it('decodes new serials and stores a 12-month forecast for the dashboards', async () => {
    const before = await queryRows<{ n: number }>(ch, 'SELECT count() AS n FROM analytics_units');
    expect(Number(before[0]!.n)).toBe(0);
    const { units } = await runAnalyticsJob(ch, loadCatalog());
    expect(units).toBeGreaterThan(10_000);
    const decoded = await queryRows<{ n: number; batches: number }>(ch, 'SELECT count() AS n, uniqExact(batch) AS batches FROM analytics_units FINAL');
    expect(Number(decoded[0]!.n)).toBe(12_000);
    const stored = await queryRows<{ months: number; total: number }>(
      ch,
      'SELECT uniqExact(month) AS months, sum(expected_claims) AS total FROM analytics_forecast WHERE run_at = (SELECT max(run_at) FROM analytics_forecast)',
    );
    expect(Number(stored[0]!.months)).toBe(12);
    expect(stored[0]!.total).toBeGreaterThan(0);
  });
});
