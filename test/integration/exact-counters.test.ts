import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, buildServer } from '../../api/server.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import { loadConfig } from '../../core/config.ts';
import { HealthRegistry } from '../../core/health.ts';
import { createLogger } from '../../core/logger.ts';
import { runWarrantyJob } from '../../jobs/warranty-evaluation.ts';
import { KeyStore } from '../../keys/api-keys.ts';
import { startIngest } from '../../runtime/ingest.ts';
import { type Started, System } from '../../runtime/system.ts';
import { todayUtc } from '../../warranty/service.ts';
import { thresholdsFrom } from '../../warranty/thresholds.ts';
import { waitFor } from '../support/cli.ts';
import { queryRows } from '../support/clickhouse.ts';
import { fixturePath } from '../support/ingest.ts';
import { testBrokers, testKafka, uniqueTopic } from '../support/kafka.ts';

/**
 * The real smartctl document of an Intel DC P3700 (test/fixtures/smartctl/SOURCES.md): 32,381,395,004 NVMe data units,
 * 16,579,274,242,048,000 bytes (16.58 PB, past 2^53), enrolled as a 2.4 PB TBW model. Its bytes must travel exactly
 * from Kafka to ClickHouse's UInt64 and out of the API, and the unit must show its TBW exceeded.
 */
const p3700 = JSON.parse(readFileSync(fixturePath('nvme-intel-dc-p3700-16pb.json'), 'utf8')) as Record<string, unknown>;
const bytes = '16579274242048000';
// One above a double's reach: 2^53 + 1 cannot be a JS number, so only an exact path keeps its last digit.
const oddBytes = '9007199254740993';
const run = randomUUID().slice(0, 6).toUpperCase();
const gatewaySerial = `NV2401${run}`;
const catalog = loadCatalog();
const today = todayUtc();

let system: Started;
let app: ApiServer;
let authorization: string;

beforeAll(async () => {
  const kafka = testKafka();
  const topics = {
    telemetry: await uniqueTopic(kafka, 'exact-telemetry'),
    enrollment: await uniqueTopic(kafka, 'exact-enrollment'),
    rma: await uniqueTopic(kafka, 'exact-rma'),
  };
  const config = loadConfig({
    KAFKA_BROKERS: testBrokers().join(','),
    WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-exact-')),
    WEARWATCH_LOG_LEVEL: 'error',
    INGEST_GROUP_PREFIX: `test.exact.${run}`,
  });
  system = await new System(config, createLogger(config), () => {}).start();
  await startIngest(system, { topics });
  const producer = system.kafka.kafka.producer();
  await producer.connect();
  app = await buildServer({ config, logger: createLogger(config), health: new HealthRegistry(), clickhouse: system.clickhouse, catalog, producer, topics });
  await app.ready();
  authorization = `Bearer ${(await new KeyStore(system.clickhouse.client).create({ name: 'agent', role: 'fleet_manager', fleet_ids: ['fleet-dc'] })).key}`;

  const enrol = (serial: string) =>
    JSON.stringify({
      schema: 'wearwatch.enrollment.v1',
      serial,
      model: 'WW-NV4-4T',
      fleet_id: 'fleet-dc',
      purchase_date: '2024-06-01',
      proof_of_purchase: 'INV-DC-1',
      price_paid: 900,
      enrolled_at: '2024-06-02T00:00:00Z',
    });
  await producer.send({
    topic: topics.enrollment,
    messages: [
      { key: 'REDACTED', value: enrol('REDACTED') },
      { key: gatewaySerial, value: enrol(gatewaySerial) },
    ],
  });
  const collected = new Date(Date.now() - 3_600_000).toISOString();
  await producer.send({
    topic: topics.telemetry,
    messages: [
      { key: 'REDACTED', value: JSON.stringify({ schema: 'wearwatch.telemetry.smartctl.v1', fleet_id: 'fleet-dc', collected_at: collected, smartctl: p3700 }) },
    ],
  });
  // A normalised sample through the HTTP gateway, its counter written as a bare JSON number beyond 2^53.
  const body = `{"items":[{"schema":"wearwatch.telemetry.v1","serial":"${gatewaySerial}","fleet_id":"fleet-dc","collected_at":"${collected}","model":"WW-NV4-4T","host_bytes_written":${oddBytes}}]}`;
  const sent = await app.inject({ method: 'POST', url: '/v1/telemetry', headers: { authorization, 'content-type': 'application/json' }, payload: body });
  expect(sent.json()).toMatchObject({ accepted: 1, rejected: 0 });
});

afterAll(async () => {
  await app?.close();
  await system?.stop();
});

describe('64-bit counters end to end', () => {
  it('stores the bytes exactly in UInt64 and reads them back as exact decimal strings', async () => {
    const stored = () =>
      queryRows<{ serial: string; hbw: string; raw: number | string }>(
        system.clickhouse,
        'SELECT serial, toString(host_bytes_written) AS hbw, host_bytes_written AS raw FROM telemetry ORDER BY serial',
      );
    await waitFor('both samples in ClickHouse', async () => ((await stored()).length === 2 ? true : undefined), 60_000);
    expect(await stored()).toEqual([
      { serial: gatewaySerial, hbw: oddBytes, raw: oddBytes },
      { serial: 'REDACTED', hbw: bytes, raw: bytes },
    ]);
  });

  it('bulk evaluation and the public lookup show the TBW exceeded, with the exact bytes', async () => {
    await waitFor(
      'the enrolment',
      async () => ((await queryRows(system.clickhouse, "SELECT 1 FROM drives WHERE serial = 'REDACTED'")).length ? true : undefined),
      30_000,
    );
    await runWarrantyJob({ client: system.clickhouse.client, catalog, thresholds: thresholdsFrom(system.config), at: today });
    const [snapshot] = await queryRows<{ status_reason: string }>(
      system.clickhouse,
      "SELECT status_reason FROM warranty_status FINAL WHERE serial = 'REDACTED'",
    );
    expect(snapshot!.status_reason).toBe('tbw_reached');

    const lookup = (await app.inject({ method: 'GET', url: '/v1/warranty/REDACTED' })).json();
    expect(lookup).toMatchObject({ status_reason: { code: 'tbw_reached' }, wear: { metric: 'tbw', limit: 2400e12, used: bytes, remaining: 0 } });
    // 16.58 PB of a 2.4 PB rating: 690.8 % (the public answer rounds to one decimal).
    expect(lookup.wear.used_pct).toBe(690.8);

    const fleet = (await app.inject({ method: 'GET', url: `/v1/fleets/fleet-dc/drives/${gatewaySerial}/telemetry`, headers: { authorization } })).json();
    expect(fleet.samples[0]).toMatchObject({ host_bytes_written: oddBytes });
  });
});
