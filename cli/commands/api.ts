import type { Command } from 'commander';
import { WearwatchError } from '../../core/errors.ts';
import { startApi } from '../../runtime/api.ts';
import { shutdownOnSignal } from '../../runtime/shutdown.ts';
import { System } from '../../runtime/system.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';

export function apiCommand(program: Command): void {
  program
    .command('api')
    .description('serve only the HTTP API and portal against a ClickHouse server (CLICKHOUSE_URL) and Kafka cluster (KAFKA_BROKERS); run several to scale out')
    .action(() =>
      runCommand(async ({ config, logger }) => {
        const missing = [!config.CLICKHOUSE_URL && 'CLICKHOUSE_URL', !config.KAFKA_BROKERS && 'KAFKA_BROKERS'].filter(Boolean);
        if (missing.length) {
          throw new WearwatchError(
            'WW_API_NEEDS_SERVERS',
            `wearwatch api serves against shared servers, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`,
            'set CLICKHOUSE_URL=http://host:8123 and KAFKA_BROKERS=host:9092, or run `wearwatch up` for everything in one process',
          );
        }
        const progress = createProgress();
        const system = new System(config, logger, progress);
        const stopped = shutdownOnSignal(system, progress);
        try {
          // Several API processes may start at once: the schema is applied by `wearwatch migrate` (or `up`), not here.
          const base = await startApi(await system.start({ migrate: false }));
          progress(`wearwatch api is up — portal: ${base}/  API docs: ${base}/docs  (Ctrl-C to stop)`);
        } catch (error) {
          await system.stop();
          throw error;
        }
        await stopped;
      }),
    );
}
