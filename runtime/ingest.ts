import { Partitioners } from 'kafkajs';
import type { ComponentHealth } from '../core/health.ts';
import { IngestMetrics } from '../core/ingest-metrics.ts';
import { ensureTopics } from '../core/kafka.ts';
import { dlqTopic } from '../core/topics.ts';
import { consumersHealth } from '../ingest/health.ts';
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
  const selected = pipelines(options);
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

  let stopping: Promise<void> | undefined;
  const service: IngestService = {
    metrics,
    consumers,
    health: () => consumersHealth(consumers, metrics),
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all(consumers.map((c) => c.stop()));
        await producer.disconnect();
      })()),
  };
  // Registered before the consumers start so a start that fails half-way still disconnects what did connect.
  system.onStop({ name: 'ingest', stop: () => service.stop() });
  system.health.register('ingest', () => service.health());
  await Promise.all(consumers.map((c) => c.start()));
  system.progress(`ingest consuming ${selected.map((p) => p.topic).join(', ')} (groups ${consumers.map((c) => c.groupId).join(', ')})`);
  return service;
}
