import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { dlqHeaders } from '../../core/dead-letter.ts';
import { sendInBatches } from '../../core/kafka.ts';
import { createLogger } from '../../core/logger.ts';
import { dlqTopic } from '../../core/topics.ts';
import { type IngestService, startIngest, type TopicFamily } from '../../runtime/ingest.ts';
import { System } from '../../runtime/system.ts';
import { waitFor } from '../support/cli.ts';
import { queryRows } from '../support/clickhouse.ts';
import { fixturePath, telemetryEvent } from '../support/ingest.ts';
import { readMessages, testBrokers, testKafka, uniqueTopic } from '../support/kafka.ts';

const kafka: Kafka = testKafka();
const run = randomUUID().slice(0, 6).toUpperCase();
let system: System;
let ingest: IngestService;
let topicOf: Record<TopicFamily, string>;

const producer = kafka.producer();

beforeAll(async () => {
  topicOf = {
    telemetry: await uniqueTopic(kafka, 'ingest-telemetry', 3),
    enrollment: await uniqueTopic(kafka, 'ingest-enrollment', 2),
    rma: await uniqueTopic(kafka, 'ingest-rma', 2),
  };
  const config = loadConfig({
    KAFKA_BROKERS: testBrokers().join(','),
    WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-ingest-')),
    WEARWATCH_LOG_LEVEL: 'error',
    INGEST_GROUP_PREFIX: `test.${run}`,
    INGEST_RETRY_MAX_MS: '400',
  });
  system = new System(config, createLogger(config), () => {});
  ingest = await startIngest(await system.start(), { topics: topicOf });
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await system?.stop();
});

const count = async (query: string, params: Record<string, unknown> = {}) => Number((await queryRows<{ n: number }>(system.clickhouse!, query, params))[0]!.n);

const enrollmentOf = (serial: string) => ({
  schema: 'wearwatch.enrollment.v1',
  serial,
  model: 'WW-NV1-1T',
  fleet_id: 'fleet-a',
  purchase_date: '2024-02-01',
  price_paid: 129.99,
  enrolled_at: '2024-02-03T10:00:00Z',
});

/** Telemetry counts only for enrolled units: enrol the serials in fleet-a and wait until the enrolments are stored. */
async function enrol(serials: string[]) {
  await producer.send({ topic: topicOf.enrollment, messages: serials.map((s) => ({ key: s, value: JSON.stringify(enrollmentOf(s)) })) });
  await waitFor(
    'the enrolments',
    async () =>
      (await count('SELECT count() AS n FROM drives FINAL WHERE serial IN {s:Array(String)}', { s: serials })) === serials.length ? true : undefined,
    30_000,
  );
}

const rmaOf = (serial: string, i: number) => ({
  schema: 'wearwatch.rma.v1',
  event_id: randomUUID(),
  rma_number: `RMA-${run}${String(i).padStart(4, '0')}`,
  serial,
  event_type: 'requested',
  occurred_at: '2025-01-05T09:00:00+01:00',
  details: { channel: 'portal' },
});

describe('ingest consumers against the real broker and chDB', () => {
  it('writes every valid message exactly once, including a redelivered batch and smartctl documents', async () => {
    const samples = Array.from({ length: 2_000 }, (_, i) => telemetryEvent(`OK${run}${i % 200}`, i));
    await enrol([...Array.from({ length: 200 }, (_, i) => `OK${run}${i}`), 'BTNH93710FS91P0B', `AFTER${run}`]);
    const smartctl = {
      schema: 'wearwatch.telemetry.smartctl.v1',
      fleet_id: 'fleet-a',
      collected_at: '2025-06-01T00:00:00Z',
      smartctl: JSON.parse(readFileSync(fixturePath('smart-nvme.json'), 'utf8')),
    };
    const messages = [...samples, smartctl].map((m) => ({ key: 'serial' in m ? String(m.serial) : 'smartctl', value: JSON.stringify(m) }));
    await sendInBatches(producer, { topic: topicOf.telemetry, messages });
    // The same 500 again, as a producer retry or a redelivery would send them.
    await sendInBatches(producer, { topic: topicOf.telemetry, messages: messages.slice(0, 500) });

    const serials = Array.from({ length: 40 }, (_, i) => `EN${run}${i}`);
    await sendInBatches(producer, { topic: topicOf.enrollment, messages: serials.map((s) => ({ key: s, value: JSON.stringify(enrollmentOf(s)) })) });
    const rmas = serials.map((s, i) => rmaOf(s, i));
    await sendInBatches(producer, { topic: topicOf.rma, messages: [...rmas, ...rmas.slice(0, 10)].map((e) => ({ key: e.serial, value: JSON.stringify(e) })) });

    await waitFor('all telemetry consumed', async () => (ingest.metrics.snapshot().topics[topicOf.telemetry]!.consumed >= 2_501 ? true : undefined), 30_000);
    await waitFor('rma consumed', async () => (ingest.metrics.snapshot().topics[topicOf.rma]!.consumed >= 50 ? true : undefined), 30_000);

    expect(await count(`SELECT count() AS n FROM telemetry FINAL WHERE startsWith(serial, {p:String})`, { p: `OK${run}` })).toBe(2_000);
    const nvme = await queryRows<Record<string, unknown>>(system.clickhouse!, `SELECT * FROM telemetry FINAL WHERE serial = 'BTNH93710FS91P0B'`);
    expect(nvme).toHaveLength(1);
    expect(nvme[0]).toMatchObject({ host_bytes_written: 7773431 * 512_000, temperature_c: 36, source: 'smartctl', fleet_id: 'fleet-a' });
    expect(await count(`SELECT count() AS n FROM drives FINAL WHERE startsWith(serial, {p:String})`, { p: `EN${run}` })).toBe(40);
    const drive = (await queryRows<Record<string, unknown>>(system.clickhouse!, 'SELECT * FROM drives FINAL WHERE serial = {s:String}', { s: serials[0] }))[0]!;
    expect(drive).toMatchObject({ model: 'WW-NV1-1T', purchase_date: '2024-02-01', proof_of_purchase: null, currency: 'USD' });
    expect(Number(drive.price_paid)).toBeCloseTo(129.99, 2);
    expect(await count(`SELECT count() AS n FROM rma_events FINAL WHERE startsWith(serial, {p:String})`, { p: `EN${run}` })).toBe(40);

    const snapshot = ingest.metrics.snapshot().topics;
    expect(snapshot[topicOf.telemetry]).toMatchObject({ consumed: 2_501, written: 2_501, dead_lettered: 0 });
    expect(snapshot[topicOf.enrollment]).toMatchObject({ consumed: 242, written: 242, dead_lettered: 0 });
    expect(ingest.health().status).toBe('ok');
  });

  it('sends a malformed message of each kind to <topic>.dlq with its reason and coordinates, and keeps consuming', async () => {
    const hdd = {
      schema: 'wearwatch.telemetry.smartctl.v1',
      fleet_id: 'f',
      collected_at: '2025-06-01T00:00:00Z',
      smartctl: JSON.parse(readFileSync(fixturePath('smart-ata.json'), 'utf8')),
    };
    const bad: Record<TopicFamily, Array<{ value: string | null; reason: RegExp }>> = {
      telemetry: [
        { value: '{"schema": "wearwatch.telemetry.v1", "serial": ', reason: /not valid JSON/ },
        { value: null, reason: /empty message value/ },
        { value: JSON.stringify({ ...telemetryEvent(`BAD${run}`, 1), schema: 'wearwatch.telemetry.v9' }), reason: /^schema: / },
        { value: JSON.stringify({ ...telemetryEvent(`BAD${run}`, 2), temperature_c: 900 }), reason: /^temperature_c: / },
        { value: JSON.stringify(hdd), reason: /^smartctl: .*rotating disk/ },
      ],
      enrollment: [{ value: JSON.stringify({ ...enrollmentOf(`BADEN${run}`), price_paid: -5 }), reason: /^price_paid: / }],
      rma: [{ value: JSON.stringify({ ...rmaOf(`BADRM${run}`, 9999), event_type: 'replaced' }), reason: /^replacement_serial: / }],
    };
    const good = Array.from({ length: 30 }, (_, i) => telemetryEvent(`AFTER${run}`, i));
    for (const family of Object.keys(bad) as TopicFamily[]) {
      await sendInBatches(producer, {
        topic: topicOf[family],
        messages: bad[family].map((b, i) => ({ key: `k${i}`, value: b.value, headers: { trace: 'abc' } })),
      });
    }
    await sendInBatches(producer, { topic: topicOf.telemetry, messages: good.map((g) => ({ key: g.serial, value: JSON.stringify(g) })) });

    for (const family of Object.keys(bad) as TopicFamily[]) {
      const dead = await readMessages(kafka, dlqTopic(topicOf[family]), bad[family].length);
      expect(dead).toHaveLength(bad[family].length);
      for (const [i, expected] of bad[family].entries()) {
        const message = dead.find((m) => m.key?.toString() === `k${i}`)!;
        expect(message.value?.toString() ?? null).toBe(expected.value);
        expect(message.headers![dlqHeaders.reason]!.toString()).toMatch(expected.reason);
        expect(message.headers![dlqHeaders.topic]!.toString()).toBe(topicOf[family]);
        expect(Number(message.headers![dlqHeaders.partition]!.toString())).toBeGreaterThanOrEqual(0);
        expect(message.headers![dlqHeaders.offset]!.toString()).toMatch(/^\d+$/);
        expect(message.headers!.trace!.toString()).toBe('abc');
      }
    }
    await waitFor(
      'good messages after the bad ones',
      async () => ((await count(`SELECT count() AS n FROM telemetry FINAL WHERE serial = {s:String}`, { s: `AFTER${run}` })) === 30 ? true : undefined),
      30_000,
    );
    expect(await count(`SELECT count() AS n FROM telemetry FINAL WHERE serial = {s:String}`, { s: `BAD${run}` })).toBe(0);
    expect(ingest.metrics.snapshot().topics[topicOf.telemetry]!.dead_lettered).toBe(5);
  });

  it('retries a failing write without committing past it, then writes everything once the table is back', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const committed = async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: `test.${run}.rma`, topics: [topicOf.rma] });
      return offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    try {
      const before = await committed();
      const failuresBefore = ingest.metrics.snapshot().topics[topicOf.rma]!.write_failures;
      await system.clickhouse!.client.command({ query: 'RENAME TABLE rma_events TO rma_events_away' });
      const events = Array.from({ length: 20 }, (_, i) => rmaOf(`RETRY${run}${i}`, 5000 + i));
      await sendInBatches(producer, { topic: topicOf.rma, messages: events.map((e) => ({ key: e.serial, value: JSON.stringify(e) })) });

      await waitFor('a failed write', async () => (ingest.metrics.snapshot().topics[topicOf.rma]!.write_failures > failuresBefore ? true : undefined), 20_000);
      expect(ingest.health().status).toBe('degraded');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await committed()).toBe(before);

      await system.clickhouse!.client.command({ query: 'RENAME TABLE rma_events_away TO rma_events' });
      await waitFor(
        'the retried write',
        async () =>
          (await count(`SELECT count() AS n FROM rma_events FINAL WHERE startsWith(serial, {p:String})`, { p: `RETRY${run}` })) === 20 ? true : undefined,
        30_000,
      );
      await waitFor('the commit', async () => ((await committed()) === before + 20 ? true : undefined), 10_000);
      expect(ingest.health().status).toBe('ok');
    } finally {
      await admin.disconnect();
    }
  });
});
