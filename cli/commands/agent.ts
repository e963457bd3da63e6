import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { Agent, type CycleReport } from '../../agent/agent.ts';
import { GatewaySender, KafkaSender, type Sender } from '../../agent/senders.ts';
import { Smartctl } from '../../agent/smartctl.ts';
import { Spool } from '../../agent/spool.ts';
import { fleetId } from '../../core/contracts/common.ts';
import { WearwatchError } from '../../core/errors.ts';
import { sleep } from '../../core/sleep.ts';
import { topics } from '../../core/topics.ts';
import { connectProducingKafka } from '../kafka-target.ts';
import { createProgress } from '../progress.ts';
import { type CommandContext, runCommand } from '../run.ts';

interface AgentFlags {
  fleet: string;
  server?: string;
  interval: number;
  include: string[];
  exclude: string[];
  once?: boolean;
  dryRun?: boolean;
  spool?: string;
  spoolMax: number;
  smartctl: string;
}

const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of ${what}, at least 1`);
  return n;
};
const fleet = (value: string) => {
  const parsed = fleetId.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]!.message);
  return parsed.data;
};
const devices = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];

async function openSender(ctx: CommandContext, flags: AgentFlags): Promise<Sender> {
  if (flags.server) {
    const key = ctx.config.WEARWATCH_AGENT_KEY;
    if (!key) {
      throw new WearwatchError(
        'WW_BAD_OPTION',
        '--server needs an API key and WEARWATCH_AGENT_KEY is not set',
        'create one with `wearwatch keys create --name agents --role fleet_manager --fleet ID` and set WEARWATCH_AGENT_KEY',
      );
    }
    return new GatewaySender(flags.server, key);
  }
  const { kafka, brokers } = await connectProducingKafka(ctx.config, ctx.logger);
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 2 } });
  await producer.connect();
  return new KafkaSender(producer, topics.telemetry, `kafka ${brokers.join(',')}`);
}

const describe = (r: CycleReport) =>
  `${r.devices} device(s), ${r.collected} document(s) collected, ${r.sent} sent, ${r.refused} refused, ${r.spooled} spooled` +
  (r.dropped ? `, ${r.dropped} dropped (spool full)` : '') +
  (r.error ? ` — server unreachable: ${r.error}` : '');

export function agentCommand(program: Command): void {
  program
    .command('agent')
    .description(
      'the collector: every --interval runs `smartctl --scan-open --json` and `smartctl --json -a` per device and sends each document (wearwatch.telemetry.smartctl.v1) through the HTTP gateway (--server, WEARWATCH_AGENT_KEY) or Kafka; spools to disk while the server is unreachable',
    )
    .requiredOption('--fleet <id>', 'fleet the drives belong to', fleet)
    .option('--server <url>', 'wearwatch API base URL (the ingest gateway); without it: Kafka (KAFKA_BROKERS, else a local `wearwatch up`)')
    .option('--interval <seconds>', 'seconds between collections', positive('seconds'), 3600)
    .option('--include <devices>', 'only these devices (comma-separated or repeated, e.g. /dev/nvme0,/dev/sda)', devices, [])
    .option('--exclude <devices>', 'leave these devices out (comma-separated or repeated)', devices, [])
    .option('--once', 'collect and send once, then exit (exit code 1 if documents are left spooled)')
    .option('--dry-run', 'print the wrapped documents of one collection; send and spool nothing')
    .option('--spool <dir>', 'spool folder (default: WEARWATCH_DATA/agent-spool)')
    .option('--spool-max <n>', 'most documents kept while the server is unreachable; beyond, the oldest are dropped', positive('documents'), 10_000)
    .option('--smartctl <path>', 'the smartctl program', 'smartctl')
    .action((flags: AgentFlags) =>
      runCommand(async (ctx) => {
        const progress = createProgress();
        const smartctl = new Smartctl(flags.smartctl);
        const spool = new Spool(flags.spool ?? join(ctx.config.WEARWATCH_DATA, 'agent-spool'), flags.spoolMax);
        const options = { fleet: flags.fleet, include: flags.include, exclude: flags.exclude };
        if (flags.dryRun) {
          const { messages } = await new Agent(smartctl, spool, undefined, ctx.logger, options).collect();
          for (const message of messages) process.stdout.write(`${message}\n`);
          return;
        }
        const sender = await openSender(ctx, flags);
        const agent = new Agent(smartctl, spool, sender, ctx.logger, options);
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
        progress(`agent for fleet ${flags.fleet}: sending to ${sender.target}, spool ${spool.size} document(s), ${spool.dropped} dropped so far`);
        try {
          for (;;) {
            const report = await agent.cycle();
            progress(describe(report));
            if (flags.once) {
              if (report.spooled > 0) process.exitCode = 1;
              return;
            }
            await sleep(flags.interval * 1000, stop.signal);
            if (stop.signal.aborted) return;
          }
        } finally {
          process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
          await sender.close();
        }
      }),
    );
}
