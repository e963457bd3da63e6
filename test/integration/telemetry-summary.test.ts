import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { migrate, migrationsDir } from '../../infra/clickhouse/migrate.ts';
import { trailingPeriodDays } from '../../warranty/rules.ts';
import { summaryAsOf } from '../../warranty/telemetry-as-of.ts';
import type { TelemetrySummary } from '../../warranty/types.ts';
import { telemetryFactsSql } from '../../warranty/unit-facts-sql.ts';
import { type TelemetryRow, telemetrySummary } from '../../warranty/unit-loader.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';

/**
 * unit_facts keeps each unit's trailing figures as samples arrive. Whatever the order, batching and redelivery of the
 * samples, and whatever enrolments arrive between them, the figures must be those of the window defined in rules.ts
 * (trailingPeriodDays), computed here naively from every sample; so must summaryAsOf, which recomputes them from a
 * unit's history for an evaluation date before its newest sample.
 */

interface Sample {
  collected_at: string;
  host_bytes_written: number | null;
  avg_pe_cycles: number | null;
  temperature_c: number | null;
}

const dayMs = 86_400_000;

function expected(samples: Sample[]): TelemetrySummary {
  const ms = (s: Sample) => Date.parse(s.collected_at);
  const newest = samples.reduce((a, b) => (ms(b) > ms(a) ? b : a));
  const day = Math.floor(ms(newest) / dayMs);
  const p = trailingPeriodDays;
  const start = Math.min(Math.floor(day / p) * p, Math.floor((day + p / 2) / p) * p - p / 2);
  const window = samples.filter((s) => Math.floor(ms(s) / dayMs) >= start).sort((a, b) => ms(a) - ms(b));
  const first = (pick: (s: Sample) => number | null) => {
    const s = window.find((x) => pick(x) !== null);
    return s ? { at: s.collected_at, value: pick(s)! } : null;
  };
  const temps = window.map((s) => s.temperature_c).filter((t) => t !== null);
  const highest = (pick: (s: Sample) => number | null) => samples.map(pick).reduce<number | null>((m, v) => (v === null ? m : Math.max(m ?? v, v)), null);
  return {
    latest: {
      collected_at: newest.collected_at,
      host_bytes_written: newest.host_bytes_written,
      avg_pe_cycles: newest.avg_pe_cycles,
      temperature_c: newest.temperature_c,
    },
    max_hbw: highest((s) => s.host_bytes_written),
    max_pe: highest((s) => s.avg_pe_cycles),
    trailing_hbw: first((s) => s.host_bytes_written),
    trailing_pe: first((s) => s.avg_pe_cycles),
    temp_min: temps.length ? Math.min(...temps) : null,
    temp_max: temps.length ? Math.max(...temps) : null,
  };
}

// Samples of one unit at distinct minutes over ~half a year, so the window's edges and both period series are crossed.
const origin = Date.parse('2026-06-01T00:00:00Z');
const unitSamples = fc.uniqueArray(fc.integer({ min: 0, max: 180 * 24 * 60 }), { minLength: 1, maxLength: 12 }).chain((minutes) =>
  fc.tuple(
    ...minutes.map((m) =>
      fc.record({
        collected_at: fc.constant(new Date(origin + m * 60_000).toISOString()),
        host_bytes_written: fc.option(fc.integer({ min: 0, max: 2 ** 50 }), { freq: 4 }),
        avg_pe_cycles: fc.option(fc.integer({ min: 0, max: 100_000 }), { freq: 4 }),
        temperature_c: fc.option(fc.integer({ min: -40, max: 120 }), { freq: 4 }),
      }),
    ),
  ),
);

const toRows = (units: Sample[][], serial: (u: number) => string) =>
  units.flatMap((samples, u) => samples.map((s) => ({ ...s, serial: serial(u), fleet_id: 'f', model: 'm', firmware: '1', source: 'test' })));

const facts = async (where: string) =>
  (await queryRows<TelemetryRow & { serial: string }>(clickhouse, `${telemetryFactsSql(where)} ORDER BY serial`)).map((row) => telemetrySummary(row));

// Samples stored before migration 0024 replaced telemetry_summary with unit_facts (one seed: the same every run).
const beforeUpgrade = fc.sample(fc.array(unitSamples, { minLength: 20, maxLength: 20 }), { numRuns: 1, seed: 24 })[0]!;
const storedSerial = (u: number) => `UPGRADE${String(u).padStart(5, '0')}`;

let clickhouse: ClickHouse;
beforeAll(async () => {
  clickhouse = await openTestClickHouse({ migrate: false });
  const old = mkdtempSync(join(tmpdir(), 'wearwatch-migrations-'));
  for (const file of readdirSync(migrationsDir).filter((f) => f < '0024')) copyFileSync(join(migrationsDir, file), join(old, file));
  await migrate(clickhouse.client, { dir: old });
  await clickhouse.client.insert({ table: 'telemetry', values: toRows(beforeUpgrade, storedSerial), format: 'JSONEachRow' });
  await migrate(clickhouse.client);
});
afterAll(() => clickhouse?.close());

describe('telemetry summary', () => {
  // First: the property below starts each case from an empty unit_facts.
  it('keeps the figures of samples stored before the upgrade to unit_facts', async () => {
    expect(await facts("startsWith(serial, 'UPGRADE')")).toEqual(beforeUpgrade.map(expected));
  });

  it('holds the trailing window of every unit, whatever the order, batches and redeliveries of its samples', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(unitSamples, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 4 }), fc.integer(), async (units, batches, seed) => {
        await clickhouse.client.command({ query: 'TRUNCATE TABLE unit_facts' });
        const serial = (u: number) => `NV2601S${String(u).padStart(5, '0')}`;
        const rows = toRows(units, serial);
        // Every other unit enrolled, and one more enrolled unit that never reports: it has no telemetry facts.
        const drives = [...units.keys(), units.length]
          .filter((u) => u % 2 === 0)
          .map((u) => ({ serial: serial(u), model: 'm', fleet_id: 'f', price_paid: 1, currency: 'USD', enrolled_at: Date.now() }));
        // Every sample once, a third of them again, shuffled and split into separate inserts (parts merged by FINAL).
        const sent = [...rows, ...rows.filter((_, i) => i % 3 === 0)].map((r, i) => ({ r, key: (Math.imul(i + 1, 2654435761) ^ seed) >>> 0 }));
        sent.sort((a, b) => a.key - b.key);
        for (let b = 0; b < batches; b++) {
          const values = sent.filter((_, i) => i % batches === b).map((x) => x.r);
          if (values.length) await clickhouse.client.insert({ table: 'telemetry', values, format: 'JSONEachRow' });
          if (b === 0) await clickhouse.client.insert({ table: 'drives', values: drives, format: 'JSONEachRow' });
        }
        expect(await facts('1')).toEqual(units.map(expected));
        // The history path (a unit that reported after the evaluation date) computes the same figures from the samples.
        const asOf = units.map((samples) =>
          summaryAsOf(
            samples.map((x) => ({ ...x, at_ms: Date.parse(x.collected_at) })),
            Number.POSITIVE_INFINITY,
          ),
        );
        expect(asOf).toEqual(units.map(expected));
      }),
      { numRuns: 40 },
    );
  });
});
