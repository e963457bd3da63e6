import type { Command } from 'commander';
import { KeyStore } from '../../keys/api-keys.ts';
import { startApi } from '../../runtime/api.ts';
import { startDelivery } from '../../runtime/deliver.ts';
import { runDemo } from '../../runtime/demo.ts';
import { startIngest } from '../../runtime/ingest.ts';
import { startProcessors } from '../../runtime/jobs.ts';
import { shutdownOnSignal } from '../../runtime/shutdown.ts';
import { System } from '../../runtime/system.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';

export function upCommand(program: Command): void {
  program
    .command('up')
    .description(
      'start everything in one process: Kafka (local broker unless KAFKA_BROKERS), ClickHouse (embedded chDB unless CLICKHOUSE_URL), migrations, topics and the HTTP API; Ctrl-C stops it cleanly',
    )
    .option(
      '--demo',
      'also backfill a simulated demo fleet (2,500 units over two years, once per data folder), keep a live trickle of telemetry going and print the pages to open',
    )
    .action((options: { demo?: boolean }) =>
      runCommand(async ({ config, logger }) => {
        const progress = createProgress();
        const system = new System(config, logger, progress);
        const stopped = shutdownOnSignal(system, progress);
        try {
          const started = await system.start();
          const ingest = await startIngest(started);
          const scheduler = await startProcessors(started);
          await startDelivery(started);

          const base = await startApi(started, { ingestMetrics: ingest.metrics });
          progress(`wearwatch is up — portal: ${base}/  API docs: ${base}/docs  health: ${base}/healthz  (Ctrl-C to stop)`);
          if (options.demo) {
            const demo = await runDemo(started, { afterIngest: () => scheduler.runNow() });
            if (demo) {
              const lookups = demo.exampleSerials.map((serial) => `${base}/?serial=${serial}`).join('  ');
              // The staff pages need a key, and with embedded ClickHouse `wearwatch keys` cannot run beside `up`.
              const { key } = await new KeyStore(started.clickhouse.client).create({ name: 'demo (up --demo)', role: 'admin' });
              progress(
                `demo ready — open ${base}/ (warranty lookup, e.g. ${lookups})  ${base}/analytics  ${base}/models  ${base}/rma  ${base}/docs  ${base}/healthz`,
              );
              progress(`demo admin API key for the staff pages and API (revoke with DELETE /v1/admin/keys): ${key}`);
            }
          }
        } catch (error) {
          await system.stop();
          throw error;
        }
        await stopped;
      }),
    );
}
