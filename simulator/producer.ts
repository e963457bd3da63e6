import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import type { z } from 'zod';
import { enrollment } from '../core/contracts/enrollment.ts';
import { rmaEvent } from '../core/contracts/rma.ts';
import { telemetryMessage } from '../core/contracts/telemetry.ts';
import { WearwatchError } from '../core/errors.ts';
import { maxRequestBytes, messageBytes } from '../core/kafka.ts';
import { topics } from '../core/topics.ts';

export type Family = 'telemetry' | 'enrollment' | 'rma';

/** A message for one of the contract topics, keyed by serial. */
export interface OutgoingEvent {
  topic: Family;
  key: string;
  value: unknown;
}

const contracts: Record<Family, z.ZodType> = { telemetry: telemetryMessage, enrollment, rma: rmaEvent };

export interface ProducerOptions {
  /** Topic per family; defaults to the contract topics (core/topics.ts). */
  topics?: Partial<Record<Family, string>>;
  /** Most messages per produce request; a request also stops at maxRequestBytes (core/kafka.ts). */
  batchSize?: number;
  /** Produce requests awaiting acknowledgement at once. */
  inFlight?: number;
}

/**
 * Produces contract messages in large batches: every value is validated against its zod contract first (a message
 * the pipeline would dead-letter is a bug here, so it stops the run), then buffered and sent uncompressed (cheaper on
 * CPU than compression on a local broker) with a few requests in flight. Acks from all in-sync replicas.
 */
export class ContractProducer {
  readonly produced: Record<Family, number> = { telemetry: 0, enrollment: 0, rma: 0 };
  private readonly producer: Producer;
  private readonly topicOf: Record<Family, string>;
  private readonly batchSize: number;
  private readonly inFlight: number;
  private buffer: Record<Family, Message[]> = { telemetry: [], enrollment: [], rma: [] };
  private buffered = 0;
  private bufferedBytes = 0;
  private readonly pending: Promise<unknown>[] = [];

  constructor(kafka: Kafka, options: ProducerOptions = {}) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
    this.topicOf = { ...topics, ...options.topics } as Record<Family, string>;
    this.batchSize = options.batchSize ?? 5000;
    this.inFlight = options.inFlight ?? 3;
  }

  get total(): number {
    return this.produced.telemetry + this.produced.enrollment + this.produced.rma;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /** Validates and buffers one message; sends a batch once enough are buffered, waiting if too many are in flight. */
  async add(event: OutgoingEvent): Promise<void> {
    const value = validate(event);
    const message = { key: event.key, value: JSON.stringify(value) };
    const size = messageBytes(message);
    // A request stays within a default broker's message.max.bytes, however large the messages are.
    if (this.bufferedBytes + size > maxRequestBytes) await this.dispatch();
    this.buffer[event.topic].push(message);
    this.bufferedBytes += size;
    this.produced[event.topic]++;
    if (++this.buffered >= this.batchSize) await this.dispatch();
  }

  /** Sends what is buffered and waits until every batch is acknowledged. */
  async flush(): Promise<void> {
    await this.dispatch();
    await Promise.all(this.pending.splice(0));
  }

  async disconnect(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.producer.disconnect();
    }
  }

  private async dispatch(): Promise<void> {
    if (this.buffered === 0) return;
    const topicMessages = (Object.keys(this.buffer) as Family[])
      .filter((family) => this.buffer[family].length > 0)
      .map((family) => ({ topic: this.topicOf[family], messages: this.buffer[family] }));
    this.buffer = { telemetry: [], enrollment: [], rma: [] };
    this.buffered = 0;
    this.bufferedBytes = 0;
    const sent = this.producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
    // A failure surfaces when the batch is awaited; until then keep it from being reported as unhandled.
    sent.catch(() => {});
    this.pending.push(sent);
    if (this.pending.length >= this.inFlight) await this.pending.shift();
  }
}

function validate(event: OutgoingEvent): unknown {
  const parsed = contracts[event.topic].safeParse(event.value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new WearwatchError(
    'WW_CONTRACT_VIOLATION',
    `a ${event.topic} message for ${event.key} breaks its contract: ${issue.path.join('.') || '(message)'}: ${issue.message}`,
    'this is a bug in the producer of the message; the message was not sent',
  );
}
