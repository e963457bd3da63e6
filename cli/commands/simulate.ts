import { writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { dayFromIso, dayOfInstant, isoFromDay } from '../../core/calendar.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import { isoDate } from '../../core/contracts/common.ts';
import { WearwatchError } from '../../core/errors.ts';
import { backfill } from '../../simulator/backfill.ts';
import { FleetSimulation } from '../../simulator/engine.ts';
import { streamLive } from '../../simulator/live.ts';
import { ContractProducer } from '../../simulator/producer.ts';
import { describeTruth, formatCount } from '../../simulator/report.ts';
import { connectProducingKafka } from '../kafka-target.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';

interface SimulateOptions {
  seed: number;
  drives: number;
  days: number;
  end?: string;
  sampleEvery: number;
  live?: boolean;
  backfill: boolean;
  rate: number;
  duration?: number;
  dryRun?: boolean;
  truth?: string;
  batchSize: number;
}

const integer = (min: number, max: number) => (value: string) => {
  const parsed = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || parsed < min || parsed > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
  return parsed;
};

const date = (value: string) => {
  if (!isoDate.safeParse(value).success) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return value;
};

export function simulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'produce a deterministic simulated fleet into Kafka through the message contracts: backfill N days as fast as possible (enrolments, telemetry, RMA lifecycles with ground truth), then optionally keep streaming live telemetry. Writes to KAFKA_BROKERS, else the broker of a running `wearwatch up`',
    )
    .option('--seed <n>', 'random seed: the same seed, size and end date give the same events', integer(0, 2 ** 32 - 1), 1)
    .option('--drives <n>', 'units in the fleets at the start (replacements come on top)', integer(1, 1_000_000), 2500)
    .option('--days <n>', 'days to backfill, ending the day before --end', integer(1, 3650), 730)
    .option('--end <date>', 'end of the backfill window, exclusive (default: today, 00:00 UTC)', date)
    .option('--sample-every <days>', 'telemetry every N days per unit (plus excursions, failures, claims and the last day)', integer(1, 365), 1)
    .option('--no-backfill', 'skip producing the backfill (the fleet state is still computed) — use with --live')
    .option('--live', 'after the backfill, stream live telemetry until Ctrl-C (or --duration)')
    .option('--rate <events/s>', 'live samples per second', integer(1, 100_000), 20)
    .option('--duration <seconds>', 'stop live streaming after this many seconds', integer(1, 31_536_000))
    .option('--dry-run', 'simulate without Kafka and print the ground truth JSON')
    .option('--truth <file>', 'also write the ground truth JSON to this file')
    .option('--batch-size <n>', 'messages per produce request', integer(1, 100_000), 5000)
    .action((options: SimulateOptions) =>
      runCommand(async ({ config, logger }) => {
        const progress = createProgress();
        const today = dayOfInstant(new Date());
        const end = options.end ? dayFromIso(options.end) : today;
        if (options.live && end > today) {
          throw new WearwatchError(
            'WW_BAD_OPTION',
            `--end ${options.end}: live streaming continues from the end of the backfill, which is in the future`,
            'use an --end of today or earlier with --live',
          );
        }
        const simulation = new FleetSimulation({
          seed: options.seed,
          drives: options.drives,
          days: options.days,
          end,
          sampleEvery: options.sampleEvery,
          catalog: loadCatalog(config.WEARWATCH_CATALOG),
        });
        const finish = (truth: ReturnType<FleetSimulation['groundTruth']>) => {
          for (const line of describeTruth(truth)) progress(line);
          const json = JSON.stringify(truth, null, 2);
          if (options.truth) writeFileSync(options.truth, json + '\n');
          process.stdout.write(json + '\n');
        };
        if (options.dryRun) return finish(simulation.runToEnd().groundTruth());

        const { kafka, brokers } = await connectProducingKafka(config, logger);
        const producer = new ContractProducer(kafka, { batchSize: options.batchSize });
        await producer.connect();
        try {
          if (options.backfill) {
            progress(
              `backfilling ${options.days} days (${isoFromDay(simulation.start)} to ${isoFromDay(end)}) of ${formatCount(options.drives)} units into ${brokers.join(',')}`,
            );
            const run = await backfill(simulation, producer, (p) =>
              progress(
                `backfill ${(p.fraction * 100).toFixed(0).padStart(3)} %  ${isoFromDay(p.day)}  ${formatCount(p.events)} events  ${formatCount(Math.round(p.eventsPerSecond))} events/s`,
              ),
            );
            progress(
              `backfill done: ${formatCount(producer.total)} events in ${run.seconds.toFixed(1)} s (${formatCount(Math.round(run.eventsPerSecond))} events/s)`,
            );
            finish(run.truth);
          } else {
            finish(simulation.runToEnd().groundTruth());
          }
          if (options.live) {
            const stop = new AbortController();
            process.once('SIGINT', () => stop.abort());
            process.once('SIGTERM', () => stop.abort());
            if (options.duration) setTimeout(() => stop.abort(), options.duration * 1000).unref();
            progress(`streaming live telemetry at ${options.rate} samples/s (Ctrl-C to stop)`);
            let lastReport = 0;
            const sent = await streamLive(simulation, producer, {
              rate: options.rate,
              signal: stop.signal,
              onProgress: (count) => {
                if (count - lastReport >= options.rate * 10) progress(`live: ${formatCount((lastReport = count))} samples sent`);
              },
            });
            progress(`live stopped after ${formatCount(sent)} samples`);
          }
        } finally {
          await producer.disconnect();
        }
      }),
    );
}
