import type { Command } from 'commander';
import { WearwatchError } from '../../core/errors.ts';
import { type IngestMetrics, startIngest } from '../../runtime/ingest.ts';
import { shutdownOnSignal } from '../../runtime/shutdown.ts';
import { System } from '../../runtime/system.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';

/** One progress line per interval while anything moves: per topic consumed, written, dead-lettered and lag. */
function reportProgress(metrics: IngestMetrics, progress: (line: string) => void, intervalMs: number): NodeJS.Timeout {
  let last = '';
  const timer = setInterval(() => {
    const line = Object.entries(metrics.snapshot().topics)
      .map(([topic, c]) => `${topic}: consumed ${c.consumed} written ${c.written} dlq ${c.dead_lettered} lag ${c.lag}`)
      .join(' | ');
    if (line !== last) progress(line);
    last = line;
  }, intervalMs);
  timer.unref();
  return timer;
}

export function ingestCommand(program: Command): void {
  program
    .command('ingest')
    .description(
      'run only the Kafka→ClickHouse consumers (telemetry, enrollment, RMA) against KAFKA_BROKERS; start several against a ClickHouse server to share the load. SIGTERM drains in-flight batches',
    )
    .option('--progress-every <seconds>', 'seconds between progress lines', '5')
    .action((options: { progressEvery: string }) =>
      runCommand(async ({ config, logger }) => {
        if (!config.KAFKA_BROKERS) {
          throw new WearwatchError(
            'WW_INGEST_NEEDS_KAFKA',
            'wearwatch ingest consumes from a running Kafka cluster, and KAFKA_BROKERS is not set',
            'set KAFKA_BROKERS=host:port (for the broker of a running `wearwatch up`: 127.0.0.1:$KAFKA_PORT), or use `wearwatch up`, which runs ingest itself',
          );
        }
        const seconds = Number(options.progressEvery);
        if (!Number.isFinite(seconds) || seconds <= 0) {
          throw new WearwatchError(
            'WW_BAD_OPTION',
            `--progress-every ${JSON.stringify(options.progressEvery)}: expected a positive number of seconds`,
            'e.g. --progress-every 5',
          );
        }
        const progress = createProgress();
        const system = new System(config, logger, progress);
        const stopped = shutdownOnSignal(system, progress);
        try {
          const ingest = await startIngest(await system.start());
          const timer = reportProgress(ingest.metrics, progress, seconds * 1000);
          system.onStop({ name: 'ingest progress', stop: async () => clearInterval(timer) });
          progress('ingest running (Ctrl-C or SIGTERM drains and stops)');
        } catch (error) {
          await system.stop();
          throw error;
        }
        await stopped;
      }),
    );
}
