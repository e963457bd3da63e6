import type { ApiDependencies } from '../api/dependencies.ts';
import { buildServer } from '../api/server.ts';
import { loadCatalog } from '../core/catalog/load.ts';
import type { Started } from './system.ts';
import { prioritizeEventLoop } from './thread-priority.ts';

/**
 * Serves the HTTP API from a started System (ClickHouse and Kafka up): connects its producer, builds the app, listens,
 * and registers both for ordered shutdown. `wearwatch up` and `wearwatch api` both start the API this way.
 */
export async function startApi(system: Started, options: Pick<ApiDependencies, 'ingestMetrics'> = {}): Promise<string> {
  const { config, logger } = system;
  const producer = system.kafka.kafka.producer();
  await producer.connect();
  system.onStop({ name: 'api producer', stop: () => producer.disconnect() });
  const app = await buildServer({
    config,
    logger,
    health: system.health,
    clickhouse: system.clickhouse,
    catalog: loadCatalog(config.WEARWATCH_CATALOG),
    producer,
    ...options,
  });
  system.onStop({ name: 'http api', stop: () => app.close() });
  if (system.clickhouse.mode === 'embedded') {
    // Embedded chDB merges and queries in this process; requests must not wait behind them for a core.
    const stop = prioritizeEventLoop((error) => logger.warn({ err: error }, 'could not lower the priority of background threads'));
    system.onStop({ name: 'thread priorities', stop: async () => stop() });
  }
  await app.listen({ host: config.WEARWATCH_HOST, port: config.WEARWATCH_PORT });
  return `http://${config.WEARWATCH_HOST}:${config.WEARWATCH_PORT}`;
}
