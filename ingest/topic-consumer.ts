import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import type { Decoded, RowLayout } from '../core/contracts/rows.ts';
import { deadLetter, dlqTopic, type Rejection } from '../core/dead-letter.ts';
import type { IngestMetrics } from '../core/ingest-metrics.ts';
import { sendInBatches } from '../core/kafka.ts';
import type { Logger } from '../core/logger.ts';
import { type Item, insertCompact, writeBatch } from './batch-writer.ts';
import { retryWithBackoff } from './retry.ts';

/** One topic family: where it comes from, which table it lands in, and how a message becomes a row. */
export interface TopicPipeline {
  family: 'telemetry' | 'enrollment' | 'rma';
  topic: string;
  table: string;
  /** The columns rows fill, in write order, and their instants; a column a row leaves out is written as NULL (or its default). */
  layout: RowLayout;
  decode(value: Buffer | null): Decoded<object>;
  /** The partition a row lands in (the table's PARTITION BY), so one insert never spans too many. */
  partitionOf?: (row: object) => string;
  /** Plausibility and ownership checks between decoding and writing (ingest/doors.ts). */
  door?: PipelineDoor;
}

/** Per decoded row: whether it is written to the pipeline's table, and why it is dead-lettered when it is refused. */
export interface Admission {
  write: boolean;
  deadLetter?: string;
}

/**
 * Checks a batch's decoded rows before they are written. Both calls run inside the retried write, so they may read
 * and write ClickHouse; they must be idempotent because a failed attempt runs them again.
 */
export interface PipelineDoor {
  admit(rows: object[], now: Date): Promise<Admission[]>;
  afterWrite?(rows: object[], now: Date): Promise<void>;
}

export interface TopicConsumerDeps {
  kafka: Kafka;
  client: ClickHouseClient;
  producer: Producer;
  metrics: IngestMetrics;
  logger: Logger;
  config: Pick<
    Config,
    'INGEST_GROUP_PREFIX' | 'INGEST_FETCH_MAX_MB' | 'INGEST_PARTITION_FETCH_MAX_MB' | 'INGEST_CONCURRENCY' | 'INGEST_RETRY_MAX_MS' | 'INGEST_SESSION_TIMEOUT_MS'
  >;
}

export type ConsumerState = { status: 'starting' | 'ok' | 'stopped' } | { status: 'degraded'; error: string; since: string };

const MiB = 1024 * 1024;

/** ClickHouse's default max_partitions_per_insert_block; inserts are cut to stay within it. */
export const maxPartitionsPerInsert = 100;

/**
 * Consumes one topic in batches: decode every message, write the good rows to ClickHouse in one insert and the bad
 * messages to `<topic>.dlq`, and only then resolve and commit the batch's offsets. A crash before the commit redelivers
 * the batch; the ReplacingMergeTree sort keys make the re-inserted rows collapse onto the first copy.
 */
export class TopicConsumer {
  readonly groupId: string;
  private readonly consumer: Consumer;
  private readonly log: Logger;
  private stopRequested = false;
  state: ConsumerState = { status: 'starting' };
  /** Times this consumer (re)joined its group: a broker failure that moves the group coordinator shows as a rejoin. */
  joins = 0;

  constructor(
    private readonly deps: TopicConsumerDeps,
    readonly pipeline: TopicPipeline,
  ) {
    this.groupId = `${deps.config.INGEST_GROUP_PREFIX}.${pipeline.family}`;
    this.log = deps.logger.child({ component: 'ingest', topic: pipeline.topic });
    const sessionTimeout = deps.config.INGEST_SESSION_TIMEOUT_MS;
    this.consumer = deps.kafka.consumer({
      groupId: this.groupId,
      maxBytes: deps.config.INGEST_FETCH_MAX_MB * MiB,
      maxBytesPerPartition: deps.config.INGEST_PARTITION_FETCH_MAX_MB * MiB,
      // kafkajs has no static membership: a member killed without leaving holds its partitions until its session
      // expires, so the session is short (INGEST_SESSION_TIMEOUT_MS) and long batches heartbeat while they write.
      sessionTimeout,
      heartbeatInterval: Math.floor(sessionTimeout / 5),
      // After stop() a crashed consumer must not restart and rejoin the group.
      retry: { retries: 8, initialRetryTime: 200, restartOnFailure: async () => !this.stopRequested },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.joins++);
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

  /**
   * Waits for in-flight batches to finish writing and committing, then leaves the group. From the first call on no
   * new batch starts, a failing write stops retrying and a crashed consumer is not restarted.
   */
  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.consumer.disconnect();
    this.state = { status: 'stopped' };
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || this.stopRequested) return;
    const { topic, partition } = batch;
    const started = performance.now();
    const items: Item<object, KafkaMessage>[] = [];
    const rejected: Rejection[] = [];
    for (const message of batch.messages) {
      const decoded = this.pipeline.decode(message.value);
      if (decoded.ok) items.push({ row: decoded.row, ref: message });
      else rejected.push({ topic, partition, message, reason: decoded.reason });
    }

    const decoded = performance.now();
    // A write of many partitions can outlast the session timeout: keep the membership alive meanwhile.
    const keepAlive = setInterval(() => void heartbeat().catch(() => {}), Math.floor(this.deps.config.INGEST_SESSION_TIMEOUT_MS / 5));
    let outcome = { written: 0, deadLettered: 0 };
    const written = await retryWithBackoff(
      async () => {
        outcome = await this.write(items, rejected, topic, partition);
      },
      {
        initialMs: 200,
        maxMs: this.deps.config.INGEST_RETRY_MAX_MS,
        keepTrying: () => isRunning() && !this.stopRequested,
        whileWaiting: heartbeat,
        onFailure: (error, attempt, waitMs) => {
          this.deps.metrics.recordWriteFailure(topic);
          this.state = { status: 'degraded', error: (error as Error).message, since: new Date().toISOString() };
          this.log.warn({ err: error, partition, attempt, waitMs }, 'writing a batch failed; consumption of this partition waits and retries');
        },
      },
    ).finally(() => clearInterval(keepAlive));
    // Stopped while the write kept failing: nothing is resolved, so the batch is redelivered after restart.
    if (!written) return;
    if (this.state.status === 'degraded') this.log.info({ partition }, 'writes succeed again');
    this.state = { status: 'ok' };

    const wrote = performance.now();
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    const timings = { decodeMs: Math.round(decoded - started), writeMs: Math.round(wrote - decoded), commitMs: Math.round(performance.now() - wrote) };
    this.log.debug({ partition, messages: batch.messages.length, ...timings }, 'batch written and committed');
    this.deps.metrics.recordBatch(topic, { consumed: batch.messages.length, written: outcome.written, deadLettered: outcome.deadLettered });
  }

  /**
   * One attempt at a batch: the door decides which rows are written, rows ClickHouse rejects for their content are
   * isolated and dead-lettered with its reason, and everything refused goes to the DLQ. Throws on transient failures.
   */
  private async write(items: Item<object, KafkaMessage>[], rejected: Rejection[], topic: string, partition: number) {
    const { door, partitionOf } = this.pipeline;
    const now = new Date();
    const admissions = door
      ? await door.admit(
          items.map((i) => i.row),
          now,
        )
      : undefined;
    const admitted = admissions ? items.filter((_, k) => admissions[k]!.write) : items;
    const refused = admissions ? items.flatMap((item, k) => (admissions[k]!.deadLetter ? [{ item, reason: admissions[k]!.deadLetter! }] : [])) : [];
    const unwritable = await writeBatch(admitted, {
      insert: (rows) => insertCompact(this.deps.client, this.pipeline.table, this.pipeline.layout, rows),
      partitionOf,
      maxPartitionsPerInsert,
    });
    const dead = [
      ...rejected,
      ...[...refused, ...unwritable.map((u) => ({ item: u, reason: u.reason }))].map(({ item, reason }) => ({ topic, partition, message: item.ref, reason })),
    ];
    await this.sendToDlq(dead);
    const failed = new Set(unwritable.map((u) => u.ref));
    const stored = admitted.filter((i) => !failed.has(i.ref)).map((i) => i.row);
    await door?.afterWrite?.(stored, now);
    for (const r of dead) this.log.debug({ partition, offset: r.message.offset, reason: r.reason }, 'dead-lettered');
    return { written: stored.length, deadLettered: dead.length };
  }

  private async sendToDlq(rejected: Rejection[]): Promise<void> {
    if (rejected.length === 0) return;
    const now = new Date();
    await sendInBatches(this.deps.producer, { topic: dlqTopic(this.pipeline.topic), messages: rejected.map((r) => deadLetter(r, now)) });
  }
}
