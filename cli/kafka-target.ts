import type { Config } from '../core/config.ts';
import { WearwatchError } from '../core/errors.ts';
import { createKafka, ensureTopics, type Kafka } from '../core/kafka.ts';
import type { Logger } from '../core/logger.ts';

/**
 * The Kafka a producing command (simulate, import) writes to: KAFKA_BROKERS, else the local broker a running
 * `wearwatch up` listens on. Checks it answers and that the contract topics exist before anything is produced.
 */
export async function connectProducingKafka(config: Config, logger: Logger): Promise<{ kafka: Kafka; brokers: string[] }> {
  const brokers = config.KAFKA_BROKERS ? config.KAFKA_BROKERS.split(',') : [`127.0.0.1:${config.KAFKA_PORT}`];
  const kafka = createKafka(config, brokers, logger, { retry: { retries: 2, initialRetryTime: 200 } });
  try {
    await ensureTopics(kafka, config.KAFKA_PARTITIONS);
  } catch (cause) {
    throw new WearwatchError(
      'WW_KAFKA_UNREACHABLE',
      `no Kafka broker answers at ${brokers.join(',')}: ${(cause as Error).message}`,
      config.KAFKA_BROKERS
        ? 'check KAFKA_BROKERS and that the cluster is up'
        : `start \`wearwatch up\` first (its broker listens on 127.0.0.1:${config.KAFKA_PORT}), or set KAFKA_BROKERS to your cluster`,
      { cause },
    );
  }
  return { kafka, brokers };
}
