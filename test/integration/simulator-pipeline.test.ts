import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshUnitAttributes } from '../../analytics/units.ts';
import { dayFromIso, isoFromDay } from '../../core/calendar.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { type IngestService, startIngest } from '../../runtime/ingest.ts';
import { type Started, System } from '../../runtime/system.ts';
import { backfill } from '../../simulator/backfill.ts';
import { FleetSimulation } from '../../simulator/engine.ts';
import { streamLive } from '../../simulator/live.ts';
import { ContractProducer, type Family } from '../../simulator/producer.ts';
import type { GroundTruth } from '../../simulator/truth.ts';
import { evaluateUnit } from '../../warranty/evaluate.ts';
import { loadUnitInputs } from '../../warranty/unit-loader.ts';
import { waitFor } from '../support/cli.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';
import { testBrokers, testKafka, uniqueTopic } from '../support/kafka.ts';

const catalog = loadCatalog();
const fleet = { seed: 24, drives: 2000, days: 730, end: dayFromIso('2026-06-01'), sampleEvery: 7 };

/** Rows in ClickHouse as queries see them after deduplication (FINAL): what a redelivery must not change. */
async function finalCounts(clickhouse: ClickHouse) {
  const [row] = await queryRows<{ telemetry: number; drives: number; rma: number }>(
    clickhouse,
    `SELECT (SELECT count() FROM telemetry FINAL) AS telemetry, (SELECT count() FROM drives FINAL) AS drives, (SELECT count() FROM rma_events FINAL) AS rma`,
  );
  return row!;
}

describe('simulated fleet through Kafka, ingest and ClickHouse', () => {
  const kafka = testKafka();
  let clickhouse: ClickHouse;
  let system: System;
  let ingest: IngestService;
  let topics: Record<Family, string>;
  let truth: GroundTruth;

  beforeAll(async () => {
    topics = {
      telemetry: await uniqueTopic(kafka, 'sim.telemetry', 4),
      enrollment: await uniqueTopic(kafka, 'sim.enrollment', 4),
      rma: await uniqueTopic(kafka, 'sim.rma', 4),
    };
    clickhouse = await openTestClickHouse();
    const config = loadConfig({ WEARWATCH_LOG_LEVEL: 'error', KAFKA_BROKERS: testBrokers().join(',') });
    system = new System(config, createLogger(config), () => {});
    system.clickhouse = clickhouse;
    system.kafka = { kafka, brokers: testBrokers(), mode: 'external' };
    ingest = await startIngest(system as Started, { topics, groupPrefix: `sim-test-${randomUUID().slice(0, 8)}` });

    const producer = new ContractProducer(kafka, { topics });
    await producer.connect();
    try {
      truth = (await backfill(new FleetSimulation({ ...fleet, catalog }), producer)).truth;
    } finally {
      await producer.disconnect();
    }
    await waitFor(
      'ingest to write every simulated event',
      async () => {
        const counts = await finalCounts(clickhouse);
        return counts.telemetry === truth.events.telemetry && counts.drives === truth.events.enrollment && counts.rma === truth.events.rma ? counts : undefined;
      },
      180_000,
    );
  }, 300_000);

  afterAll(async () => {
    await ingest?.stop();
    await clickhouse?.close();
  });

  it('lands exactly the events the simulator counted, per table', async () => {
    const counts = await finalCounts(clickhouse);
    expect(counts).toEqual({ telemetry: truth.events.telemetry, drives: truth.events.enrollment, rma: truth.events.rma });
    const deadLettered = Object.values(ingest.metrics.snapshot().topics).reduce((sum, t) => sum + t.dead_lettered, 0);
    expect(deadLettered).toBe(0);
  });

  it('ends every claim in ClickHouse with the outcome the simulator decided', async () => {
    const rows = await queryRows<{ outcome: string; n: number }>(
      clickhouse,
      `SELECT multiIf(has(types, 'replaced'), 'replaced', has(types, 'repaired'), 'repaired', has(types, 'rejected'), primary_reason, 'no_fault_found') AS outcome,
              count() AS n
       FROM (SELECT rma_number, groupUniqArray(toString(event_type)) AS types, arrayElement(argMinIf(reasons, occurred_at, event_type = 'rejected'), 1) AS primary_reason
             FROM rma_events FINAL GROUP BY rma_number HAVING has(types, 'closed'))
       GROUP BY outcome`,
    );
    const ingested = Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]));
    const expected = Object.fromEntries(Object.entries(truth.claims.outcomes).filter(([, n]) => n > 0));
    expect(ingested).toEqual(expected);
  });

  it('shows the bad firmware and the bad batches failing more often in the ingested data (analytics views)', async () => {
    await refreshUnitAttributes(clickhouse, catalog);
    const afr = async (column: 'firmware' | 'batch') =>
      new Map(
        (
          await queryRows<{ key: string; failures: number; drive_days: number }>(
            clickhouse,
            `SELECT toString(${column}) AS key, sum(failed) AS failures, sum(drive_days) AS drive_days FROM analytics_exposure GROUP BY key`,
          )
        ).map((r) => [r.key, { failures: Number(r.failures), days: Number(r.drive_days) }]),
      );
    const rate = (rows: { failures: number; days: number }[]) => {
      const days = rows.reduce((s, r) => s + r.days, 0);
      return days ? rows.reduce((s, r) => s + r.failures, 0) / (days / 365) : 0;
    };

    const byFirmware = await afr('firmware');
    for (const bad of truth.bad_firmware) {
      const line = truth.by_firmware[bad]!.line;
      const others = Object.entries(truth.by_firmware)
        .filter(([fw, row]) => row.line === line && fw !== bad)
        .map(([fw]) => byFirmware.get(fw) ?? { failures: 0, days: 0 });
      expect(byFirmware.get(bad)!.failures).toBeGreaterThanOrEqual(5);
      expect(rate([byFirmware.get(bad)!]), `${bad} against the rest of ${line}`).toBeGreaterThan(2 * rate(others));
    }

    const byBatch = await afr('batch');
    for (const bad of truth.bad_batches) {
      const rest = [...byBatch].filter(([batch]) => batch.startsWith(`${bad.line} `) && batch !== bad.batch).map(([, r]) => r);
      expect(byBatch.get(bad.batch), bad.batch).toBeDefined();
      expect(rate([byBatch.get(bad.batch)!]), `${bad.batch} against the rest of ${bad.line}`).toBeGreaterThan(2 * rate(rest));
    }
  });

  it('refuses at request exactly what the warranty rules find expired on that day, and covers replacements by the 90-day rule', async () => {
    const refused = await queryRows<{ serial: string; requested_on: string; reasons: string[] }>(
      clickhouse,
      `SELECT serial, toString(toDate(minIf(occurred_at, event_type = 'requested'))) AS requested_on, argMinIf(reasons, occurred_at, event_type = 'rejected') AS reasons
       FROM rma_events FINAL GROUP BY serial, rma_number
       HAVING countIf(event_type = 'authorised') = 0 AND countIf(event_type = 'rejected') = 1`,
    );
    expect(refused.length).toBe(truth.claims.outcomes.term_ended + truth.claims.outcomes.tbw_reached + truth.claims.outcomes.pe_reached);
    expect(refused.length).toBeGreaterThan(0);
    for (const claim of refused) {
      const inputs = await loadUnitInputs(clickhouse.client, claim.serial, claim.requested_on);
      const evaluation = evaluateUnit(inputs!, claim.requested_on, catalog);
      const failing = evaluation.claim.failing.map((f) => f.code).filter((code) => ['term_ended', 'tbw_reached', 'pe_reached'].includes(code));
      expect(failing.sort(), `${claim.serial} on ${claim.requested_on}`).toEqual([...claim.reasons].sort());
    }

    let replacementsChecked = 0;
    for (const replacement of truth.replacements) {
      const at = isoFromDay(dayFromIso(replacement.replaced_on) + 30);
      const inputs = await loadUnitInputs(clickhouse.client, replacement.replacement, at);
      if (!inputs) continue; // shipped after the window closed: not enrolled yet
      replacementsChecked++;
      const evaluation = evaluateUnit(inputs, at, catalog);
      expect(evaluation.coverage.basis, replacement.replacement).toBe('replacement');
      expect(evaluation.coverage.replacement_of).toBe(replacement.original);
      // The rules report the last covered day; the simulator the first day no longer covered.
      expect(dayFromIso(evaluation.coverage.end!) + 1, replacement.replacement).toBe(dayFromIso(replacement.coverage_end));
    }
    expect(replacementsChecked).toBeGreaterThan(10);
    expect(truth.replacements.some((r) => dayFromIso(r.coverage_end) === dayFromIso(r.replaced_on) + 91)).toBe(true);
  });

  it('does not double anything when the same fleet is produced again (idempotent keys)', async () => {
    const before = await finalCounts(clickhouse);
    const producer = new ContractProducer(kafka, { topics });
    await producer.connect();
    try {
      await backfill(new FleetSimulation({ ...fleet, catalog }), producer);
    } finally {
      await producer.disconnect();
    }
    await waitFor(
      'ingest to consume the second copy',
      async () => {
        // Consumed, not written: samples that arrived before their enrolment were written later by attribution.
        const handled = (family: Family) => ingest.metrics.snapshot().topics[topics[family]]!.consumed;
        const done =
          handled('telemetry') >= 2 * truth.events.telemetry && handled('rma') >= 2 * truth.events.rma && handled('enrollment') >= 2 * truth.events.enrollment;
        return done ? true : undefined;
      },
      180_000,
    );
    expect(await finalCounts(clickhouse)).toEqual(before);
  }, 300_000);

  it('streams live telemetry that continues each unit’s counters from the backfill', async () => {
    const simulation = new FleetSimulation({ ...fleet, drives: 50, catalog }).runToEnd();
    const before = new Map(simulation.activeUnits().map((u) => [u.spec.serial, u.host]));
    const producer = new ContractProducer(kafka, { topics: { ...topics, telemetry: await uniqueTopic(kafka, 'sim.live', 2) } });
    await producer.connect();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1500);
    const sent = await streamLive(simulation, producer, { rate: 40, signal: stop.signal });
    await producer.disconnect();
    expect(sent).toBeGreaterThanOrEqual(30);
    expect(sent).toBeLessThanOrEqual(70);
    for (const unit of simulation.activeUnits().slice(0, Math.min(sent, before.size))) {
      expect(unit.host).toBeGreaterThan(before.get(unit.spec.serial)!);
      expect(unit.lastSampleAt * 1000).toBeGreaterThan(fleet.end * 86_400_000);
    }
  });
});
