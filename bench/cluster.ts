/**
 * A three-broker Kafka cluster under a fault, end to end: three local KRaft brokers (replication factor 3,
 * min.insync.replicas 2) from the local-broker code, wearwatch ingest into embedded ClickHouse, and a producer sending
 * telemetry continuously with acks=all. After a warm-up the broker that coordinates ingest's consumer group is killed
 * with SIGKILL and later restarted. Prints one JSON line: events produced (acknowledged), events stored (distinct, and
 * as read with FINAL), duplicates, seconds during which no send succeeded, and whether the consumer group rejoined.
 * Too slow for CI (three JVMs and about two minutes).
 *
 *   npm run bench:cluster -- [--warmup S] [--down S] [--after S]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { sleep } from '../core/sleep.ts';
import { topics } from '../core/topics.ts';
import { ensureJars, LocalKafkaBroker, newClusterId } from '../infra/kafka/local-broker.ts';
import { freePortPair } from '../infra/ports.ts';
import { startIngest } from '../runtime/ingest.ts';
import { System } from '../runtime/system.ts';
import { positiveIntegerOptions } from './support.ts';

const args = positiveIntegerOptions('cluster', { warmup: 15, down: 20, after: 15 });
const say = (line: string) => process.stderr.write(`${line}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'wearwatch-bench-cluster-'));
const run = Math.random().toString(36).slice(2, 8).toUpperCase();
const groupPrefix = `bench.cluster.${run}`;

/** Java's String.hashCode: Kafka places a group's coordinator on __consumer_offsets partition abs(hash) % partitions. */
const javaHash = (text: string) => [...text].reduce((h, c) => (Math.imul(31, h) + c.charCodeAt(0)) | 0, 0);

const base = loadConfig({ WEARWATCH_LOG_LEVEL: 'error' });
ensureJars(base.WEARWATCH_CACHE, say);
const ports: number[] = [];
while (ports.length < 3) {
  const port = await freePortPair();
  if (!ports.some((p) => Math.abs(p - port) < 2)) ports.push(port);
}
const clusterId = newClusterId();
const voters = ports.map((port, i) => `${i + 1}@127.0.0.1:${port + 1}`).join(',');
const nodes = ports.map(
  (port, i) =>
    new LocalKafkaBroker({
      dataDir: join(dataDir, `kafka-${i + 1}`),
      cacheDir: base.WEARWATCH_CACHE,
      port,
      partitions: 3,
      progress: (line) => say(`[broker ${i + 1}] ${line}`),
      cluster: { nodeId: i + 1, voters, clusterId, replicationFactor: 3, minInsyncReplicas: 2 },
    }),
);

const config = loadConfig({
  WEARWATCH_DATA: join(dataDir, 'wearwatch'),
  WEARWATCH_LOG_LEVEL: 'error',
  KAFKA_BROKERS: nodes.map((n) => n.brokers[0]).join(','),
  KAFKA_PARTITIONS: '3',
  INGEST_GROUP_PREFIX: groupPrefix,
});
const system = new System(config, createLogger(config), say);

try {
  say('starting three KRaft brokers (replication factor 3, min.insync.replicas 2)');
  await Promise.all(nodes.map((n) => n.start()));
  const started = await system.start();
  const ingest = await startIngest(started, { families: ['telemetry'] });
  const { kafka } = started.kafka;
  const admin = kafka.admin();
  await admin.connect();
  const [described] = (await admin.fetchTopicMetadata({ topics: [topics.telemetry] })).topics;
  const replication = described!.partitions.map((p) => p.replicas.length);

  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  let produced = 0;
  let unavailableMs = 0;
  let failingSince: number | undefined;
  let producing = true;
  const epoch = Date.UTC(2026, 0, 1);
  const loop = (async () => {
    for (let batch = 0; producing; batch++) {
      const messages = Array.from({ length: 100 }, (_, k) => {
        const i = batch * 100 + k;
        const value = {
          schema: 'wearwatch.telemetry.v1',
          serial: `CL${run}${i % 500}`,
          fleet_id: 'bench',
          collected_at: new Date(epoch + i * 1000).toISOString(),
          model: 'WW-NV4-1T',
          host_bytes_written: i * 4096,
          source: 'simulator',
        };
        return { key: value.serial, value: JSON.stringify(value) };
      });
      // The same batch until the cluster takes it: an event counts as produced once acknowledged by two in-sync replicas.
      for (;;) {
        try {
          await producer.send({ topic: topics.telemetry, acks: -1, timeout: 5000, messages });
          if (failingSince !== undefined) unavailableMs += Date.now() - failingSince;
          failingSince = undefined;
          produced += messages.length;
          break;
        } catch {
          failingSince ??= Date.now();
          await sleep(100);
        }
      }
      await sleep(50);
    }
  })();

  say(`ingesting for ${args.warmup} s`);
  await sleep(args.warmup * 1000);
  const consumer = ingest.consumers[0]!;
  const joinsBefore = consumer.joins;
  const groupId = `${groupPrefix}.telemetry`;
  const [offsets] = (await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })).topics;
  const coordinatorPartition = Math.abs(javaHash(groupId)) % offsets!.partitions.length;
  const victim = offsets!.partitions.find((p) => p.partitionId === coordinatorPartition)!.leader;
  say(`SIGKILL broker ${victim} (the group coordinator of ${groupId}) at ${produced} events produced`);
  await nodes[victim - 1]!.kill();
  await sleep(args.down * 1000);
  say(`restarting broker ${victim}`);
  await nodes[victim - 1]!.start();
  await sleep(args.after * 1000);
  producing = false;
  await loop;
  await producer.disconnect();
  say(`stopped producing at ${produced} events; waiting for ingest to store them`);

  const stored = async () => {
    const [row] = await (
      await started.clickhouse.client.query({
        query: `SELECT uniqExact(serial, collected_at) AS distinct_events, (SELECT count() FROM telemetry FINAL WHERE startsWith(serial, {p:String})) AS final_rows, count() AS raw_rows
                FROM telemetry WHERE startsWith(serial, {p:String})`,
        query_params: { p: `CL${run}` },
        format: 'JSONEachRow',
      })
    ).json<{ distinct_events: number; final_rows: number; raw_rows: number }>();
    return row!;
  };
  const deadline = Date.now() + 180_000;
  let counts = await stored();
  while (Number(counts.distinct_events) < produced && Date.now() < deadline) {
    await sleep(1000);
    counts = await stored();
  }
  await admin.disconnect();
  const result = {
    brokers: 3,
    replication_factor: Math.min(...replication),
    min_insync_replicas: 2,
    killed_broker: victim,
    down_seconds: args.down,
    events_produced: produced,
    events_stored: Number(counts.final_rows),
    distinct_events_stored: Number(counts.distinct_events),
    duplicates: Number(counts.final_rows) - Number(counts.distinct_events),
    missing: produced - Number(counts.distinct_events),
    redelivered_rows_collapsed: Number(counts.raw_rows) - Number(counts.distinct_events),
    unavailable_seconds: Math.round(unavailableMs / 100) / 10,
    consumer_group_rejoins: consumer.joins - joinsBefore,
    consumer_group_rebalanced: consumer.joins > joinsBefore,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.missing !== 0 || result.duplicates !== 0) process.exitCode = 1;
} finally {
  await system.stop();
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(dataDir, { recursive: true, force: true });
}
