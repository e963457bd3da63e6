import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../core/catalog/load.ts';
import { type ClickHouseClient, openClickHouse } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { queryFirst, queryRows } from '../core/query.ts';
import { sleep } from '../core/sleep.ts';
import { migrate } from '../infra/clickhouse/migrate.ts';
import { runBulkEvaluation } from '../warranty/bulk.ts';
import { snapshotInsertSettings, snapshotOrder } from '../warranty/bulk-sql.ts';
import type { ThresholdSet } from '../warranty/thresholds.ts';
import { median, positiveIntegerOptions } from './support.ts';

/**
 * Bulk warranty evaluation + flagging speed, embedded chDB. Generates N enrolled units (two telemetry samples each,
 * 1 % with RMA history incl. replacements) with SQL inside chDB, runs the first two evaluations of the new fleet
 * (reported apart), then times daily evaluation runs (serial decode check, flag state, lineage, snapshot, flags, flag
 * changes) and prints the median with each step's share: first on fully merged tables, then again after 1 % of the
 * units sent a new sample, as in service. After every run it times the floor: an INSERT … SELECT that reads the same
 * per-unit table (FINAL, as the evaluation does) and writes as many rows and columns, in the same order, into a
 * snapshot-shaped table with no rules — what reading and writing alone cost on this machine at this moment. Last line:
 * one JSON object; `seconds` is the in-service figure (fresh samples), `merged` the fully merged one, each with its
 * floor and ratio.
 */
const { units, runs } = positiveIntegerOptions('evaluate', { units: 1_000_000, runs: 5 });

const dataDir = mkdtempSync(join(tmpdir(), 'wearwatch-bench-evaluate-'));
const clickhouse = await openClickHouse(loadConfig({ WEARWATCH_DATA: dataDir }));
const { client } = clickhouse;
const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Waits until background merges are done: none running, and the active parts unchanged for a second, since a merge of
 * the parts an insert just wrote may only be picked a moment after the insert returns. In service a day passes between
 * runs; here a merge of the previous run's snapshot would otherwise share the two cores with the next run. Returns the
 * seconds until merges went quiet, 0 when there were none.
 */
async function settleMerges(): Promise<number> {
  const quietMs = 1000;
  const started = performance.now();
  let quietSince = started;
  let parts: number | null = null;
  let merging = false;
  for (;;) {
    const row = await queryFirst<{ merges: number; parts: number }>(
      client,
      'SELECT (SELECT count() FROM system.merges) AS merges, (SELECT count() FROM system.parts WHERE active) AS parts',
    );
    if (Number(row!.merges) > 0 || (parts !== null && Number(row!.parts) !== parts)) {
      quietSince = performance.now();
      merging = true;
    }
    parts = Number(row!.parts);
    if (performance.now() - quietSince >= quietMs) return merging ? (quietSince - started) / 1000 : 0;
    await sleep(100);
  }
}

try {
  await migrate(client);
  const catalog = loadCatalog();
  const at = '2026-11-24';
  const params = {
    n: units,
    at,
    models: catalog.models.map((m) => m.model),
    lines: catalog.models.map((m) => m.product_line),
    ratings: catalog.models.map((m) => (m.kind === 'ssd' ? m.tbw_tb! * 1e12 : m.pe_cycles!)),
  };
  const generated = performance.now();
  await client.command({
    query: `INSERT INTO drives (serial, model, fleet_id, purchase_date, proof_of_purchase, price_paid, currency, enrolled_at)
      SELECT
        if(line = 'TF', concat('TF', leftPad(toString(19 + number % 8), 2, '0'), leftPad(toString(1 + number % 12), 2, '0'), '-', leftPad(hex(number), 8, '0')),
                        concat(line, leftPad(toString(19 + number % 8), 2, '0'), leftPad(toString(1 + number % 52), 2, '0'), leftPad(hex(number), 6, '0'))) AS serial,
        {models:Array(String)}[1 + number % length({models:Array(String)})] AS model,
        concat('fleet-', toString(number % 500)) AS fleet_id,
        if(number % 10 < 7, {at:Date32} - toInt32(cityHash64(number) % 1400), NULL) AS purchase_date,
        if(number % 10 < 6, concat('INV-', toString(number)), NULL) AS proof_of_purchase,
        toDecimal64(20 + cityHash64(number, 1) % 400, 2) AS price_paid,
        'USD', now64(3)
      FROM (SELECT number, {lines:Array(String)}[1 + number % length({lines:Array(String)})] AS line FROM numbers({n:UInt64}))`,
    query_params: params,
  });
  await client.command({
    query: `INSERT INTO telemetry (serial, fleet_id, collected_at, model, firmware, host_bytes_written, avg_pe_cycles, temperature_c, source)
      SELECT serial, fleet_id, toDateTime64({at:Date32} - if(k = 0, 20, 1), 3, 'UTC') + toIntervalSecond(cityHash64(serial) % 80000),
             model, '1.0',
             if(startsWith(model, 'WW-TF'), NULL, toUInt64(wear * (0.97 + 0.03 * k))),
             if(startsWith(model, 'WW-TF'), toUInt32(wear * (0.97 + 0.03 * k)), NULL),
             toInt16(25 + cityHash64(serial, k) % 47), 'simulator'
      -- Wear spread evenly from 0 to 105 % of each model's rating: about a fifth of the fleet is near or past its limit.
      FROM (SELECT serial, fleet_id, model,
              {ratings:Array(Float64)}[indexOf({models:Array(String)}, model)] * (cityHash64(serial) % 1050) / 1000 AS wear
            FROM drives)
      ARRAY JOIN [0, 1] AS k`,
    query_params: params,
  });
  await client.command({
    query: `INSERT INTO rma_events (event_id, rma_number, serial, event_type, occurred_at, findings, reasons, replacement_serial, details)
      SELECT generateUUIDv4(number), concat('RMA-', hex(number)), serial,
             ['inspected', 'repaired', 'replaced'][1 + number % 3],
             toDateTime64({at:Date32} - 100, 3, 'UTC'),
             if(number % 3 = 0, ['physical_damage'], []), [],
             if(number % 3 = 2, concat('R', serial), NULL), '{}'
      FROM (SELECT serial, rowNumberInAllBlocks() AS number FROM drives WHERE cityHash64(serial, 7) % 100 = 0)`,
    query_params: params,
  });
  await client.command({ query: 'OPTIMIZE TABLE telemetry_latest FINAL' });
  log(`generated ${units.toLocaleString()} units with telemetry and RMA history in ${((performance.now() - generated) / 1000).toFixed(1)} s`);

  // A tenth of the fleets have their own thresholds, one of them per model too, so the per-fleet lookup is measured.
  const benchThresholds: ThresholdSet = {
    defaults: { warnPct: 80, criticalPct: 95, endingDays: 90 },
    overrides: [
      ...Array.from({ length: 50 }, (_, i) => ({ fleetId: `fleet-${i * 10}`, model: null, warnPct: 70, criticalPct: 90, endingDays: 60 })),
      { fleetId: 'fleet-0', model: catalog.models[0]!.model, warnPct: 60, criticalPct: 85, endingDays: 30 },
    ],
  };
  // CPU seconds are reported next to wall time: on a shared machine they move far less than wall time does.
  type Timing = { total: number; cpu: number; steps: Record<string, number>; flags: number };
  let runId = 0;
  const evaluate = async (label: string): Promise<Timing> => {
    const settled = await settleMerges();
    if (settled > 0.05) log(`  (waited ${settled.toFixed(1)} s for background merges of earlier runs)`);
    const started = performance.now();
    const cpu = process.cpuUsage();
    runId++;
    const result = await runBulkEvaluation(client, catalog, {
      at,
      runId,
      previous: runId > 1 ? { runId: runId - 1, at } : null,
      thresholds: benchThresholds,
    });
    const total = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    if (result.units !== units) throw new Error(`run ${runId} evaluated ${result.units} units, expected ${units}`);
    log(
      `${label}: ${total.toFixed(3)} s wall, ${cpuSeconds.toFixed(3)} s CPU  (${Object.entries(result.timings)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(', ')}); ${result.flags} flags, ${result.raised} raised, ${result.cleared} cleared`,
    );
    return { total, cpu: cpuSeconds, steps: result.timings, flags: result.flags };
  };
  const floor = await floorStatement(client);
  const timeFloor = async (): Promise<number> => {
    await settleMerges();
    await client.command({ query: 'TRUNCATE TABLE bench_floor_snapshot' });
    const started = performance.now();
    await client.command({ query: floor, query_params: { at } });
    return (performance.now() - started) / 1000;
  };
  const timeRuns = async (label: string): Promise<Timing & { floor: number }> => {
    const timings: Timing[] = [];
    const floors: number[] = [];
    for (let i = 1; i <= runs; i++) {
      timings.push(await evaluate(`${label} run ${i}`));
      floors.push(await timeFloor());
      log(`  floor (copy of unit_facts into a snapshot-shaped table, no rules): ${floors.at(-1)!.toFixed(3)} s`);
    }
    return { ...[...timings].sort((a, b) => a.total - b.total)[Math.floor(timings.length / 2)]!, floor: median(floors) };
  };
  // The first run that sees a fleet decodes every serial and raises every flag; the second records those flags per
  // unit. Neither is a daily run, so both are reported apart, then the tables merged as background merges would.
  const firstRuns = [await evaluate('first run (decodes every serial)'), await evaluate("second run (records the first run's flags)")];
  await client.command({ query: 'OPTIMIZE TABLE unit_facts FINAL' });
  const merged = await timeRuns('merged');
  // In service, samples keep arriving between runs, so the per-unit tables always hold a few parts that FINAL merges on
  // read; the runs above find them fully merged. Repeated with 1 % of the units having sent a sample since the merge.
  await client.command({
    query: `INSERT INTO telemetry (serial, fleet_id, collected_at, model, firmware, host_bytes_written, avg_pe_cycles, temperature_c, source)
      SELECT serial, fleet_id, collected_at + INTERVAL 1 HOUR, model, firmware, host_bytes_written + 1000000, avg_pe_cycles, temperature_c, source
      FROM telemetry_latest FINAL WHERE cityHash64(serial, 11) % 100 = 0`,
  });
  const fresh = await timeRuns('1 % fresh samples');
  const figures = (t: Timing & { floor: number }) => ({
    seconds: Number(t.total.toFixed(3)),
    floor_seconds: Number(t.floor.toFixed(3)),
    ratio: Number((t.total / t.floor).toFixed(2)),
    cpu_seconds: Number(t.cpu.toFixed(3)),
    steps: Object.fromEntries(Object.entries(t.steps).map(([k, v]) => [k, Number(v.toFixed(3))])),
  });
  log(
    `median of ${runs}: in service ${fresh.total.toFixed(3)} s (floor ${fresh.floor.toFixed(3)} s, ratio ${(fresh.total / fresh.floor).toFixed(2)}), merged ${merged.total.toFixed(3)} s (floor ${merged.floor.toFixed(3)} s) for ${units.toLocaleString()} units on ${availableParallelism()} CPU(s), embedded chDB`,
  );
  log(
    JSON.stringify({
      units,
      ...figures(fresh),
      units_per_s: Math.round(units / fresh.total),
      runs,
      flags: fresh.flags,
      merged: figures(merged),
      first_runs_s: firstRuns.map((r) => Number(r.total.toFixed(3))),
      cpus: availableParallelism(),
      mode: 'embedded',
    }),
  );
} finally {
  await clickhouse.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * The floor's statement: every column of the snapshot that a run writes, filled from a column of unit_facts of the same
 * family with a plain cast, so the copy reads and writes what the evaluation does and applies no rule.
 */
async function floorStatement(client: ClickHouseClient): Promise<string> {
  await client.command({ query: 'CREATE TABLE IF NOT EXISTS bench_floor_snapshot AS warranty_status' });
  const columns = await queryRows<{ name: string; type: string }>(
    client,
    "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'warranty_status' AND default_kind = '' ORDER BY position",
  );
  const strings = ['serial', 'drive.model', 'drive.fleet_id', 'drive.currency'];
  const numbers = ['latest', 'hbw_a', 'hbw_b', 'pe_a', 'pe_b', 'decoded', 'flags', 'temp_max_a', 'temp_max_b', 'temp_min_a', 'temp_min_b'];
  let s = 0;
  let n = 0;
  const source = ({ type }: { type: string }): string => {
    if (type.includes('String')) return `CAST(${strings[s++ % strings.length]}, '${type}')`;
    if (type.includes('DateTime64')) return 'drive.enrolled_at';
    if (type.includes('Date32')) return type.startsWith('Nullable') ? 'drive.purchase_date' : '{at:Date32}';
    if (type.includes('Decimal')) return 'drive.price_paid';
    return `CAST(toUInt8(${numbers[n++ % numbers.length]}), '${type}')`;
  };
  return `INSERT INTO bench_floor_snapshot (${columns.map((c) => c.name).join(', ')})
    SELECT ${columns.map(source).join(', ')} FROM unit_facts FINAL
    ${snapshotOrder}
    SETTINGS ${snapshotInsertSettings}`;
}
