import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOfInstant, isoFromDay } from '../../core/calendar.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { dlqHeaders } from '../../core/dead-letter.ts';
import { createLogger } from '../../core/logger.ts';
import { dlqTopic } from '../../core/topics.ts';
import { type IngestService, startIngest, type TopicFamily } from '../../runtime/ingest.ts';
import { type Started, System } from '../../runtime/system.ts';
import { backfill } from '../../simulator/backfill.ts';
import { FleetSimulation } from '../../simulator/engine.ts';
import { ContractProducer } from '../../simulator/producer.ts';
import { evaluateUnit } from '../../warranty/evaluate.ts';
import { loadUnitInputs } from '../../warranty/unit-loader.ts';
import { waitFor } from '../support/cli.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';
import { readMessages, testBrokers, testKafka, uniqueTopic } from '../support/kafka.ts';

const catalog = loadCatalog();
const kafka: Kafka = testKafka();
const producer = kafka.producer();
let clickhouse: ClickHouse;
let system: System;
let ingest: IngestService;
let topicOf: Record<TopicFamily, string>;

beforeAll(async () => {
  topicOf = {
    telemetry: await uniqueTopic(kafka, 'trust.telemetry', 4),
    enrollment: await uniqueTopic(kafka, 'trust.enrollment', 2),
    rma: await uniqueTopic(kafka, 'trust.rma', 2),
  };
  clickhouse = await openTestClickHouse();
  const config = loadConfig({
    WEARWATCH_LOG_LEVEL: process.env.TRUST_LOG ?? 'error',
    KAFKA_BROKERS: testBrokers().join(','),
    INGEST_RETRY_MAX_MS: '400',
    INGEST_LAG_POLL_MS: '300',
    INGEST_STUCK_AFTER_MS: '1500',
  });
  system = new System(config, createLogger(config), () => {});
  system.clickhouse = clickhouse;
  system.kafka = { kafka, brokers: testBrokers(), mode: 'external' };
  ingest = await startIngest(system as Started, { topics: topicOf, groupPrefix: `trust-${randomUUID().slice(0, 8)}` });
  await producer.connect();
}, 120_000);

afterAll(async () => {
  await producer.disconnect();
  await ingest?.stop();
  await clickhouse?.close();
});

const count = async (query: string, params: Record<string, unknown> = {}) => Number((await queryRows<{ n: number }>(clickhouse, query, params))[0]!.n);
const send = (family: TopicFamily, values: Array<{ serial: string }>) =>
  producer.send({ topic: topicOf[family], messages: values.map((v) => ({ key: v.serial, value: JSON.stringify(v) })) });
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const today = isoFromDay(dayOfInstant(new Date()));

const enrolment = (serial: string, fleet = 'fleet-a') => ({
  schema: 'wearwatch.enrollment.v1',
  serial,
  model: 'WW-NV4-1T',
  fleet_id: fleet,
  purchase_date: '2025-06-01',
  proof_of_purchase: 'INV-1',
  price_paid: 100,
  enrolled_at: '2025-06-02T00:00:00Z',
});
const sample = (serial: string, collected_at: string, host_bytes_written: number, fleet = 'fleet-a', extra: object = {}) => ({
  schema: 'wearwatch.telemetry.v1',
  serial,
  fleet_id: fleet,
  collected_at,
  model: 'WW-NV4-1T',
  host_bytes_written,
  power_on_hours: 5000,
  ...extra,
});
async function enrolAndWait(serials: string[], fleet = 'fleet-a') {
  await send(
    'enrollment',
    serials.map((s) => enrolment(s, fleet)),
  );
  await waitFor(
    'enrolments stored',
    async () =>
      (await count('SELECT count() AS n FROM drives FINAL WHERE serial IN {s:Array(String)}', { s: serials })) === serials.length ? true : undefined,
    30_000,
  );
}
const evaluate = async (serial: string) => evaluateUnit((await loadUnitInputs(clickhouse.client, serial, today))!, today, catalog);
const kept = (serial: string) =>
  queryRows<{ state: string; reason_code: string; reason: string; fleet_id: string }>(
    clickhouse,
    'SELECT toString(state) AS state, toString(reason_code) AS reason_code, reason, toString(fleet_id) AS fleet_id FROM telemetry_quarantine FINAL WHERE serial = {s:String} ORDER BY collected_at',
    { s: serial },
  );

describe('ingest that no batch can stall', () => {
  it('ingests the whole 3,650-day simulated fleet produced in 100,000-message batches', async () => {
    const simulation = new FleetSimulation({ seed: 1, drives: 100, days: 3650, end: dayOfInstant(new Date()), sampleEvery: 30, catalog });
    const sim = new ContractProducer(kafka, { topics: topicOf, batchSize: 100_000 });
    await sim.connect();
    const truth = await backfill(simulation, sim)
      .then((r) => r.truth)
      .finally(() => sim.disconnect());
    // Ten years of monthly partitions: far more than one insert may span.
    const months = new Set<string>();
    expect(truth.events.telemetry).toBeGreaterThan(5_000);
    await waitFor(
      'every simulated sample written',
      async () =>
        (await count('SELECT count() AS n FROM telemetry FINAL WHERE source = {s:String}', { s: 'simulator' })) === truth.events.telemetry ? true : undefined,
      240_000,
    );
    for (const r of await queryRows<{ m: string }>(
      clickhouse,
      "SELECT DISTINCT toString(toYYYYMM(collected_at)) AS m FROM telemetry WHERE source = 'simulator'",
    ))
      months.add(r.m);
    expect(months.size).toBeGreaterThan(100);
    expect(await count('SELECT count() AS n FROM drives FINAL')).toBeGreaterThanOrEqual(truth.events.enrollment);
    // Nothing stays held: every sample that arrived before its enrolment was attributed once it landed.
    expect(await count("SELECT count() AS n FROM telemetry_quarantine FINAL WHERE state != 'attributed'")).toBe(0);
    expect(ingest.metrics.snapshot().topics[topicOf.telemetry]!.dead_lettered).toBe(0);
  }, 300_000);

  it('writes the rest of a batch with one row ClickHouse rejects and dead-letters that row with its message', async () => {
    await enrolAndWait(['NV2520U00001']);
    // A real ClickHouse rejection of one row's content: a constraint violated only by temperature 77.
    await clickhouse.client.command({ query: 'ALTER TABLE telemetry ADD CONSTRAINT reject_77 CHECK temperature_c IS NULL OR temperature_c != 77' });
    try {
      const samples = Array.from({ length: 50 }, (_, i) =>
        sample('NV2520U00001', new Date(Date.UTC(2025, 6, 1) + i * 86_400_000).toISOString(), 1e12 + i, 'fleet-a', { temperature_c: i === 20 ? 77 : 40 }),
      );
      await send('telemetry', samples);
      const [dead] = await readMessages(kafka, dlqTopic(topicOf.telemetry), 1);
      expect(dead!.headers![dlqHeaders.reason]!.toString()).toMatch(/^clickhouse 469 VIOLATED_CONSTRAINT: .*reject_77/);
      expect(JSON.parse(dead!.value!.toString())).toMatchObject({ temperature_c: 77 });
      await waitFor(
        'the other 49 rows',
        async () => ((await count("SELECT count() AS n FROM telemetry FINAL WHERE serial = 'NV2520U00001'")) === 49 ? true : undefined),
        30_000,
      );
      expect(await count("SELECT count() AS n FROM telemetry FINAL WHERE serial = 'NV2520U00001' AND temperature_c = 77")).toBe(0);
    } finally {
      await clickhouse.client.command({ query: 'ALTER TABLE telemetry DROP CONSTRAINT reject_77' });
    }
  }, 120_000);
});

describe('telemetry that cannot forge wear', () => {
  it('keeps rollback, far-future and cross-tenant samples apart and the units’ status unchanged', async () => {
    await enrolAndWait(['NV2520F00001']);
    await send('telemetry', [sample('NV2520F00001', hoursAgo(240), 600e12), sample('NV2520F00001', hoursAgo(48), 700e12)]);
    await waitFor(
      'the real samples',
      async () => ((await count("SELECT count() AS n FROM telemetry FINAL WHERE serial = 'NV2520F00001'")) === 2 ? true : undefined),
      30_000,
    );
    const before = await evaluate('NV2520F00001');
    expect(before.status).toBe('expired_tbw');

    // Rollback to 1 TB, a sample dated 9999, then a genuine later reading that must still become the reading.
    await send('telemetry', [sample('NV2520F00001', hoursAgo(24), 1e12), sample('NV2520F00001', '9999-01-01T00:00:00.000Z', 9e15)]);
    await waitFor('both forgeries kept apart', async () => ((await kept('NV2520F00001')).length === 2 ? true : undefined), 30_000);
    await send('telemetry', [sample('NV2520F00001', hoursAgo(1), 705e12)]);
    await waitFor(
      'the later real sample',
      async () => ((await count("SELECT count() AS n FROM telemetry FINAL WHERE serial = 'NV2520F00001'")) === 3 ? true : undefined),
      30_000,
    );

    const after = await evaluate('NV2520F00001');
    expect(after.status).toBe('expired_tbw');
    const [latest] = await queryRows<{ hbw: number }>(clickhouse, "SELECT host_bytes_written AS hbw FROM telemetry_latest FINAL WHERE serial = 'NV2520F00001'");
    expect(Number(latest!.hbw)).toBe(705e12);
    const forged = await kept('NV2520F00001');
    expect(forged.map((k) => [k.state, k.reason_code])).toEqual([
      ['quarantined', 'counter_rollback'],
      ['quarantined', 'implausible_instant'],
    ]);
    expect(forged[1]!.reason).toMatch(/^collected_at: 9999-01-01T00:00:00.000Z is more than 24 h in the future/);
    const dead = await readMessages(kafka, dlqTopic(topicOf.telemetry), 2);
    expect(dead.map((m) => m.headers![dlqHeaders.reason]!.toString())).toContainEqual(expect.stringMatching(/^collected_at: 9999-01-01/));

    // Fleet B sends a 9 PB sample for a serial nobody enrolled; fleet A also sends one of its own. Then A enrols it.
    await send('telemetry', [sample('NV2520C00001', hoursAgo(3), 9e15, 'fleet-b'), sample('NV2520C00001', hoursAgo(2), 10e12, 'fleet-a')]);
    await waitFor('both held', async () => ((await kept('NV2520C00001')).filter((k) => k.state === 'held').length === 2 ? true : undefined), 30_000);
    await enrolAndWait(['NV2520C00001']);
    await waitFor('attribution', async () => ((await kept('NV2520C00001')).every((k) => k.state !== 'held') ? true : undefined), 30_000);
    const crossTenant = await kept('NV2520C00001');
    expect(crossTenant.map((k) => [k.fleet_id, k.state, k.reason_code])).toEqual([
      ['fleet-b', 'quarantined', 'other_fleet'],
      ['fleet-a', 'attributed', 'unenrolled'],
    ]);
    const [row] = await queryRows<{ fleet_id: string; hbw: number }>(
      clickhouse,
      "SELECT toString(fleet_id) AS fleet_id, host_bytes_written AS hbw FROM telemetry FINAL WHERE serial = 'NV2520C00001'",
    );
    expect(row).toMatchObject({ fleet_id: 'fleet-a', hbw: 10e12 });
    expect((await evaluate('NV2520C00001')).status).toBe('active');
  }, 180_000);
});

describe('health from the broker', () => {
  it('reports the lag of a stuck partition and degraded with the oldest stuck age, then ok once it moves', async () => {
    await clickhouse.client.command({ query: 'RENAME TABLE rma_events TO rma_events_away' });
    try {
      const events = Array.from({ length: 5 }, (_, i) => ({
        schema: 'wearwatch.rma.v1',
        event_id: randomUUID(),
        rma_number: `RMA-STUCK${i}`,
        serial: 'NV2520S00001',
        event_type: 'requested',
        occurred_at: hoursAgo(1),
      }));
      await send('rma', events);
      const health = await waitFor(
        'a stuck partition',
        async () => {
          const h = ingest.health() as { status: string; lag: { oldest_stuck_age_s?: number; stuck: Array<{ topic: string; lag: number }> } };
          return h.status === 'degraded' && h.lag.stuck.some((s) => s.topic === topicOf.rma) ? h : undefined;
        },
        30_000,
      );
      expect(health.lag.stuck.find((s) => s.topic === topicOf.rma)!.lag).toBe(5);
      expect(health.lag.oldest_stuck_age_s).toBeGreaterThanOrEqual(1);
      expect(ingest.metrics.snapshot().topics[topicOf.rma]!.lag).toBe(5);
    } finally {
      await clickhouse.client.command({ query: 'RENAME TABLE rma_events_away TO rma_events' });
    }
    await waitFor(
      'lag back to 0',
      async () => (ingest.metrics.snapshot().topics[topicOf.rma]!.lag === 0 && ingest.health().status === 'ok' ? true : undefined),
      30_000,
    );
  }, 90_000);
});
