import { Partitioners } from 'kafkajs';
import type { ComponentHealth } from '../core/health.ts';
import { IngestMetrics } from '../core/ingest-metrics.ts';
import { createKafka, ensureTopics } from '../core/kafka.ts';
import { dlqTopic } from '../core/topics.ts';
import { ingestHealth } from '../ingest/health.ts';
import { LagMonitor } from '../ingest/lag-monitor.ts';
import { type PipelineOptions, pipelines } from '../ingest/pipelines.ts';
import { TopicConsumer } from '../ingest/topic-consumer.ts';
import type { Started } from './system.ts';

export { IngestMetrics } from '../core/ingest-metrics.ts';
export type { TopicFamily } from '../ingest/pipelines.ts';

export interface IngestOptions extends PipelineOptions {
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

/**
 * Starts one consumer group per topic family on the system's Kafka and ClickHouse, registers the `ingest` health
 * check and a drain-on-stop. Several processes (server mode) sharing INGEST_GROUP_PREFIX split the partitions.
 */
export async function startIngest(system: Started, options: IngestOptions = {}): Promise<IngestService> {
  const { kafka } = system.kafka;
  const selected = pipelines({ client: system.clickhouse.client, config: system.config, logger: system.logger }, options);
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
    health: () => ingestHealth(consumers, lag, metrics),
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
