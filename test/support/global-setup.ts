import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../core/config.ts';
import { LocalKafkaBroker } from '../../infra/kafka/local-broker.ts';
import { freePortPair } from '../../infra/ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}

/**
 * One real Kafka broker for the whole suite, on free ports in a temporary folder so a developer's running `wearwatch
 * up` is untouched. KAFKA_BROKERS set → the suite uses that cluster instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig();
  if (config.KAFKA_BROKERS) {
    project.provide('kafkaBrokers', config.KAFKA_BROKERS);
    return async () => {};
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'wearwatch-test-kafka-'));
  const broker = new LocalKafkaBroker({
    dataDir,
    cacheDir: config.WEARWATCH_CACHE,
    port: await freePortPair(),
    partitions: 4,
    progress: (line) => process.stderr.write(`[test kafka] ${line}\n`),
  });
  await broker.start();
  project.provide('kafkaBrokers', broker.brokers.join(','));
  return async () => {
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
