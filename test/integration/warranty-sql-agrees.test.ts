import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, dayFromIso, isoFromDay } from '../../core/calendar.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { runBulkEvaluation } from '../../warranty/bulk.ts';
import { evaluateUnit } from '../../warranty/evaluate.ts';
import { flagsFor } from '../../warranty/flags.ts';
import { type ThresholdSet, thresholdsFor } from '../../warranty/thresholds.ts';
import type { WarrantyEvaluation } from '../../warranty/types.ts';
import { loadUnitInputs } from '../../warranty/unit-loader.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';

/**
 * The bulk SQL and the single-unit TypeScript evaluator are two writings of the same policy. Random fleets with the
 * awkward cases (boundary and leap dates, wear exactly at the limit, no proof of purchase, undecodable serials,
 * unknown models, replacement chains incl. originals never enrolled, missing telemetry, redelivered rows, samples sent
 * after the evaluation date, later samples reading lower) must come out the same, field by field, from both.
 */
const catalog = loadCatalog();
const ssdModel = catalog.models.find((m) => m.kind === 'ssd')!.model;
// fleet-0 keeps the defaults; fleet-1 has its own for all models; fleet-2 for one model only (its others keep the defaults).
const thresholds: ThresholdSet = {
  defaults: { warnPct: 80, criticalPct: 95, endingDays: 90 },
  overrides: [
    { fleetId: 'fleet-1', model: null, warnPct: 60, criticalPct: 70, endingDays: 200 },
    { fleetId: 'fleet-2', model: ssdModel, warnPct: 50, criticalPct: 75, endingDays: 30 },
  ],
};
const fleetOf = (i: number) => `fleet-${i % 3}`;
const models = [...catalog.models.map((m) => m.model), 'WW-UNKNOWN-1'];
const ats = ['2027-02-28', '2028-02-29', '2027-03-01', '2026-11-24', '2025-12-31', '2029-01-15'];

const unitArb = fc.record({
  model: fc.constantFrom(...models),
  serialKind: fc.constantFrom('match', 'match', 'match', 'garbage', 'other_line'),
  yy: fc.integer({ min: 18, max: 28 }),
  period: fc.integer({ min: 0, max: 54 }),
  // rel: coverage of a 36-month term ends around the date; ending: coverage ends around the "ending soon" threshold.
  purchase: fc.option(
    fc.oneof(
      fc.integer({ min: -2, max: 2 }).map((d) => ({ rel: d })),
      fc.integer({ min: -2, max: 2 }).map((d) => ({ ending: d })),
      fc.integer({ min: -1500, max: 200 }).map((d) => ({ days: d })),
      // Bought shortly after the date: coverage has not started (when the serial says it was made by then).
      fc.integer({ min: 1, max: 60 }).map((d) => ({ days: d })),
    ),
    { nil: undefined },
  ),
  proof: fc.boolean(),
  // null: the price paid is not known (cap "unknown, desk review", never 0).
  price: fc.option(
    fc.integer({ min: 0, max: 200_000 }).map((c) => c / 100),
    { nil: null, freq: 4 },
  ),
  // A replacement's liability cap is its chain's price paid, in that purchase's currency.
  currency: fc.constantFrom('USD', 'EUR', 'JPY'),
  samples: fc.array(
    fc.record({
      // Minutes before the evaluation date; a negative one is a sample sent after it, which the decision must ignore.
      ago: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 50 * 24 * 60 }), weight: 3 }, { arbitrary: fc.integer({ min: -20 * 24 * 60, max: -1 }), weight: 1 }),
      // 1: exactly the rating; 2: one above it (TBW ends at the rating, P/E only above it); the others at each fleet's
      // thresholds, so both writings must agree on every boundary.
      wear: fc.oneof(
        fc.constant(1),
        fc.constant(2),
        fc.constant(0.8),
        fc.constant(0.95),
        fc.constantFrom(0.5, 0.6, 0.7, 0.75),
        fc.double({ min: 0, max: 1.2, noNaN: true }),
      ),
      temp: fc.option(fc.integer({ min: -45, max: 95 }), { nil: null }),
      missing: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
  duplicate: fc.boolean(),
  rma: fc.array(
    fc.record({
      type: fc.constantFrom('inspected', 'repaired', 'replaced', 'requested'),
      ago: fc.integer({ min: -10, max: 1200 }),
      findings: fc.subarray(['physical_damage', 'liquid_damage', 'tampered_label', 'temperature_excursion', 'defect_confirmed', 'unintended_use'], {
        minLength: 1,
      }),
      target: fc.nat(),
    }),
    { maxLength: 2 },
  ),
  ghostOriginal: fc.boolean(),
});

const fleetArb = fc.record({ at: fc.constantFrom(...ats), units: fc.array(unitArb, { minLength: 1, maxLength: 12 }) });
type Fleet = typeof fleetArb extends fc.Arbitrary<infer T> ? T : never;

function serialFor(u: Fleet['units'][number], i: number): string {
  const model = catalog.byModel.get(u.model);
  const line = u.serialKind === 'other_line' ? (model?.kind === 'tf' ? 'NV' : 'TF') : (model?.product_line ?? 'NV');
  const seq = String(i).padStart(5, '0');
  if (u.serialKind === 'garbage') return `BAD-${seq}`;
  const two = (n: number) => String(n).padStart(2, '0');
  return line === 'TF' ? `TF${two(u.yy)}${two(u.period % 14)}-A${seq}XX` : `${line}${two(u.yy)}${two(u.period)}Z${seq}`;
}

const instant = (day: number, minutes: number) => new Date(day * 86_400_000 - minutes * 60_000).toISOString();

async function load(ch: ClickHouse, fleet: Fleet): Promise<string[]> {
  const at = dayFromIso(fleet.at);
  const serials = fleet.units.map(serialFor);
  const drives: object[] = [];
  const telemetry: object[] = [];
  const rma: object[] = [];
  let eventNo = 0;
  fleet.units.forEach((u, i) => {
    const model = catalog.byModel.get(u.model);
    const purchase =
      u.purchase === undefined
        ? null
        : 'rel' in u.purchase
          ? addMonths(at, -36) + u.purchase.rel
          : 'ending' in u.purchase
            ? addMonths(at + thresholdsFor(thresholds, fleetOf(i), u.model).endingDays, -(model?.warranty_months ?? 36)) + u.purchase.ending
            : at + u.purchase.days;
    const drive = {
      serial: serials[i],
      model: u.model,
      fleet_id: fleetOf(i),
      purchase_date: purchase === null ? null : isoFromDay(purchase),
      proof_of_purchase: u.proof ? `INV-${i}` : null,
      price_paid: u.price,
      currency: u.currency,
      enrolled_at: '2025-01-01T00:00:00Z',
    };
    drives.push(drive);
    // A redelivered, older enrolment must lose to the newer one.
    if (u.duplicate) drives.push({ ...drive, purchase_date: '2019-01-01', proof_of_purchase: 'OLD', enrolled_at: '2024-01-01T00:00:00Z' });
    const limit = model ? (model.kind === 'ssd' ? model.tbw_tb! * 1e12 : model.pe_cycles!) : 1e12;
    u.samples.forEach((s, k) => {
      const value = s.wear === 1 ? limit : s.wear === 2 ? limit + 1 : Math.round(limit * s.wear);
      const row = {
        serial: serials[i],
        fleet_id: drive.fleet_id,
        collected_at: instant(at, s.ago + k),
        model: u.model,
        firmware: '1.0',
        host_bytes_written: s.missing || model?.kind === 'tf' ? null : value,
        avg_pe_cycles: s.missing || model?.kind !== 'tf' ? null : value,
        temperature_c: s.temp,
        source: 'simulator',
      };
      telemetry.push(row);
      if (u.duplicate) telemetry.push(row);
    });
    u.rma.forEach((e, k) => {
      eventNo++;
      const later = fleet.units.length - i - 1;
      const replacement = e.type === 'replaced' ? (later > 0 ? serials[i + 1 + (e.target % later)] : null) : null;
      if (e.type === 'replaced' && !replacement) return;
      const event = {
        event_id: `00000000-0000-4000-8000-${String(eventNo).padStart(12, '0')}`,
        rma_number: `RMA-${String(i).padStart(4, '0')}${k}`,
        serial: serials[i],
        event_type: e.type,
        occurred_at: instant(at - Math.floor(e.ago / 3), (e.ago % 3) * 97 + eventNo),
        findings: e.type === 'inspected' ? e.findings : [],
        reasons: [],
        replacement_serial: replacement,
        details: '{}',
      };
      rma.push(event);
      if (u.duplicate) rma.push(event);
    });
    if (u.ghostOriginal && !rma.some((e) => (e as { replacement_serial: string | null }).replacement_serial === serials[i])) {
      eventNo++;
      rma.push({
        event_id: `00000000-0000-4000-8000-${String(eventNo).padStart(12, '0')}`,
        rma_number: `RMA-G${String(i).padStart(4, '0')}`,
        serial: `GHOST-${i}`,
        event_type: 'replaced',
        occurred_at: instant(at - 40 - i, eventNo),
        findings: [],
        reasons: [],
        replacement_serial: serials[i],
        details: '{}',
      });
    }
  });
  for (const table of ['drives', 'telemetry', 'telemetry_latest', 'unit_facts', 'rma_events']) await ch.client.command({ query: `TRUNCATE TABLE ${table}` });
  await ch.client.insert({ table: 'drives', values: drives, format: 'JSONEachRow' });
  if (telemetry.length) await ch.client.insert({ table: 'telemetry', values: telemetry, format: 'JSONEachRow' });
  if (rma.length) await ch.client.insert({ table: 'rma_events', values: rma, format: 'JSONEachRow' });
  return serials;
}

/** The TypeScript evaluation in the shape of a warranty_status row. */
function asRow(e: WarrantyEvaluation, fleetId: string, model: string) {
  return {
    status: e.status,
    status_reason: e.status_reason.code,
    coverage_start: e.coverage.start,
    coverage_basis: e.coverage.basis ?? '',
    coverage_end: e.coverage.end,
    days_left: e.coverage.days_left,
    manufactured: e.coverage.manufactured,
    replacement_of: e.coverage.replacement_of,
    replaced_by: e.coverage.replaced_by,
    wear_metric: e.wear?.metric ?? '',
    wear_limit: e.wear?.limit ?? null,
    wear_used: e.wear?.used ?? null,
    wear_remaining: e.wear?.remaining ?? null,
    wear_used_pct: e.wear?.used_pct ?? null,
    wear_remaining_pct: e.wear?.remaining_pct ?? null,
    wear_rate_per_day: e.wear?.rate_per_day ?? null,
    projected_wearout: e.wear?.projected_wearout ?? null,
    remaining_life_days: e.wear?.remaining_life_days ?? null,
    temp_observed_min: e.temperature.observed_min,
    temp_observed_max: e.temperature.observed_max,
    temp_rated_min: e.temperature.rated_min,
    temp_rated_max: e.temperature.rated_max,
    temperature_review: e.temperature.review ? 1 : 0,
    exclusions: e.exclusions,
    failing_rules: e.claim.failing.map((f) => f.code),
    claim_eligible: e.claim.eligible ? 1 : 0,
    liability_cap: e.claim.liability_cap?.amount ?? null,
    currency: e.claim.liability_cap?.currency ?? '',
    flags: flagsFor(e, thresholdsFor(thresholds, fleetId, model)),
  };
}

describe('bulk SQL and the TypeScript evaluator agree', () => {
  let ch: ClickHouse;
  beforeAll(async () => {
    ch = await openTestClickHouse();
  });
  afterAll(async () => {
    await ch?.close();
  });

  it('on every unit of random fleets', { timeout: 600_000 }, async () => {
    let runId = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fleetArb, async (fleet) => {
        const serials = await load(ch, fleet);
        runId++;
        await runBulkEvaluation(ch.client, catalog, { at: fleet.at, runId, previous: null, thresholds });
        const rows = await queryRows<Record<string, unknown> & { serial: string; fleet_id: string; model: string }>(
          ch,
          `SELECT * EXCEPT (snapshot_date, serial, fleet_id, model, kind, run_id, evaluated_at, failing_mask, flag_mask, flags_before),
                  days_left, wear_metric, wear_used_pct, wear_remaining, wear_remaining_pct, remaining_life_days, claim_eligible,
                  exclusions, failing_rules, serial, toString(fleet_id) AS fleet_id, toString(model) AS model
           FROM warranty_status WHERE run_id = {run:UInt64}`,
          { run: runId },
        );
        const flagRows = await queryRows<{ serial: string; flag: string; level: string; value: number; threshold: number }>(
          ch,
          'SELECT serial, flag, level, value, threshold FROM warranty_flags WHERE run_id = {run:UInt64}',
          { run: runId },
        );
        const order = ['near_tbw', 'near_pe', 'wearout_before_coverage_end', 'warranty_ending', 'temperature_out_of_range'];
        const flagsOf = (serial: string) =>
          flagRows
            .filter((f) => f.serial === serial)
            .map(({ serial: _, ...f }) => f)
            .sort((a, b) => order.indexOf(a.flag) - order.indexOf(b.flag));
        expect(rows.map((r) => r.serial).sort()).toEqual([...serials].sort());
        for (const row of rows) {
          const inputs = await loadUnitInputs(ch.client, row.serial, fleet.at);
          expect(inputs, row.serial).not.toBeNull();
          const { serial, fleet_id, model, ...actual } = row;
          const expected = asRow(evaluateUnit(inputs!, fleet.at, catalog), fleet_id, model);
          expect({ serial, ...actual, flags: flagsOf(serial) }).toEqual({ serial, ...expected });
          seen.add(expected.status);
          if (expected.coverage_basis) seen.add(`basis:${expected.coverage_basis}`);
          if (expected.flags.length) seen.add('flagged');
          // A near-limit flag judged by a fleet's own thresholds, not the defaults.
          if (fleet_id !== 'fleet-0' && expected.flags.some((f) => f.flag.startsWith('near_') && f.threshold < 80)) seen.add('fleet-threshold');
        }
      }),
      { numRuns: 40, seed: Number(process.env.WARRANTY_PROPERTY_SEED ?? Date.now() % 1_000_000), endOnFailure: true },
    );
    // The generator must actually reach the interesting rules, or agreement proves little.
    for (const outcome of [
      'active',
      'not_started',
      'expired_time',
      'expired_tbw',
      'expired_pe',
      'void',
      'replaced',
      'undetermined',
      'basis:purchase',
      'basis:manufacture',
      'basis:replacement',
      'flagged',
      'fleet-threshold',
    ]) {
      expect(seen, outcome).toContain(outcome);
    }
  });
});
