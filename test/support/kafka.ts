import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { inject } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createKafka, ensureTopics, type Kafka } from '../../core/kafka.ts';
import { createLogger } from '../../core/logger.ts';

export function testBrokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

export function testKafka(): Kafka {
  const config = loadConfig({ WEARWATCH_LOG_LEVEL: 'error' });
  return createKafka(config, testBrokers(), createLogger(config));
}

/** A topic of its own for one test, so tests sharing the suite's broker never see each other's messages. */
export async function uniqueTopic(kafka: Kafka, prefix: string, partitions = 2): Promise<string> {
  const topic = `${prefix}.${randomUUID().slice(0, 8)}`;
  await ensureTopics(kafka, partitions, [topic]);
  return topic;
}

/**
 * Reads a topic from its start with a consumer group of its own until `count` messages have arrived; the error names
 * how many came when they do not within the timeout.
 */
export async function readMessages(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
  done: (messages: KafkaMessage[]) => boolean = (m) => m.length >= count,
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}` });
  await consumer.connect();
  const messages: KafkaMessage[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${messages.length} of ${count} messages arrived on ${topic}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (done(messages)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** `readMessages` with each message's key as text and its value parsed as JSON. */
export async function readJsonMessages(kafka: Kafka, topic: string, count: number): Promise<{ key: string; value: Record<string, unknown> }[]> {
  return (await readMessages(kafka, topic, count)).map((m) => ({ key: m.key!.toString(), value: JSON.parse(m.value!.toString()) as Record<string, unknown> }));
}
