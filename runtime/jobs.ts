import { loadCatalog } from '../core/catalog/load.ts';
import { runAnalyticsJob } from '../jobs/analytics-refresh.ts';
import { JobScheduler } from '../jobs/scheduler.ts';
import { lastRun, runWarrantyJob } from '../jobs/warranty-evaluation.ts';
import { thresholdsFrom } from '../warranty/thresholds.ts';
import type { Started } from './system.ts';

/**
 * Starts the processors inside a running process: the bulk warranty evaluation + flagging on WEARWATCH_EVALUATE_CRON,
 * its last run (start, end, units, outcome) in /healthz under "scheduler", and an orderly stop. Needs ClickHouse;
 * alerts are produced when Kafka is connected.
 */
export async function startProcessors(system: Started<'clickhouse'>): Promise<JobScheduler> {
  const { clickhouse } = system;
  const catalog = loadCatalog(system.config.WEARWATCH_CATALOG);
  const producer = system.kafka?.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  if (producer) {
    await producer.connect();
    system.onStop({ name: 'alerts producer', stop: () => producer.disconnect() });
  }
  const scheduler = new JobScheduler(
    'warranty evaluation',
    () => runWarrantyJob({ client: clickhouse.client, catalog, thresholds: thresholdsFrom(system.config), producer, progress: (l) => system.logger.info(l) }),
    system.logger,
  );
  const previous = await lastRun(clickhouse.client);
  if (previous) {
    scheduler.last = { started_at: previous.started_at, finished_at: previous.finished_at, units: Number(previous.units), outcome: previous.outcome };
  }
  const expression = system.config.WEARWATCH_EVALUATE_CRON;
  if (expression !== 'off') scheduler.start(expression);
  system.onStop({ name: 'scheduler', stop: () => scheduler.stop() });
  system.health.register('scheduler', () => ({
    status: scheduler.last?.outcome === 'failed' ? 'degraded' : 'ok',
    schedule: expression,
    next_run: scheduler.nextRun(),
    running: scheduler.running,
    catalog_version: catalog.version,
    last_run: scheduler.last,
  }));
  system.progress(`warranty evaluation scheduled: ${expression === 'off' ? 'off' : `"${expression}"`} (catalog ${catalog.version})`);
  const analytics = new JobScheduler('analytics refresh', () => runAnalyticsJob(clickhouse, catalog), system.logger);
  if (system.config.WEARWATCH_ANALYTICS_CRON !== 'off') analytics.start(system.config.WEARWATCH_ANALYTICS_CRON);
  system.onStop({ name: 'analytics scheduler', stop: () => analytics.stop() });
  return scheduler;
}
