import { Kafka, type KafkaConfig, type LogEntry, logLevel } from 'kafkajs';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
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
        const error = rest.error;
        const expected = typeof error === 'string' && retriedWhileStarting.some((start) => error.startsWith(start));
        log[expected ? 'debug' : (levels[level] ?? 'info')](rest, message);
      },
    retry: { retries: 8, initialRetryTime: 200 },
    ...overrides,
  });
}

/** Creates the contract topics (core/topics.ts) that do not exist yet; returns the names it created. */
export async function ensureTopics(kafka: Kafka, partitions: number, names: string[] = allTopics): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
