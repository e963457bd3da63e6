import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import type { Decoded } from '../core/contracts/rows.ts';
import { deadLetter, dlqTopic, type Rejection } from '../core/dead-letter.ts';
import type { IngestMetrics } from '../core/ingest-metrics.ts';
import type { Logger } from '../core/logger.ts';
import { retryWithBackoff } from './retry.ts';

/** One topic family: where it comes from, which table it lands in, and how a message becomes a row. */
export interface TopicPipeline {
  family: 'telemetry' | 'enrollment' | 'rma';
  topic: string;
  table: string;
  /** The columns rows fill, in write order; a column a row leaves out is written as NULL (or its default). */
  columns: readonly string[];
  decode(value: Buffer | null): Decoded<object>;
}

export interface TopicConsumerDeps {
  kafka: Kafka;
  client: ClickHouseClient;
  producer: Producer;
  metrics: IngestMetrics;
  logger: Logger;
  config: Pick<Config, 'INGEST_GROUP_PREFIX' | 'INGEST_FETCH_MAX_MB' | 'INGEST_PARTITION_FETCH_MAX_MB' | 'INGEST_CONCURRENCY' | 'INGEST_RETRY_MAX_MS'>;
}

export type ConsumerState = { status: 'starting' | 'ok' | 'stopped' } | { status: 'degraded'; error: string; since: string };

const MiB = 1024 * 1024;

/**
 * Consumes one topic in batches: decode every message, write the good rows to ClickHouse in one insert and the bad
 * messages to `<topic>.dlq`, and only then resolve and commit the batch's offsets. A crash before the commit redelivers
 * the batch; the ReplacingMergeTree sort keys make the re-inserted rows collapse onto the first copy.
 */
export class TopicConsumer {
  readonly groupId: string;
  private readonly consumer: Consumer;
  private readonly log: Logger;
  state: ConsumerState = { status: 'starting' };

  constructor(
    private readonly deps: TopicConsumerDeps,
    readonly pipeline: TopicPipeline,
  ) {
    this.groupId = `${deps.config.INGEST_GROUP_PREFIX}.${pipeline.family}`;
    this.log = deps.logger.child({ component: 'ingest', topic: pipeline.topic });
    this.consumer = deps.kafka.consumer({
      groupId: this.groupId,
      maxBytes: deps.config.INGEST_FETCH_MAX_MB * MiB,
      maxBytesPerPartition: deps.config.INGEST_PARTITION_FETCH_MAX_MB * MiB,
    });
    deps.metrics.track(pipeline.topic);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.pipeline.topic, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      // A commit after every written batch: batches are large, and nothing is ever committed ahead of the write.
      autoCommitThreshold: 1,
      partitionsConsumedConcurrently: this.deps.config.INGEST_CONCURRENCY,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.state = { status: 'ok' };
  }

  /** Waits for in-flight batches to finish writing and committing, then leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
    this.state = { status: 'stopped' };
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const started = performance.now();
    const rows: object[] = [];
    const rejected: Rejection[] = [];
    for (const message of batch.messages) {
      const decoded = this.pipeline.decode(message.value);
      if (decoded.ok) rows.push(decoded.row);
      else rejected.push({ topic, partition, message, reason: decoded.reason });
    }

    const decoded = performance.now();
    const written = await retryWithBackoff(() => Promise.all([this.writeRows(rows), this.sendToDlq(rejected)]), {
      initialMs: 200,
      maxMs: this.deps.config.INGEST_RETRY_MAX_MS,
      keepTrying: isRunning,
      whileWaiting: heartbeat,
      onFailure: (error, attempt, waitMs) => {
        this.deps.metrics.recordWriteFailure(topic);
        this.state = { status: 'degraded', error: (error as Error).message, since: new Date().toISOString() };
        this.log.warn({ err: error, partition, attempt, waitMs }, 'writing a batch failed; consumption of this partition waits and retries');
      },
    });
    // Stopped while the write kept failing: nothing is resolved, so the batch is redelivered after restart.
    if (!written) return;
    if (this.state.status === 'degraded') this.log.info({ partition }, 'writes succeed again');
    this.state = { status: 'ok' };

    const wrote = performance.now();
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    const timings = { decodeMs: Math.round(decoded - started), writeMs: Math.round(wrote - decoded), commitMs: Math.round(performance.now() - wrote) };
    this.log.debug({ partition, messages: batch.messages.length, ...timings }, 'batch written and committed');
    this.deps.metrics.recordBatch(topic, { consumed: batch.messages.length, written: rows.length, deadLettered: rejected.length });
    this.deps.metrics.recordLag(topic, partition, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1);
    for (const r of rejected) this.log.debug({ partition, offset: r.message.offset, reason: r.reason }, 'dead-lettered');
  }

  /**
   * Rows go as positional arrays (JSONCompactEachRow): ClickHouse parses them several times faster than keyed objects
   * (JSONEachRow), and the insert is where ingest spends most of its time.
   */
  private async writeRows(rows: object[]): Promise<void> {
    if (rows.length === 0) return;
    const { table, columns } = this.pipeline;
    const values = rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column] ?? null));
    await this.deps.client.insert({ table, values, columns: columns as [string, ...string[]], format: 'JSONCompactEachRow' });
  }

  private async sendToDlq(rejected: Rejection[]): Promise<void> {
    if (rejected.length === 0) return;
    const now = new Date();
    await this.deps.producer.send({ topic: dlqTopic(this.pipeline.topic), messages: rejected.map((r) => deadLetter(r, now)) });
  }
}
