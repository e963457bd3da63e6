import { randomUUID } from 'node:crypto';
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
