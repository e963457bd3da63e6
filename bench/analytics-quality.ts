import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adjustedCauses, exposureCells } from '../analytics/adjusted-causes.ts';
import { failureCauses } from '../analytics/causes.ts';
import { backtestForecast } from '../analytics/forecast/run.ts';
import { backtestRisk } from '../analytics/risk.ts';
import { refreshUnitAttributes } from '../analytics/units.ts';
import { addMonths, dayFromIso } from '../core/calendar.ts';
import { loadCatalog } from '../core/catalog/load.ts';
import { openClickHouse } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { migrate } from '../infra/clickhouse/migrate.ts';
import { demoFleet } from '../simulator/demo-fleet.ts';
import { writeSimulatedFleet } from '../test/support/sim-fleet.ts';

/**
 * The quality figures on the demo fleet (seed, size and sampling of `wearwatch up --demo`, window ending on a fixed
 * day): adjusted and unadjusted failure causes, the 6-month forecast backtest and the failure-risk backtest (top 5 % at
 * each of the six monthly ranking days before the end, against the most-worn 5 %).
 */
const end = process.argv[2] ?? '2026-12-01';
const dataDir = mkdtempSync(join(tmpdir(), 'wearwatch-bench-quality-'));
const clickhouse = await openClickHouse(loadConfig({ WEARWATCH_DATA: dataDir }));
const log = (line: string) => process.stdout.write(`${line}\n`);
try {
  await migrate(clickhouse.client);
  const started = performance.now();
  const { truth } = await writeSimulatedFleet(clickhouse, { ...demoFleet, end: dayFromIso(end) });
  log(
    `planted: firmware ${truth.bad_firmware.join(', ')}; batches ${truth.bad_batches.map((b) => `${b.batch} (${b.failures} failures)`).join(', ')}; ${truth.failures} failures in all`,
  );
  await refreshUnitAttributes(clickhouse, loadCatalog());
  log(`demo fleet written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const factor of ['firmware', 'batch'] as const) {
    const unadjusted = await failureCauses(clickhouse, factor, {});
    const t0 = performance.now();
    const adjusted = adjustedCauses(factor, await exposureCells(clickhouse, {}));
    const top = adjusted.levels.slice(0, 4).map((l) => `${l.level} ${l.ratio?.toFixed(2)} [${l.lower?.toFixed(2)}, ${l.upper?.toFixed(2)}] ${l.verdict}`);
    log(`adjusted ${factor} (${((performance.now() - t0) / 1000).toFixed(1)} s, LR p=${adjusted.test.p.toExponential(1)}): ${top.join('; ')}`);
    log(
      `unadjusted ${factor}: ${unadjusted.levels
        .slice(0, 4)
        .map((l) => `${l.level} ${l.ratio?.toFixed(2)} [${l.lower?.toFixed(2)}]`)
        .join(', ')}`,
    );
  }
  const backtest = await backtestForecast(clickhouse, 6);
  log(`backtest 6 months: ${JSON.stringify(backtest.months.map((m) => [m.month, +m.forecast.toFixed(1), m.actual]))}`);
  log(`by model: ${JSON.stringify(backtest.by_model.map((m) => [m.model, +m.forecast.toFixed(1), m.actual]))}`);
  log(
    `MAPE ${backtest.mape_pct?.toFixed(1)} %, total forecast ${backtest.total_forecast.toFixed(1)} vs actual ${backtest.total_actual}, total |error| ${backtest.total_abs_error.toFixed(1)}`,
  );
  const risk = { failures: 0, model: 0, wear: 0, flagged: 0 };
  for (const back of [1, 2, 3, 4, 5, 6]) {
    const r = await backtestRisk(clickhouse, addMonths(dayFromIso(end), -back));
    risk.failures += r.failures_next_30d;
    risk.model += r.model.found;
    risk.wear += r.wear_baseline.found;
    risk.flagged += r.top_n;
    log(`risk ${r.as_of}: ${r.failures_next_30d} failures in 30 days; top ${r.top_n}: model ${r.model.found}, wear ${r.wear_baseline.found}`);
  }
  const pct = (n: number, d: number) => `${((n / Math.max(1, d)) * 100).toFixed(1)} %`;
  log(
    `risk top 5 %, 6 ranking days: model recall ${pct(risk.model, risk.failures)} precision ${pct(risk.model, risk.flagged)}; wear baseline recall ${pct(risk.wear, risk.failures)} precision ${pct(risk.wear, risk.flagged)} (${risk.failures} failures)`,
  );
} finally {
  await clickhouse.close();
  rmSync(dataDir, { recursive: true, force: true });
}
