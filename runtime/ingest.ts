import { Partitioners } from 'kafkajs';
import { decodeEnrollment, decodeRma, decodeTelemetry, driveColumns, rmaColumns, type TelemetryRow, telemetryColumns } from '../core/contracts/rows.ts';
import type { ComponentHealth } from '../core/health.ts';
import { IngestMetrics } from '../core/ingest-metrics.ts';
import { createKafka, ensureTopics } from '../core/kafka.ts';
import { dlqTopic, topics } from '../core/topics.ts';
import { insertCompact } from '../ingest/batch-writer.ts';
import { enrollmentDoor, rmaDoor, telemetryDoor, telemetryWriter } from '../ingest/doors.ts';
import { LagMonitor } from '../ingest/lag-monitor.ts';
import { TopicConsumer, type TopicPipeline } from '../ingest/topic-consumer.ts';
import { plausibilityRules } from '../telemetry/plausibility.ts';
import type { Started } from './system.ts';

export { IngestMetrics, type IngestMetricsSnapshot, type TopicCounters } from '../core/ingest-metrics.ts';

export type TopicFamily = TopicPipeline['family'];

export interface IngestOptions {
  /** Topic per family; defaults to the DESIGN.md contract topics. */
  topics?: Partial<Record<TopicFamily, string>>;
  /** Families to consume; default all three. */
  families?: TopicFamily[];
  /** Consumer group prefix; default INGEST_GROUP_PREFIX. */
  groupPrefix?: string;
}

export interface IngestService {
  metrics: IngestMetrics;
  consumers: TopicConsumer[];
  lag: LagMonitor;
  health(): ComponentHealth;
  /** Drains in-flight batches (written and committed), then disconnects. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The telemetry table's PARTITION BY toYYYYMM(collected_at), from the row's ISO instant. */
const monthOf = (row: object) => (row as TelemetryRow).collected_at.slice(0, 7);

export function pipelines(system: Started, options: IngestOptions = {}): TopicPipeline[] {
  const topic = (family: TopicFamily) => options.topics?.[family] ?? topics[family];
  const client = system.clickhouse.client;
  const rules = plausibilityRules(system.config);
  const log = system.logger.child({ component: 'ingest' });
  const write = telemetryWriter((rows) => insertCompact(client, 'telemetry', telemetryColumns, rows), monthOf);
  const all: TopicPipeline[] = [
    {
      family: 'telemetry',
      topic: topic('telemetry'),
      table: 'telemetry',
      columns: telemetryColumns,
      decode: decodeTelemetry,
      partitionOf: monthOf,
      door: telemetryDoor(client, rules, write, log),
    },
    {
      family: 'enrollment',
      topic: topic('enrollment'),
      table: 'drives',
      columns: driveColumns,
      decode: decodeEnrollment,
      door: enrollmentDoor(client, rules, write, log),
    },
    { family: 'rma', topic: topic('rma'), table: 'rma_events', columns: rmaColumns, decode: decodeRma, door: rmaDoor(rules) },
  ];
  return options.families ? all.filter((p) => options.families!.includes(p.family)) : all;
}

/**
 * Starts one consumer group per topic family on the system's Kafka and ClickHouse, registers the `ingest` health
 * check and a drain-on-stop. Several processes (server mode) sharing INGEST_GROUP_PREFIX split the partitions.
 */
export async function startIngest(system: Started, options: IngestOptions = {}): Promise<IngestService> {
  const { kafka } = system.kafka;
  const selected = pipelines(system, options);
  await ensureTopics(
    kafka,
    system.config.KAFKA_PARTITIONS,
    selected.flatMap((p) => [p.topic, dlqTopic(p.topic)]),
  );

  const metrics = new IngestMetrics();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const config = { ...system.config, INGEST_GROUP_PREFIX: options.groupPrefix ?? system.config.INGEST_GROUP_PREFIX };
  const deps = { kafka, client: system.clickhouse.client, producer, metrics, logger: system.logger, config };
  const consumers = selected.map((pipeline) => new TopicConsumer(deps, pipeline));
  // Its own client without retries and with short timeouts: a lag poll must fail fast when the broker is gone.
  const lagKafka = createKafka(system.config, system.kafka.brokers, system.logger, { retry: { retries: 1 }, connectionTimeout: 3_000, requestTimeout: 10_000 });
  const lag = new LagMonitor(
    lagKafka.admin(),
    consumers.map((c) => ({ groupId: c.groupId, topic: c.pipeline.topic })),
    metrics,
    { pollMs: system.config.INGEST_LAG_POLL_MS, stuckAfterMs: system.config.INGEST_STUCK_AFTER_MS },
    system.logger.child({ component: 'ingest-lag' }),
  );

  let stopping: Promise<void> | undefined;
  const service: IngestService = {
    metrics,
    consumers,
    lag,
    health: () => {
      const components = Object.fromEntries(consumers.map((c) => [c.pipeline.topic, c.state]));
      const states = consumers.map((c) => c.state.status);
      const broker = lag.health();
      const own = states.includes('degraded') ? 'degraded' : states.every((s) => s === 'ok') ? 'ok' : states.includes('stopped') ? 'down' : 'starting';
      const status = broker.status === 'down' || own === 'down' ? 'down' : broker.status === 'degraded' ? 'degraded' : own;
      const { status: _lagStatus, ...lagDetails } = broker;
      return { status, consumers: components, lag: lagDetails, metrics: metrics.snapshot().topics };
    },
    stop: () =>
      (stopping ??= (async () => {
        await lag.stop();
        await Promise.all(consumers.map((c) => c.stop()));
        await producer.disconnect();
      })()),
  };
  // Registered before the consumers start so a start that fails half-way still disconnects what did connect.
  system.onStop({ name: 'ingest', stop: () => service.stop() });
  system.health.register('ingest', () => service.health());
  await Promise.all(consumers.map((c) => c.start()));
  lag.start();
  system.progress(`ingest consuming ${selected.map((p) => p.topic).join(', ')} (groups ${consumers.map((c) => c.groupId).join(', ')})`);
  return service;
}
