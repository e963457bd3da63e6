import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureCauses } from '../analytics/causes.ts';
import { backtestForecast, forecastClaims } from '../analytics/forecast/run.ts';
import { afrTrend, claimTrend, wearDistribution } from '../analytics/trends.ts';
import { refreshUnitAttributes } from '../analytics/units.ts';
import { loadCatalog } from '../core/catalog/load.ts';
import { openClickHouse } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { migrate } from '../infra/clickhouse/migrate.ts';
import { median, positiveIntegerOptions } from './support.ts';

/**
 * Analytics read speed on embedded chDB: N SSDs reporting weekly for a year (generated with SQL inside chDB), 2 % of
 * them with a replaced-under-warranty claim. Times each view the API and pages serve and prints medians of R runs.
 * Last line: one JSON object.
 */
const { units, runs } = positiveIntegerOptions('analytics', { units: 20_000, runs: 5 });

const dataDir = mkdtempSync(join(tmpdir(), 'wearwatch-bench-analytics-'));
const clickhouse = await openClickHouse(loadConfig({ WEARWATCH_DATA: dataDir }));
const { client } = clickhouse;
const log = (line: string) => process.stdout.write(`${line}\n`);
const weeks = 52;
try {
  await migrate(client);
  const catalog = loadCatalog();
  const started = performance.now();
  const serial = `concat('NV24', leftPad(toString(number % 40 + 10), 2, '0'), leftPad(toString(number), 6, '0'))`;
  await client.command({
    query: `INSERT INTO drives (serial, model, fleet_id, purchase_date, proof_of_purchase, price_paid, currency, enrolled_at)
            SELECT ${serial}, 'WW-NV4-1T', concat('fleet-', toString(number % 20)), toDate32('2024-12-01'), 'INV', 100, 'EUR', toDateTime64('2024-12-01 00:00:00', 3)
            FROM numbers({n:UInt32})`,
    query_params: { n: units },
  });
  await client.command({
    query: `INSERT INTO telemetry (serial, fleet_id, collected_at, model, firmware, host_bytes_written, temperature_c, unsafe_shutdowns, critical_warning, source)
            SELECT ${serial}, concat('fleet-', toString(number % 20)), toDateTime64('2025-01-01 12:00:00', 3) + toIntervalDay(w * 7), 'WW-NV4-1T',
                   ['NV4-1.2.0', 'NV4-2.0.1', 'NV4-2.0.3'][number % 3 + 1], toUInt64((number % 100 + 1) * 1e12 + w * 5e11),
                   toInt16(30 + number % 45), toUInt32(number % 60 + intDiv(w, 10)), 0, 'bench'
            FROM numbers({n:UInt32}) ARRAY JOIN range({weeks:UInt32}) AS w`,
    query_params: { n: units, weeks },
  });
  await client.command({
    query: `INSERT INTO rma_events (event_id, rma_number, serial, event_type, occurred_at, findings, reasons, replacement_serial, details)
            SELECT generateUUIDv4(), concat('RMA-B', toString(number)), ${serial}, t, toDateTime64('2025-01-10 09:00:00', 3) + toIntervalDay(number % 340 + if(t = 'requested', 0, 5)),
                   if(t = 'replaced', ['defect_confirmed'], []), [], if(t = 'replaced', concat('R', toString(number)), NULL), '{}'
            FROM numbers({n:UInt32}) ARRAY JOIN ['requested', 'replaced'] AS t WHERE number % 50 = 0`,
    query_params: { n: units },
  });
  log(`generated ${units} drives × ${weeks} weekly samples (${units * weeks} telemetry rows) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const views: [string, () => Promise<unknown>][] = [
    ['refresh_units_ms', () => refreshUnitAttributes(clickhouse, catalog)],
    ['afr_by_firmware_ms', () => afrTrend(clickhouse, 'firmware', {})],
    ['causes_firmware_ms', () => failureCauses(clickhouse, 'firmware', {})],
    ['causes_batch_ms', () => failureCauses(clickhouse, 'batch', {})],
    ['claims_by_reason_ms', () => claimTrend(clickhouse, 'reason', {})],
    ['wear_distribution_ms', () => wearDistribution(clickhouse, {})],
    ['forecast_12_months_ms', () => forecastClaims(clickhouse, { months: 12 })],
    ['backtest_6_months_ms', () => backtestForecast(clickhouse, 6)],
  ];
  const figures: Record<string, number> = { units, telemetry_rows: units * weeks, runs };
  for (const [name, run] of views) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    figures[name] = Math.round(median(times));
    log(
      `${name.replace(/_ms$/, '').replace(/_/g, ' ').padEnd(22)} median ${figures[name]} ms (min ${Math.round(Math.min(...times))}, max ${Math.round(Math.max(...times))})`,
    );
  }
  log(JSON.stringify(figures));
} finally {
  await clickhouse.close();
  rmSync(dataDir, { recursive: true, force: true });
}
