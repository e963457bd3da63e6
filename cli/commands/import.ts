import { type Command, InvalidArgumentError } from 'commander';
import { fleetId, instant } from '../../core/contracts/common.ts';
import { readBackblazeCsv } from '../../ingest/importers/backblaze.ts';
import { listSmartctlFiles, readSmartctlFile } from '../../ingest/importers/smartctl.ts';
import { ContractProducer } from '../../simulator/producer.ts';
import { formatCount } from '../../simulator/report.ts';
import { connectProducingKafka } from '../kafka-target.ts';
import { createProgress } from '../progress.ts';
import { type CommandContext, runCommand } from '../run.ts';

const fleet = (value: string) => {
  const parsed = fleetId.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]!.message);
  return parsed.data;
};

const when = (value: string) => {
  const parsed = instant.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('expected an ISO 8601 instant with offset, e.g. 2025-03-01T12:00:00Z');
  return parsed.data;
};

/** Opens a producer on the target Kafka unless this is a dry run; runs `body`; flushes and disconnects. */
async function withProducer(ctx: CommandContext, dryRun: boolean | undefined, body: (producer: ContractProducer | undefined) => Promise<void>): Promise<void> {
  if (dryRun) return body(undefined);
  const { kafka } = await connectProducingKafka(ctx.config, ctx.logger);
  const producer = new ContractProducer(kafka);
  await producer.connect();
  try {
    await body(producer);
  } finally {
    await producer.disconnect();
  }
}

export function importCommand(program: Command): void {
  const command = program
    .command('import')
    .description('import existing data into Kafka through the message contracts (KAFKA_BROKERS, else the broker of a running `wearwatch up`)');

  command
    .command('smartctl')
    .description(
      'send `smartctl --json -a` documents as raw telemetry (wearwatch.telemetry.smartctl.v1) for ingest to normalise; files that cannot be used (HDDs, failed reads, no serial) are listed with the reason and not sent; exits 1 if any were unusable',
    )
    .argument('<paths...>', 'smartctl JSON files, or folders of them (searched recursively for *.json)')
    .requiredOption('--fleet <id>', 'fleet the drives belong to', fleet)
    .option('--collected-at <iso>', "collection time of every document (default: each document's local_time)", when)
    .option('--dry-run', 'check the files and report, without sending')
    .action((paths: string[], options: { fleet: string; collectedAt?: string; dryRun?: boolean }) =>
      runCommand(async (ctx) => {
        const progress = createProgress();
        const files = await listSmartctlFiles(paths);
        let sent = 0;
        let unusable = 0;
        await withProducer(ctx, options.dryRun, async (producer) => {
          for (const file of files) {
            const result = await readSmartctlFile(file, { fleet_id: options.fleet, collected_at: options.collectedAt });
            if (!result.ok) {
              unusable++;
              progress(`unusable: ${file}: ${result.reason}`);
              continue;
            }
            await producer?.add({ topic: 'telemetry', key: result.serial, value: result.message });
            sent++;
          }
        });
        progress(
          `${formatCount(files.length)} file(s): ${formatCount(sent)} ${options.dryRun ? 'usable (dry run, nothing sent)' : 'sent'}, ${formatCount(unusable)} unusable`,
        );
        if (unusable > 0) process.exitCode = 1;
      }),
    );

  command
    .command('backblaze')
    .description(
      'send a Backblaze drive-stats daily CSV as telemetry (one sample per row at 00:00 UTC of its date); a failure=1 row is marked critical_warning "reliability degraded" (counted as a failure by the analytics) and, with --rma, also opens an RMA. Rows that cannot be used are reported with their line number; exits 1 if any were',
    )
    .argument('<file>', 'drive-stats CSV, e.g. 2024-06-30.csv')
    .option('--fleet <id>', 'fleet the drives belong to', fleet, 'backblaze')
    .option('--rma', 'also open an RMA request (reason drive_failed) for each failed drive')
    .option('--dry-run', 'read and check the file without sending')
    .action((file: string, options: { fleet: string; rma?: boolean; dryRun?: boolean }) =>
      runCommand(async (ctx) => {
        const progress = createProgress();
        const counts = { rows: 0, drives: 0, samples: 0, failures: 0, rma: 0, rejected: 0 };
        const started = performance.now();
        await withProducer(ctx, options.dryRun, async (producer) => {
          const records = readBackblazeCsv(file, { fleet_id: options.fleet, rma: Boolean(options.rma) }, (read, total) =>
            progress(
              `${((read / total) * 100).toFixed(0).padStart(3)} %  ${formatCount(counts.rows)} rows  ${formatCount(Math.round(counts.rows / ((performance.now() - started) / 1000)))} rows/s`,
            ),
          );
          for await (const record of records) {
            counts.rows++;
            if (record.kind === 'rejected') {
              counts.rejected++;
              if (counts.rejected <= 20) progress(`line ${record.line} rejected: ${record.reason}`);
              continue;
            }
            if (record.enrollment) {
              await producer?.add({ topic: 'enrollment', key: record.enrollment.serial, value: record.enrollment });
              counts.drives++;
            }
            await producer?.add({ topic: 'telemetry', key: record.sample.serial, value: record.sample });
            counts.samples++;
            if (record.failed) counts.failures++;
            if (record.rma) {
              await producer?.add({ topic: 'rma', key: record.rma.serial, value: record.rma });
              counts.rma++;
            }
          }
        });
        const verb = options.dryRun ? 'usable (dry run, nothing sent)' : 'sent';
        progress(
          `${formatCount(counts.rows)} row(s): ${formatCount(counts.drives)} drives enrolled, ${formatCount(counts.samples)} telemetry samples ${verb} (${formatCount(counts.failures)} failures${options.rma ? `, ${formatCount(counts.rma)} RMA requests` : ''}), ${formatCount(counts.rejected)} rejected`,
        );
        if (counts.rejected > 0) process.exitCode = 1;
      }),
    );
}
