import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { ensureTopics, sendInBatches } from '../../core/kafka.ts';
import { topics } from '../../core/topics.ts';
import { startCli, waitFor } from '../support/cli.ts';
import { queryRows } from '../support/clickhouse.ts';
import { telemetryEvent } from '../support/ingest.ts';
import { testBrokers, testKafka } from '../support/kafka.ts';

const EVENTS = 200_000;
const SERIALS = 400;
const run = randomUUID().slice(0, 6).toUpperCase();
const prefix = `CR${run}`;
const groupPrefix = `crash.${run}`;
const env = {
  KAFKA_BROKERS: testBrokers().join(','),
  WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-ingest-crash-')),
  INGEST_GROUP_PREFIX: groupPrefix,
  // Smaller fetches than the default so the run spans many batches and the kill lands between a write and its commit.
  INGEST_PARTITION_FETCH_MAX_MB: '2',
  WEARWATCH_LOG_LEVEL: 'warn',
};
const kafka = testKafka();
const children: Array<ReturnType<typeof startCli>> = [];
afterAll(() => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
});

const startIngest = () => {
  const cli = startCli(['ingest', '--progress-every', '0.2'], env);
  children.push(cli);
  return cli;
};
const written = (output: string) => Math.max(0, ...[...output.matchAll(/wearwatch\.telemetry\.v1: consumed \d+ written (\d+)/g)].map((m) => Number(m[1])));

describe('wearwatch ingest killed with SIGKILL mid-stream', () => {
  it('writes every event exactly once after a restart', async () => {
    await ensureTopics(kafka, 4);
    const producer = kafka.producer();
    await producer.connect();
    // Telemetry counts only for enrolled units; the enrolments travel on their own topic, as in production.
    const enrolments = Array.from({ length: SERIALS }, (_, i) => ({
      schema: 'wearwatch.enrollment.v1',
      serial: `${prefix}${i}`,
      model: 'WW-NV1-1T',
      fleet_id: 'fleet-a',
      price_paid: 100,
      enrolled_at: '2024-12-01T00:00:00Z',
    }));
    await producer.send({ topic: topics.enrollment, messages: enrolments.map((e) => ({ key: e.serial, value: JSON.stringify(e) })) });
    for (let start = 0; start < EVENTS; start += 20_000) {
      const messages = Array.from({ length: 20_000 }, (_, k) => {
        const i = start + k;
        const event = telemetryEvent(`${prefix}${i % SERIALS}`, Math.floor(i / SERIALS));
        return { key: event.serial, value: JSON.stringify(event) };
      });
      // 20,000 messages are about 5 MB: sent in requests a default broker (message.max.bytes 1 MiB) accepts.
      await sendInBatches(producer, { topic: topics.telemetry, messages });
    }
    await producer.disconnect();

    const first = startIngest();
    const atKill = await waitFor('the first written batches', async () => (written(first.output()) > 0 ? written(first.output()) : undefined), 90_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(atKill).toBeLessThan(EVENTS);

    const restartedAt = Date.now();
    const admin = kafka.admin();
    await admin.connect();
    const second = startIngest();
    // The wait for the dead member's session: until the restarted process writes its first batch.
    const rejoinMs = await waitFor(
      'the first batch after the restart',
      async () => (written(second.output()) > 0 ? Date.now() - restartedAt : undefined),
      90_000,
    );
    try {
      await waitFor(
        'the restarted consumer to commit everything',
        async () => {
          const [high, [committed]] = await Promise.all([
            admin.fetchTopicOffsets(topics.telemetry),
            admin.fetchOffsets({ groupId: `${groupPrefix}.telemetry`, topics: [topics.telemetry] }),
          ]);
          const done = high.every((p) => committed!.partitions.find((c) => c.partition === p.partition)?.offset === p.high);
          return done ? true : undefined;
        },
        120_000,
      );
    } finally {
      await admin.disconnect();
    }
    process.stderr.write(
      `[ingest-crash] written before the kill: ${atKill}; restart to first batch written: ${rejoinMs} ms; restart to everything committed: ${Date.now() - restartedAt} ms\n`,
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('stopped cleanly');

    // The embedded folder is free again now that the consumer process has exited.
    const clickhouse = await openClickHouse(loadConfig({ WEARWATCH_DATA: env.WEARWATCH_DATA }));
    try {
      const [final] = await queryRows<{ rows: number; distinct: number }>(
        clickhouse,
        'SELECT count() AS rows, uniqExact(serial, collected_at) AS distinct FROM telemetry FINAL WHERE startsWith(serial, {p:String})',
        { p: prefix },
      );
      expect(Number(final!.rows)).toBe(EVENTS);
      expect(Number(final!.distinct)).toBe(EVENTS);
      // Without FINAL, rows of a batch written but not committed before the kill may appear twice until a merge.
      const [raw] = await queryRows<{ n: number }>(clickhouse, 'SELECT count() AS n FROM telemetry WHERE startsWith(serial, {p:String})', { p: prefix });
      expect(Number(raw!.n)).toBeGreaterThanOrEqual(EVENTS);
      const [latest] = await queryRows<{ n: number }>(clickhouse, 'SELECT count() AS n FROM telemetry_latest FINAL WHERE startsWith(serial, {p:String})', {
        p: prefix,
      });
      expect(Number(latest!.n)).toBe(SERIALS);
    } finally {
      await clickhouse.close();
    }
  }, 300_000);
});
