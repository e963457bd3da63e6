/**
 * Simulator throughput: how fast the fleet model generates events (no I/O), and how fast the backfill produces them
 * into a real local Kafka broker (validated against the contracts, batched, uncompressed). Each run simulates the
 * demo fleet; figures are medians over the runs.
 *
 *   npm run bench:simulator -- [--runs R] [--drives N] [--days D] [--sample-every S]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dayFromIso } from '../core/calendar.ts';
import { loadCatalog } from '../core/catalog/load.ts';
import { loadConfig } from '../core/config.ts';
import { createKafka, ensureTopics } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { LocalKafkaBroker } from '../infra/kafka/local-broker.ts';
import { freePortPair } from '../infra/ports.ts';
import { backfill } from '../simulator/backfill.ts';
import { demoFleet } from '../simulator/demo-fleet.ts';
import { FleetSimulation } from '../simulator/engine.ts';
import { ContractProducer, type Family } from '../simulator/producer.ts';
import { median, positiveIntegerOptions } from './support.ts';

const args = positiveIntegerOptions('simulator', { runs: 3, drives: demoFleet.drives, days: demoFleet.days, 'sample-every': demoFleet.sampleEvery });
const runs = args.runs;
const fleet = { seed: demoFleet.seed, drives: args.drives, days: args.days, sampleEvery: args['sample-every'], end: dayFromIso('2026-11-24') };

const say = (line: string) => process.stdout.write(`${line}\n`);
const catalog = loadCatalog();

say(`simulator benchmark: ${fleet.drives} units, ${fleet.days} days, a sample every ${fleet.sampleEvery} day(s), ${runs} run(s)`);

const generate: number[] = [];
let events = 0;
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  const simulation = new FleetSimulation({ ...fleet, catalog });
  events = 0;
  for (const day of simulation.days()) events += day.length;
  const seconds = (performance.now() - started) / 1000;
  generate.push(events / seconds);
  say(`  generate run ${run + 1}: ${events} events in ${seconds.toFixed(2)} s = ${Math.round(events / seconds)} events/s`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'wearwatch-bench-sim-'));
const config = loadConfig({ WEARWATCH_LOG_LEVEL: 'error' });
const broker = new LocalKafkaBroker({ dataDir, cacheDir: config.WEARWATCH_CACHE, port: await freePortPair(), partitions: 4, progress: () => {} });
const produce: number[] = [];
try {
  await broker.start();
  const kafka = createKafka(config, broker.brokers, createLogger(config));
  for (let run = 0; run < runs; run++) {
    const topics = Object.fromEntries((['telemetry', 'enrollment', 'rma'] as Family[]).map((f) => [f, `bench.${f}.${run}`])) as Record<Family, string>;
    await ensureTopics(kafka, 4, Object.values(topics));
    const producer = new ContractProducer(kafka, { topics });
    await producer.connect();
    try {
      const result = await backfill(new FleetSimulation({ ...fleet, catalog }), producer);
      produce.push(result.eventsPerSecond);
      say(`  produce run ${run + 1}: ${result.truth.events.total} events in ${result.seconds.toFixed(2)} s = ${Math.round(result.eventsPerSecond)} events/s`);
    } finally {
      await producer.disconnect();
    }
  }
} finally {
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

say(`median: generate ${Math.round(median(generate))} events/s; simulate + validate + produce into Kafka ${Math.round(median(produce))} events/s`);
say(
  JSON.stringify({
    bench: 'simulator',
    drives: fleet.drives,
    days: fleet.days,
    sample_every: fleet.sampleEvery,
    events,
    runs,
    generate_events_per_s: Math.round(median(generate)),
    produce_events_per_s: Math.round(median(produce)),
  }),
);
