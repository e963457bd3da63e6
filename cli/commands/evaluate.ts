import type { Command } from 'commander';
import { loadCatalog } from '../../core/catalog/load.ts';
import { isoDate } from '../../core/contracts/common.ts';
import { WearwatchError } from '../../core/errors.ts';
import { runWarrantyJob } from '../../jobs/warranty-evaluation.ts';
import { System } from '../../runtime/system.ts';
import { evaluateSerial } from '../../warranty/queries.ts';
import { thresholdsFrom } from '../../warranty/thresholds.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';

function parseDate(value: string): string {
  if (!isoDate.safeParse(value).success) {
    throw new WearwatchError('WW_BAD_DATE', `--at ${JSON.stringify(value)} is not a calendar date`, 'give the date as YYYY-MM-DD, e.g. --at 2026-11-24');
  }
  return value;
}

export function evaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description(
      'apply the warranty policy now: bulk-evaluate every enrolled unit into the dated warranty_status snapshot, raise / clear near-limit flags and produce them to wearwatch.alerts.v1; with --serial, evaluate one unit and print the result as JSON',
    )
    .option('--at <date>', 'evaluation date YYYY-MM-DD (default: today, UTC)')
    .option('--serial <serial>', 'evaluate this one unit and print its evaluation')
    .option('--no-publish', 'do not connect to Kafka; alerts stay in the outbox and the next scheduled run in `up` produces them')
    .action((options: { at?: string; serial?: string; publish: boolean }) =>
      runCommand(async ({ config, logger }) => {
        const progress = createProgress();
        const at = options.at === undefined ? new Date().toISOString().slice(0, 10) : parseDate(options.at);
        const catalog = loadCatalog(config.WEARWATCH_CATALOG);
        const system = new System(config, logger, progress);
        try {
          const clickhouse = await system.startClickHouse();
          if (options.serial) {
            const evaluation = await evaluateSerial(clickhouse.client, catalog, options.serial, at);
            if (!evaluation) throw new WearwatchError('WW_UNKNOWN_SERIAL', `serial ${options.serial} is not enrolled`, 'check the serial, or enrol it first');
            process.stdout.write(`${JSON.stringify(evaluation, null, 2)}\n`);
            return;
          }
          const producer = options.publish ? (await system.startKafka()).kafka.producer({ idempotent: true, maxInFlightRequests: 1 }) : undefined;
          if (producer) {
            await producer.connect();
            system.onStop({ name: 'alerts producer', stop: () => producer.disconnect() });
          }
          const run = await runWarrantyJob({ client: clickhouse.client, catalog, thresholds: thresholdsFrom(config), producer, progress, at });
          const seconds = Object.values(run.timings).reduce((a, b) => a + b, 0);
          progress(
            `done: ${run.units} unit(s) evaluated at ${run.snapshot_date} in ${seconds.toFixed(2)} s; flags ${run.flags} (raised ${run.raised}, cleared ${run.cleared}); alerts produced ${run.published}`,
          );
          process.stdout.write(
            `${JSON.stringify({ run_id: run.run_id, snapshot_date: run.snapshot_date, units: run.units, flags: run.flags, raised: run.raised, cleared: run.cleared, published: run.published })}\n`,
          );
        } finally {
          await system.stop();
        }
      }),
    );
}
