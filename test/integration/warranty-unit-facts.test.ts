import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Catalog, decodeSerial, defaultCatalogPath, loadCatalog, parseCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { runBulkEvaluation } from '../../warranty/bulk.ts';
import type { PreviousRun } from '../../warranty/bulk-sql.ts';
import { type Thresholds, uniformThresholds } from '../../warranty/thresholds.ts';
import { decoded } from '../../warranty/unit-facts-sql.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';

/**
 * What the bulk evaluation keeps per unit in unit_facts between runs: the flag bits a run compares its own with, and
 * the manufacturing date decoded from each serial. Both must give what recomputing from scratch would.
 */

const catalog = loadCatalog();
const models = ['WW-NV4-512', 'WW-SA3-256', 'WW-TF-PRO-128'];
const units = Array.from({ length: 240 }, (_, i) => {
  const model = models[i % models.length]!;
  const m = catalog.byModel.get(model)!;
  const week = String(1 + (i % 52)).padStart(2, '0');
  const serial =
    m.kind === 'tf'
      ? `TF23${String(1 + (i % 12)).padStart(2, '0')}-U${String(i).padStart(7, '0')}`
      : `${m.product_line}23${week}U${String(i).padStart(5, '0')}`;
  // Wear spread from 0 to 110 % of the rating, so thresholds between runs move units between flag levels.
  const used = ((i * 37) % 110) / 100;
  return {
    serial,
    model,
    wear: m.kind === 'ssd' ? { host_bytes_written: Math.round(used * m.tbw_tb! * 1e12) } : { avg_pe_cycles: Math.round(used * m.pe_cycles!) },
  };
});

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openTestClickHouse();
  await ch.client.insert({
    table: 'drives',
    format: 'JSONEachRow',
    values: units.map((u, i) => ({
      serial: u.serial,
      model: u.model,
      fleet_id: 'f',
      purchase_date: i % 2 ? '2024-06-01' : null,
      proof_of_purchase: i % 2 ? 'INV' : null,
      price_paid: 50,
      currency: 'USD',
      enrolled_at: '2025-01-01T00:00:00Z',
    })),
  });
  await ch.client.insert({
    table: 'telemetry',
    format: 'JSONEachRow',
    values: units.map((u, i) => ({
      serial: u.serial,
      fleet_id: 'f',
      collected_at: '2026-06-01T00:00:00Z',
      model: u.model,
      firmware: '1',
      source: 'test',
      temperature_c: 20 + (i % 70),
      ...u.wear,
    })),
  });
});
afterAll(() => ch?.close());

const evaluate = (runId: number, at: string, thresholds: Thresholds, previous: PreviousRun | null, using: Catalog = catalog) =>
  runBulkEvaluation(ch.client, using, { runId, at, thresholds: uniformThresholds(thresholds), previous });

/** Units whose flags_before in `run` differ from their flag_mask in `previous` (none at all for a first run). */
const mismatches = (run: number, previous: number | null) =>
  queryRows<{ serial: string }>(
    ch,
    `SELECT s.serial AS serial FROM (SELECT serial, flags_before FROM warranty_status WHERE run_id = {run:UInt64}) AS s
     LEFT JOIN (SELECT serial, flag_mask FROM warranty_status WHERE run_id = {previous:UInt64}) AS p ON p.serial = s.serial
     WHERE s.flags_before != p.flag_mask`,
    { run, previous: previous ?? 0 },
  );

describe('per-unit state kept between bulk runs', () => {
  it('compares each run with the flags of the last successful run, never with a failed one', async () => {
    // Thresholds and dates change between runs so that units move between flag levels and in and out of "ending soon".
    await evaluate(1, '2026-06-10', { warnPct: 80, criticalPct: 95, endingDays: 90 }, null);
    expect(await mismatches(1, null)).toEqual([]);
    await evaluate(2, '2026-07-10', { warnPct: 50, criticalPct: 90, endingDays: 400 }, { runId: 1, at: '2026-06-10' });
    expect(await mismatches(2, 1)).toEqual([]);
    // Run 3 counts as failed: it is never anyone's previous run, so its flags must not leak into run 4's comparison.
    await evaluate(3, '2026-08-10', { warnPct: 20, criticalPct: 99, endingDays: 10 }, { runId: 2, at: '2026-07-10' });
    await evaluate(4, '2026-09-10', { warnPct: 60, criticalPct: 95, endingDays: 200 }, { runId: 2, at: '2026-07-10' });
    expect(await mismatches(4, 2)).toEqual([]);
    const changed = await queryRows<{ n: number }>(ch, `SELECT count() AS n FROM warranty_status WHERE run_id = 4 AND flag_mask != flags_before`);
    expect(Number(changed[0]!.n)).toBeGreaterThan(0);
    await evaluate(5, '2026-10-10', { warnPct: 80, criticalPct: 95, endingDays: 90 }, { runId: 4, at: '2026-09-10' });
    expect(await mismatches(5, 4)).toEqual([]);
  });

  it('decodes a serial again when the serial format of its model changes, and only then', async () => {
    const manufactured = async (run: number) =>
      new Map(
        (
          await queryRows<{ serial: string; m: string | null }>(
            ch,
            `SELECT serial, toString(manufactured) AS m FROM warranty_status WHERE run_id = {run:UInt64}`,
            { run },
          )
        ).map((r) => [r.serial, r.m]),
      );
    const expected = (using: Catalog) =>
      new Map(
        units.map((u) => {
          const decoded = decodeSerial(using, u.serial, using.byModel.get(u.model)!.product_line);
          return [u.serial, decoded.ok ? decoded.manufactured : null];
        }),
      );
    const at = '2026-11-10';
    const thresholds = { warnPct: 80, criticalPct: 95, endingDays: 90 };
    await evaluate(6, at, thresholds, null);
    expect(await manufactured(6)).toEqual(expected(catalog));

    // A vendor's new catalog reads the SSD serials' year and week in the other order (week 23 decodes, year 01-52 too).
    const data = JSON.parse(readFileSync(defaultCatalogPath, 'utf8'));
    data.version = `${data.version}-swapped`;
    data.serial_formats.default.pattern = '^(?<line>[A-Z]{2})(?<week>\\d{2})(?<year>\\d{2})(?<seq>[0-9A-Z]{6})$';
    const swapped = parseCatalog(data);
    await evaluate(7, at, thresholds, null, swapped);
    const after = await manufactured(7);
    expect(after).toEqual(expected(swapped));
    expect(units.filter((u) => after.get(u.serial) !== expected(catalog).get(u.serial)).length).toBeGreaterThan(100);

    // The TF cards' format did not change: their cached dates were kept, not decoded again.
    const tf = await queryRows<{ n: number; kept: number }>(
      ch,
      `SELECT count() AS n, countIf(${decoded.at} < (SELECT max(${decoded.at}) FROM unit_facts FINAL)) AS kept FROM unit_facts FINAL WHERE startsWith(serial, 'TF')`,
    );
    expect(Number(tf[0]!.n)).toBe(units.length / 3);
    expect(Number(tf[0]!.kept)).toBe(Number(tf[0]!.n));
  });
});
