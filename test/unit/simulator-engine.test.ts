import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dayFromIso } from '../../core/calendar.ts';
import { decodeSerial, loadCatalog } from '../../core/catalog/load.ts';
import { enrollment, type RmaEvent, rmaEvent, type TelemetrySample, telemetrySample } from '../../core/contracts/index.ts';
import { checkTransition, type RecordedEvent } from '../../rma/lifecycle.ts';
import { refusalReasons } from '../../simulator/claims.ts';
import { demoFleet } from '../../simulator/demo-fleet.ts';
import { FleetSimulation } from '../../simulator/engine.ts';
import type { SimEvent } from '../../simulator/unit.ts';

const catalog = loadCatalog();
const end = dayFromIso('2026-06-01');

function run(options: { seed: number; drives: number; days: number; sampleEvery: number }) {
  const simulation = new FleetSimulation({ ...options, end, catalog });
  const events: SimEvent[] = [];
  for (const day of simulation.days()) events.push(...day);
  return { simulation, events, truth: simulation.groundTruth() };
}

const digest = (events: SimEvent[]) => createHash('sha256').update(JSON.stringify(events)).digest('hex');

describe('fleet simulation', () => {
  const small = run({ seed: 11, drives: 400, days: 240, sampleEvery: 1 });

  it('is deterministic: the same seed gives byte-identical events, another seed different ones', () => {
    const again = run({ seed: 11, drives: 400, days: 240, sampleEvery: 1 });
    expect(digest(again.events)).toBe(digest(small.events));
    expect(again.truth).toEqual(small.truth);
    const other = run({ seed: 12, drives: 400, days: 240, sampleEvery: 1 });
    expect(digest(other.events)).not.toBe(digest(small.events));
  });

  it('produces only messages that satisfy the contracts, keyed by serial, with counts matching its ground truth', () => {
    const counts = { enrollment: 0, telemetry: 0, rma: 0 };
    for (const event of small.events) {
      const schema = { enrollment, telemetry: telemetrySample, rma: rmaEvent }[event.topic];
      const parsed = schema.safeParse(event.value);
      expect(parsed.success, `${event.topic} ${JSON.stringify(event.value)} ${parsed.error?.message}`).toBe(true);
      expect(event.key).toBe((event.value as { serial: string }).serial);
      counts[event.topic]++;
    }
    expect(counts).toEqual({ enrollment: small.truth.events.enrollment, telemetry: small.truth.events.telemetry, rma: small.truth.events.rma });
    expect(counts.enrollment).toBe(small.truth.units.initial + small.truth.units.replacements);
  });

  it('gives every unit a unique serial that decodes under its product line format, and enrols it before it reports', () => {
    const enrolled = new Map<string, string>();
    for (const event of small.events) {
      if (event.topic === 'enrollment') {
        expect(enrolled.has(event.key), `serial ${event.key} enrolled twice`).toBe(false);
        const line = catalog.byModel.get(event.value.model)!.product_line;
        const decoded = decodeSerial(catalog, event.key, line);
        expect(decoded.ok, `${event.key}: ${decoded.ok ? '' : decoded.reason}`).toBe(true);
        enrolled.set(event.key, event.value.model);
      } else if (event.topic === 'telemetry') {
        expect(enrolled.get(event.key), `telemetry for ${event.key} before its enrolment`).toBe(event.value.model);
      }
    }
  });

  it('keeps every lifetime counter monotonic and timestamps increasing per unit', () => {
    const last = new Map<string, TelemetrySample>();
    const counters = ['host_bytes_written', 'nand_bytes_written', 'avg_pe_cycles', 'power_on_hours', 'power_cycles', 'unsafe_shutdowns'] as const;
    let checked = 0;
    for (const event of small.events) {
      if (event.topic !== 'telemetry') continue;
      const sample = telemetrySample.parse(event.value);
      const previous = last.get(sample.serial);
      if (previous) {
        expect(sample.collected_at > previous.collected_at).toBe(true);
        for (const counter of counters) {
          if (sample[counter] !== undefined) expect(BigInt(sample[counter]!), `${sample.serial} ${counter}`).toBeGreaterThanOrEqual(BigInt(previous[counter]!));
        }
        checked++;
      }
      last.set(sample.serial, sample);
    }
    expect(checked).toBeGreaterThan(50_000);
  });

  it('sends RMA events through the lifecycle the support desk enforces, in time order', () => {
    const byRma = new Map<string, RmaEvent[]>();
    for (const event of small.events) {
      if (event.topic !== 'rma') continue;
      const parsed = rmaEvent.parse(event.value);
      byRma.set(parsed.rma_number, [...(byRma.get(parsed.rma_number) ?? []), parsed]);
    }
    expect(byRma.size).toBeGreaterThan(0);
    expect(byRma.size).toBeLessThanOrEqual(small.truth.claims.filed);
    expect([...byRma.values()].filter((h) => h.at(-1)!.event_type === 'closed')).toHaveLength(small.truth.claims.closed);
    for (const [number, history] of byRma) {
      expect(history[0]!.event_type, number).toBe('requested');
      for (let i = 1; i < history.length; i++) {
        const previous: RecordedEvent[] = history.slice(0, i);
        expect(checkTransition(previous, history[i]!.event_type), `${number}: ${history.map((e) => e.event_type).join(' → ')}`).toEqual({ ok: true });
        expect(history[i]!.occurred_at >= history[i - 1]!.occurred_at).toBe(true);
      }
    }
  });

  it('samples weekly when asked, yet keeps each unit’s final day', () => {
    const weekly = run({ seed: 11, drives: 400, days: 240, sampleEvery: 7 });
    expect(weekly.truth.events.telemetry).toBeLessThan(small.truth.events.telemetry / 4);
    expect(weekly.truth.events.telemetry).toBeGreaterThan(small.truth.events.telemetry / 8);
    const lastDay = '2026-05-31';
    const reportingOnLastDay = (events: SimEvent[]) =>
      new Set(events.filter((e) => e.topic === 'telemetry' && e.value.collected_at.startsWith(lastDay)).map((e) => e.key)).size;
    expect(reportingOnLastDay(weekly.events)).toBe(reportingOnLastDay(small.events));
  });
});

describe('the demo fleet’s ground truth', () => {
  const demo = new FleetSimulation({ ...demoFleet, end: dayFromIso('2026-11-24'), catalog }).runToEnd().groundTruth();

  it('has a bad firmware failing at least twice as often as every other release of its line', () => {
    expect(demo.bad_firmware.length).toBeGreaterThan(0);
    for (const bad of demo.bad_firmware) {
      const row = demo.by_firmware[bad]!;
      expect(row.failures).toBeGreaterThanOrEqual(10);
      for (const [name, other] of Object.entries(demo.by_firmware)) {
        if (name === bad || other.line !== row.line || other.unit_days < 50_000) continue;
        expect(row.afr_pct, `${bad} vs ${name}`).toBeGreaterThan(2 * other.afr_pct);
      }
    }
  });

  it('has bad batches failing at least twice as often as the rest of their line', () => {
    expect(demo.bad_batches.map((b) => b.line).sort()).toEqual(['SA', 'TF']);
    for (const batch of demo.bad_batches) {
      expect(batch.failures).toBeGreaterThanOrEqual(5);
      expect(batch.afr_pct, batch.batch).toBeGreaterThan(2 * batch.line_afr_pct_excluding_batch);
    }
  });

  it('refuses claims for every exclusion and replaces others with coverage by the 90-day rule', () => {
    for (const reason of refusalReasons) expect(demo.claims.outcomes[reason], reason).toBeGreaterThan(0);
    expect(demo.claims.outcomes.replaced).toBeGreaterThan(20);
    expect(demo.claims.outcomes.repaired).toBeGreaterThan(0);
    expect(demo.replacements).toHaveLength(demo.units.replacements);
    const ninetyDayWins = demo.replacements.filter((r) => dayFromIso(r.coverage_end) === dayFromIso(r.replaced_on) + 91);
    const remainingWins = demo.replacements.filter((r) => dayFromIso(r.coverage_end) > dayFromIso(r.replaced_on) + 91);
    expect(ninetyDayWins.length).toBeGreaterThan(0);
    expect(remainingWins.length).toBeGreaterThan(0);
    for (const r of demo.replacements) expect(dayFromIso(r.coverage_end)).toBeGreaterThanOrEqual(dayFromIso(r.replaced_on) + 91);
  });
});
