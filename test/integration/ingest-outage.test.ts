import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { createKafka } from '../../core/kafka.ts';
import { createLogger } from '../../core/logger.ts';
import { topics } from '../../core/topics.ts';
import { LocalKafkaBroker } from '../../infra/kafka/local-broker.ts';
import { freePortPair } from '../../infra/ports.ts';
import { type IngestService, startIngest } from '../../runtime/ingest.ts';
import { type Started, System } from '../../runtime/system.ts';
import { startCli, waitFor } from '../support/cli.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';
import { telemetryEvent } from '../support/ingest.ts';

// A broker of this file's own: the suite's shared broker must never be stopped.
const dataDir = mkdtempSync(join(tmpdir(), 'wearwatch-outage-kafka-'));
let broker: LocalKafkaBroker;
let clickhouse: ClickHouse;
let system: System;
let ingest: IngestService;
const children: Array<ReturnType<typeof startCli>> = [];
const SHUTDOWN_MS = 8_000;

beforeAll(async () => {
  const config = loadConfig({ WEARWATCH_LOG_LEVEL: 'silent' });
  broker = new LocalKafkaBroker({ dataDir, cacheDir: config.WEARWATCH_CACHE, port: await freePortPair(), partitions: 2 });
  await broker.start();
  clickhouse = await openTestClickHouse();
  const ingestConfig = loadConfig({ WEARWATCH_LOG_LEVEL: 'silent', KAFKA_BROKERS: broker.brokers.join(','), INGEST_LAG_POLL_MS: '300', KAFKA_PARTITIONS: '2' });
  system = new System(ingestConfig, createLogger(ingestConfig), () => {});
  system.clickhouse = clickhouse;
  system.kafka = { kafka: createKafka(ingestConfig, broker.brokers, system.logger), brokers: broker.brokers, mode: 'external' };
  ingest = await startIngest(system as Started, { groupPrefix: `outage-${randomUUID().slice(0, 6)}` });
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await broker?.start().catch(() => {});
  await ingest?.stop();
  await clickhouse?.close();
  await broker?.stop();
}, 120_000);

const serial = 'NV2520O00001';
async function produce(from: number, n: number) {
  const kafka = createKafka(system.config, broker.brokers, system.logger);
  const producer = kafka.producer();
  await producer.connect();
  try {
    if (from === 0) {
      const enrolment = {
        schema: 'wearwatch.enrollment.v1',
        serial,
        model: 'WW-NV1-1T',
        fleet_id: 'fleet-a',
        price_paid: 1,
        enrolled_at: '2024-12-01T00:00:00Z',
      };
      await producer.send({ topic: topics.enrollment, messages: [{ key: serial, value: JSON.stringify(enrolment) }] });
    }
    const events = Array.from({ length: n }, (_, i) => telemetryEvent(serial, from + i));
    await producer.send({ topic: topics.telemetry, messages: events.map((e) => ({ key: serial, value: JSON.stringify(e) })) });
  } finally {
    await producer.disconnect();
  }
}
const stored = async () => {
  const [r] = await queryRows<{ rows: number; distinct: number }>(
    clickhouse,
    'SELECT count() AS rows, uniqExact(collected_at) AS distinct FROM telemetry FINAL WHERE serial = {s:String}',
    { s: serial },
  );
  return { rows: Number(r!.rows), distinct: Number(r!.distinct) };
};

describe('a broker outage', () => {
  it('shows ingest down, lets SIGTERM exit within the bound, and loses or doubles nothing when the broker returns', async () => {
    await produce(0, 500);
    await waitFor('the first events', async () => ((await stored()).rows === 500 ? true : undefined), 60_000);
    await waitFor('ingest ok', async () => (ingest.health().status === 'ok' ? true : undefined), 30_000);

    const cli = startCli(['ingest'], {
      KAFKA_BROKERS: broker.brokers.join(','),
      WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-outage-cli-')),
      WEARWATCH_LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_MS),
    });
    children.push(cli);
    await waitFor('the CLI ingest running', async () => (cli.output().includes('ingest running') ? true : undefined), 90_000);

    await broker.stop();
    const down = await waitFor(
      'ingest down',
      async () => {
        const h = ingest.health() as { status: string; lag: { error?: string } };
        return h.status === 'down' ? h : undefined;
      },
      30_000,
    );
    expect(down.lag.error).toMatch(/^Kafka unreachable/);

    const signalled = Date.now();
    cli.child.kill('SIGTERM');
    await cli.exited;
    const tookMs = Date.now() - signalled;
    process.stderr.write(`[ingest-outage] SIGTERM with the broker gone: exited after ${tookMs} ms (bound ${SHUTDOWN_MS} ms)\n`);
    expect(tookMs).toBeLessThan(SHUTDOWN_MS + 2_000);

    const restartedAt = Date.now();
    await broker.start();
    await produce(500, 500);
    await waitFor('every event after the restart', async () => ((await stored()).rows === 1_000 ? true : undefined), 120_000);
    process.stderr.write(`[ingest-outage] broker restart to all 1000 events stored: ${Date.now() - restartedAt} ms\n`);
    expect(await stored()).toEqual({ rows: 1_000, distinct: 1_000 });
    await waitFor('ingest ok again', async () => (ingest.health().status === 'ok' ? true : undefined), 60_000);
  }, 400_000);
});
