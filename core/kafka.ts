import { type Admin, Kafka, type KafkaConfig, type LogEntry, logLevel, type Message, type Producer, type ProducerRecord } from 'kafkajs';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { sleep } from './sleep.ts';
import { allTopics } from './topics.ts';

export type { Kafka };

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

// kafkajs logs some protocol errors at ERROR before it retries them. On a broker that has just started, the consumer
// group coordinator is not ready for a moment; that is expected, so it is logged at debug, not shown as a failure.
const retriedWhileStarting = ['The group coordinator is not available', 'The coordinator is loading'];

// kafkajs warns on every producer that its default partitioner changed in 2.0. We want that default: it hashes keys
// with murmur2 like the Java client, so a serial lands on the same partition whoever produced it.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/** The one Kafka factory: kafkajs with its log routed to our logger. */
export function createKafka(config: Pick<Config, 'KAFKA_CLIENT_ID'>, brokers: string[], logger: Logger, overrides: Partial<KafkaConfig> = {}): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers,
    // kafkajs's INFO level announces every consumer join and leave; keep warnings and errors.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // The consumer's restart log carries the cause only in its stack ("KafkaJSProtocolError: The coordinator is …").
        const cause = `${rest.error ?? ''} ${rest.stack ?? ''}`;
        const expected = retriedWhileStarting.some((text) => cause.includes(text));
        log[expected ? 'debug' : (levels[level] ?? 'info')](rest, message);
      },
    retry: { retries: 8, initialRetryTime: 200 },
    ...overrides,
  });
}

/**
 * Replication suited to the cluster found: three copies where there are three brokers or more (writes with acks=all
 * then need two in sync, so one broker can fail without losing an acknowledged event), one copy per broker below.
 */
export function replicationFor(brokers: number): { replicationFactor: number; configEntries: { name: string; value: string }[] } {
  const replicationFactor = Math.max(1, Math.min(3, brokers));
  return { replicationFactor, configEntries: replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }] : [] };
}

/** Creates the contract topics (core/topics.ts) that do not exist yet, replicated for the cluster it finds; returns the names it created. */
export async function ensureTopics(kafka: Kafka, partitions: number, names: string[] = allTopics): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      const replication = replicationFor((await admin.describeCluster()).brokers.length);
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, ...replication })),
      });
      await waitForLeaders(admin, missing);
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every partition of the new topics has a leader that serves it. kafkajs's own wait retries only
 * LEADER_NOT_AVAILABLE, while a KRaft broker (Kafka 4) names a leader in its metadata a moment before that leader hosts
 * the partition and answers UNKNOWN_TOPIC_OR_PARTITION meanwhile; a first produce then fails for some partitions and
 * the client's retry repeats the ones that had succeeded. Asking each leader for its offsets proves it hosts them.
 */
async function waitForLeaders(admin: Admin, names: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const led = topics.length === names.length && topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (led) {
        await Promise.all(names.map((topic) => admin.fetchTopicOffsets(topic)));
        return;
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${names.join(', ')} have no leader after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/**
 * The most bytes of messages one produce request carries. A broker with default settings refuses a record batch over
 * message.max.bytes (1 MiB) and users' clusters keep that default, so every producer splits its sends well below it,
 * leaving room for record and batch headers.
 */
export const maxRequestBytes = 768 * 1024;

/** The largest single message value wearwatch produces: a default broker's message.max.bytes less batch overhead. */
export const maxMessageBytes = 1_000_000;

const recordOverheadBytes = 64;

/** What a message adds to a produce request, near enough to keep requests under the broker's limit. */
export function messageBytes(message: Message): number {
  let bytes = recordOverheadBytes + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += name.length + byteLength(value as string | Buffer | undefined);
  return bytes;
}

function byteLength(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** Messages in order, cut into runs of at most `maxBytes` (a message larger than that goes alone, for the broker to judge). */
export function chunkByBytes<M extends Message>(messages: M[], maxBytes = maxRequestBytes): M[][] {
  const chunks: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** producer.send in requests a default broker accepts, one after the other so per-key order is kept. */
export async function sendInBatches(producer: Producer, record: ProducerRecord, maxBytes = maxRequestBytes): Promise<void> {
  for (const messages of chunkByBytes(record.messages, maxBytes)) await producer.send({ ...record, messages });
}
