import type { Command } from 'commander';
import { buildServer } from '../../api/server.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';
import { System } from '../system.ts';

export function upCommand(program: Command): void {
  program
    .command('up')
    .description('start everything in one process: Kafka (local broker unless KAFKA_BROKERS), ClickHouse (embedded chDB unless CLICKHOUSE_URL), migrations, topics and the HTTP API; Ctrl-C stops it cleanly')
    .action(() =>
      runCommand(async ({ config, logger }) => {
        const progress = createProgress();
        const system = new System(config, logger, progress);
        const stopped = shutdownOnSignal(system, progress);
        try {
          const [kafka, clickhouse] = await Promise.allSettled([system.startKafka(), system.startClickHouse()]);
          for (const result of [kafka, clickhouse]) if (result.status === 'rejected') throw result.reason;

          const app = await buildServer({ logger, health: system.health });
          system.onStop({ name: 'http api', stop: () => app.close() });
          await app.listen({ host: config.WEARWATCH_HOST, port: config.WEARWATCH_PORT });
          const base = `http://${config.WEARWATCH_HOST}:${config.WEARWATCH_PORT}`;
          progress(`wearwatch is up — health: ${base}/healthz  (Ctrl-C to stop)`);
        } catch (error) {
          await system.stop();
          throw error;
        }
        await stopped;
      }),
    );
}

/** Resolves once a SIGINT/SIGTERM-triggered shutdown has finished; a second signal exits at once. */
function shutdownOnSignal(system: System, progress: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        progress(`${signal} again: exiting without waiting`);
        process.exit(130);
      }
      signalled = true;
      progress(`${signal}: shutting down`);
      void system.stop().then(() => {
        progress('stopped cleanly');
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
