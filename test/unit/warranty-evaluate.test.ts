import { describe, expect, it } from 'vitest';
import { addMonths, dayFromIso, isoFromDay } from '../../core/calendar.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import { evaluateUnit } from '../../warranty/evaluate.ts';
import { flagsFor } from '../../warranty/flags.ts';
import { rules } from '../../warranty/rules.ts';
import { lifeInWords } from '../../warranty/service.ts';
import type { DriveRecord, RmaRecord, TelemetrySummary, UnitInputs } from '../../warranty/types.ts';

const catalog = loadCatalog();
const drive = (over: Partial<DriveRecord> = {}): DriveRecord => ({
  serial: 'NV2301A1B2C3',
  model: 'WW-NV4-512',
  fleet_id: 'acme',
  purchase_date: '2024-01-15',
  proof_of_purchase: 'INV-1',
  price_paid: 89.99,
  currency: 'EUR',
  ...over,
});
const telemetry = (hbw: number | null, over: Partial<TelemetrySummary> = {}): TelemetrySummary => ({
  latest: { collected_at: '2026-11-20T12:00:00.000Z', host_bytes_written: hbw, avg_pe_cycles: null, temperature_c: 41 },
  max_hbw: hbw,
  max_pe: null,
  trailing_hbw: null,
  trailing_pe: null,
  temp_min: null,
  temp_max: null,
  ...over,
});
const unit = (over: Partial<UnitInputs> = {}): UnitInputs => ({
  serial: 'NV2301A1B2C3',
  drive: drive(),
  telemetry: telemetry(100e12),
  rma: [],
  replacementOf: null,
  ...over,
});
const event = (event_type: RmaRecord['event_type'], occurred_at: string, over: Partial<RmaRecord> = {}): RmaRecord => ({
  rma_number: 'RMA-0001',
  event_type,
  occurred_at,
  findings: [],
  replacement_serial: null,
  ...over,
});
const thresholds = { warnPct: 80, criticalPct: 95, endingDays: 90 };
/** Bought recently enough that "warranty ending" stays out of the way. */
const recent = drive({ purchase_date: '2025-06-01' });

describe('warranty evaluation of one unit', () => {
  it('covers three years from the purchase date with proof, through the end of the third anniversary day', () => {
    const last = evaluateUnit(unit(), '2027-01-15', catalog);
    expect(last).toMatchObject({ status: 'active', coverage: { start: '2024-01-15', basis: 'purchase', end: '2027-01-15', days_left: 1 } });
    expect(last.claim).toMatchObject({ eligible: true, failing: [], liability_cap: { amount: 89.99, currency: 'EUR' } });
    const after = evaluateUnit(unit(), '2027-01-16', catalog);
    expect(after.status).toBe('expired_time');
    expect(after.claim.failing).toEqual([{ code: 'term_ended', ...rules.term_ended }]);
  });

  it('ends a 29 February start on 28 February (no 29th in the end year)', () => {
    const e = evaluateUnit(unit({ drive: drive({ purchase_date: '2024-02-29' }) }), '2027-02-28', catalog);
    expect(e).toMatchObject({ status: 'active', coverage: { end: '2027-02-28' } });
    expect(evaluateUnit(unit({ drive: drive({ purchase_date: '2024-02-29' }) }), '2027-03-01', catalog).status).toBe('expired_time');
    expect(isoFromDay(addMonths(dayFromIso('2024-01-31'), 1))).toBe('2024-02-29');
  });

  it('falls back to the manufacturing date in the serial without proof of purchase', () => {
    const made = { serial: 'NV2447A1B2C3', drive: drive({ serial: 'NV2447A1B2C3', proof_of_purchase: null }) };
    const e = evaluateUnit(unit(made), '2026-11-24', catalog);
    expect(e.coverage).toMatchObject({ start: '2024-11-18', basis: 'manufacture', manufactured: '2024-11-18', end: '2027-11-18' });
  });

  it('never uses a purchase date before the manufacturing date', () => {
    const early = { serial: 'NV2447A1B2C3', drive: drive({ serial: 'NV2447A1B2C3', purchase_date: '2024-11-17' }) };
    expect(evaluateUnit(unit(early), '2026-11-24', catalog).coverage).toMatchObject({ start: '2024-11-18', basis: 'manufacture' });
    const sameDay = { serial: 'NV2447A1B2C3', drive: drive({ serial: 'NV2447A1B2C3', purchase_date: '2024-11-18' }) };
    expect(evaluateUnit(unit(sameDay), '2026-11-24', catalog).coverage).toMatchObject({ start: '2024-11-18', basis: 'purchase' });
  });

  it('cannot establish coverage for an undecodable serial without proof, and says why', () => {
    const e = evaluateUnit(unit({ serial: 'GARBAGE', drive: drive({ serial: 'GARBAGE', proof_of_purchase: null }) }), '2026-11-24', catalog);
    expect(e.status).toBe('undetermined');
    expect(e.status_reason.code).toBe('start_undeterminable');
    expect(e.coverage.serial_decode_error).toMatch(/does not match the default format/);
    expect(e.claim.eligible).toBe(false);
  });

  it('ends coverage when host writes reach the TBW rating exactly', () => {
    const e = evaluateUnit(unit({ telemetry: telemetry(300e12) }), '2026-11-24', catalog);
    expect(e.status).toBe('expired_tbw');
    expect(e.wear).toMatchObject({ metric: 'tbw', limit: 300e12, used: 300e12, remaining: 0, used_pct: 100, remaining_life_days: 0 });
    expect(e.claim.failing.map((f) => f.code)).toEqual(['tbw_reached']);
    expect(e.claim.failing[0]!.clause).toMatch(/III. Exceeding Write Limits/);
    expect(evaluateUnit(unit({ telemetry: telemetry(300e12 - 1) }), '2026-11-24', catalog).status).toBe('active');
  });

  it('excludes a TF card only when average P/E cycles exceed the rating: exactly at it is covered', () => {
    const tf = (pe: number) =>
      unit({
        serial: 'TF2511-00A1B2C3',
        drive: drive({ serial: 'TF2511-00A1B2C3', model: 'WW-TF-STD-64', proof_of_purchase: null }),
        telemetry: {
          ...telemetry(null),
          latest: { collected_at: '2026-11-20T00:00:00.000Z', host_bytes_written: null, avg_pe_cycles: pe, temperature_c: 30 },
          max_pe: pe,
        },
      });
    expect(evaluateUnit(tf(1000), '2026-11-24', catalog)).toMatchObject({ status: 'active', wear: { metric: 'pe', unit: 'cycles', used_pct: 100 } });
    const over = evaluateUnit(tf(1001), '2026-11-24', catalog);
    expect(over).toMatchObject({ status: 'expired_pe', status_reason: { code: 'pe_reached' } });
  });

  it('projects wear-out from the trailing write rate', () => {
    const e = evaluateUnit(
      unit({ drive: recent, telemetry: telemetry(200e12, { trailing_hbw: { at: '2026-10-31T12:00:00.000Z', value: 180e12 } }) }),
      '2026-11-24',
      catalog,
    );
    // 20 TB in 20 days = 1 TB/day; 100 TB left → 100 days after the sample's day (2026-11-20).
    expect(e.wear).toMatchObject({ rate_per_day: 1e12, projected_wearout: '2027-02-28', remaining_life_days: 96 });
    // Coverage runs through 2028-06-01, so wear-out comes 460 days before it ends.
    expect(flagsFor(e, thresholds)).toEqual([{ flag: 'wearout_before_coverage_end', level: 'warn', value: 460, threshold: 0 }]);
    const sooner = evaluateUnit(
      unit({ drive: recent, telemetry: telemetry(250e12, { trailing_hbw: { at: '2026-10-31T12:00:00.000Z', value: 200e12 } }) }),
      '2026-11-24',
      catalog,
    );
    expect(flagsFor(sooner, thresholds).map((f) => [f.flag, f.level])).toEqual([
      ['near_tbw', 'warn'],
      ['wearout_before_coverage_end', 'warn'],
    ]);
  });

  it('voids the claim for an exclusion found at inspection, naming each', () => {
    const e = evaluateUnit(
      unit({ rma: [event('inspected', '2026-06-01T10:00:00Z', { findings: ['liquid_damage', 'physical_damage', 'temperature_excursion'] })] }),
      '2026-11-24',
      catalog,
    );
    expect(e.status).toBe('void');
    expect(e.exclusions).toEqual(['physical_damage', 'liquid_damage']);
    expect(e.claim.failing.map((f) => [f.code, f.clause])).toEqual([
      ['physical_damage', 'III. Human or Accidental Damage'],
      ['liquid_damage', 'III. Human or Accidental Damage'],
    ]);
    expect(e.temperature.review).toBe(true);
  });

  it('flags a temperature excursion for review without voiding the claim', () => {
    const e = evaluateUnit(unit({ drive: recent, telemetry: telemetry(10e12, { temp_max: 78, temp_min: 35 }) }), '2026-11-24', catalog);
    expect(e.status).toBe('active');
    expect(e.temperature).toMatchObject({ out_of_range: true, review: true, observed_max: 78 });
    expect(flagsFor(e, thresholds)).toEqual([{ flag: 'temperature_out_of_range', level: 'review', value: 78, threshold: 70 }]);
  });

  it('covers a replacement for the original remaining term or 90 days, whichever is later, along chains', () => {
    const original = unit({ rma: [event('replaced', '2026-12-01T09:00:00Z', { replacement_serial: 'NV2447REPL01' })] });
    const replacement = unit({
      serial: 'NV2447REPL01',
      drive: drive({ serial: 'NV2447REPL01', proof_of_purchase: null, price_paid: 0 }),
      telemetry: null,
      replacementOf: { original_serial: 'NV2301A1B2C3', replaced_at: '2026-12-01T09:00:00Z', original },
    });
    expect(evaluateUnit(replacement, '2026-12-24', catalog)).toMatchObject({
      status: 'active',
      coverage: { start: '2026-12-01', basis: 'replacement', end: '2027-03-01', replacement_of: 'NV2301A1B2C3' },
      claim: { liability_cap: { amount: 89.99, currency: 'EUR' } },
    });
    // Replaced near the end of the term: 90 days from the replacement win.
    const late = unit({ ...replacement, replacementOf: { ...replacement.replacementOf!, replaced_at: '2027-01-10T00:00:00Z' } });
    expect(evaluateUnit(late, '2027-01-20', catalog).coverage.end).toBe('2027-04-10');
    // d + 90 is covered, d + 91 not.
    expect(evaluateUnit(late, '2027-04-10', catalog).status).toBe('active');
    expect(evaluateUnit(late, '2027-04-11', catalog).status).toBe('expired_time');
    // A replacement of the replacement inherits the longer of the two.
    const second = unit({
      serial: 'NV2447REPL02',
      drive: drive({ serial: 'NV2447REPL02', proof_of_purchase: null }),
      replacementOf: { original_serial: 'NV2447REPL01', replaced_at: '2027-02-01T00:00:00Z', original: late },
    });
    expect(evaluateUnit(second, '2027-02-02', catalog).coverage).toMatchObject({ start: '2027-02-01', end: '2027-05-02' });
    expect(evaluateUnit(original, '2026-12-24', catalog)).toMatchObject({ status: 'replaced', coverage: { replaced_by: 'NV2447REPL01' } });
  });

  it('extends coverage through the end of d + 90 after a repair on day d', () => {
    const e = evaluateUnit(unit({ rma: [event('repaired', '2027-01-01T00:00:00Z')] }), '2027-02-01', catalog);
    expect(e).toMatchObject({ status: 'active', coverage: { end: '2027-04-01' } });
    expect(evaluateUnit(unit({ rma: [event('repaired', '2027-01-01T00:00:00Z')] }), '2027-04-01', catalog).status).toBe('active');
    expect(evaluateUnit(unit({ rma: [event('repaired', '2027-01-01T00:00:00Z')] }), '2027-04-02', catalog).status).toBe('expired_time');
  });

  it('lists every failing rule at once and ignores events after the date', () => {
    const e = evaluateUnit(
      unit({
        telemetry: telemetry(400e12),
        rma: [
          event('inspected', '2027-03-01T00:00:00Z', { findings: ['tampered_label'] }),
          event('inspected', '2028-01-01T00:00:00Z', { findings: ['unintended_use'] }),
        ],
      }),
      '2027-06-01',
      catalog,
    );
    expect(e.status).toBe('void');
    expect(e.claim.failing.map((f) => f.code)).toEqual(['tampered_label', 'tbw_reached', 'term_ended']);
  });

  it('treats an unknown model as undetermined', () => {
    const e = evaluateUnit(unit({ drive: drive({ model: 'OTHER-VENDOR' }) }), '2026-11-24', catalog);
    expect(e).toMatchObject({ status: 'undetermined', status_reason: { code: 'model_unknown' }, wear: null, kind: null });
  });

  it('raises warn and critical near-limit flags and warranty ending at the configured thresholds', () => {
    const at = (hbw: number, date = '2026-06-01') => flagsFor(evaluateUnit(unit({ telemetry: telemetry(hbw) }), date, catalog), thresholds);
    expect(at(239e12)).toEqual([]);
    expect(at(240e12)).toEqual([{ flag: 'near_tbw', level: 'warn', value: 80, threshold: 80 }]);
    expect(at(285e12)).toEqual([{ flag: 'near_tbw', level: 'critical', value: 95, threshold: 95 }]);
    expect(at(10e12, '2026-10-18')).toEqual([{ flag: 'warranty_ending', level: 'info', value: 90, threshold: 90 }]);
    expect(at(10e12, '2026-10-17')).toEqual([]);
  });

  it('reads remaining life in years and months, "beyond 10 years" past that', () => {
    expect(lifeInWords('2026-01-31', 20)).toBe('less than a month');
    expect(lifeInWords('2026-01-31', 28)).toBe('1 month');
    expect(lifeInWords('2026-01-15', 365 + 31 + 28)).toBe('1 year 2 months');
    expect(lifeInWords('2026-01-01', 3652)).toBe('10 years');
    expect(lifeInWords('2026-01-01', 3653)).toBe('beyond 10 years');
    expect(lifeInWords('2026-01-01', null)).toBeNull();
  });
});
