/**
 * Kafka → ClickHouse ingest throughput: our consumers against two floors measured in the same run — ClickHouse's own
 * Kafka table engine + materialized view (inside the same embedded chDB, on the same topic), and the bare insert of the
 * same rows, already decoded, into a copy of `telemetry` with no materialized views (the write path alone). Produces N
 * telemetry events once, then for each run consumes the whole topic with a fresh consumer group through each path and
 * times it until every row is in its table.
 *
 *   npm run bench:ingest -- [--events N] [--runs R] [--partitions P]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { loadConfig } from '../core/config.ts';
import { decodeTelemetry, telemetryLayout } from '../core/contracts/rows.ts';
import { ensureTopics, sendInBatches } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { queryFirst, queryRows } from '../core/query.ts';
import { sleep } from '../core/sleep.ts';
import { compactValues, insertCompactValues } from '../ingest/batch-writer.ts';
import { startIngest } from '../runtime/ingest.ts';
import { type Started, System } from '../runtime/system.ts';
import { median, positiveIntegerOptions } from './support.ts';

const { events, runs, partitions } = positiveIntegerOptions('ingest', { events: 1_000_000, runs: 3, partitions: 4 });

const say = (line: string) => process.stdout.write(`${line}\n`);
let lastProgress = 0;
/** A self-overwriting percentage on a terminal, at most twice a second; nothing when piped. */
function showProgress(label: string, done: number): void {
  if (!process.stdout.isTTY || Date.now() - lastProgress < 500) return;
  lastProgress = Date.now();
  process.stdout.write(`\r  ${label}: ${Math.round((done / events) * 100)} %   `);
}
const clearProgress = () => process.stdout.isTTY && process.stdout.write('\r\x1b[K');

function freePortPair(): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer().once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  return (async () => {
    for (;;) {
      const port = 20_000 + Math.floor(Math.random() * 30_000);
      if ((await tryPort(port)) && (await tryPort(port + 1))) return port;
    }
  })();
}

const dataDir = mkdtempSync(join(tmpdir(), 'wearwatch-bench-ingest-'));
const base = loadConfig({
  ...process.env,
  WEARWATCH_DATA: dataDir,
  WEARWATCH_LOG_LEVEL: process.env.WEARWATCH_LOG_LEVEL ?? 'warn',
  KAFKA_PORT: String(await freePortPair()),
  KAFKA_PARTITIONS: String(partitions),
});
const system = new System(base, createLogger(base), (line) => say(`  ${line}`));

try {
  say(`bench:ingest — ${events.toLocaleString('en')} telemetry events, ${partitions} partitions, ${runs} run(s) per path`);
  const running = await system.start();
  const { kafka, brokers } = running.kafka;
  const { client } = running.clickhouse;
  const topic = `bench.telemetry.${randomUUID().slice(0, 8)}`;
  await ensureTopics(kafka, partitions, [topic]);
  await enrolBenchDrives(client);

  const produceSeconds = await produce(kafka, topic);
  say(`produced in ${produceSeconds.toFixed(1)} s (${Math.round(events / produceSeconds).toLocaleString('en')} events/s)`);

  const ours: number[] = [];
  const native: number[] = [];
  const bare: number[] = [];
  for (let run = 1; run <= runs; run++) {
    await client.command({ query: 'TRUNCATE TABLE telemetry' });
    ours.push(await timeOurs(topic, run));
    native.push(await timeNative(client, brokers, topic));
    bare.push(await timeBareInsert(client));
    say(
      `run ${run}: ours ${Math.round(events / ours.at(-1)!).toLocaleString('en')} events/s (${ours.at(-1)!.toFixed(2)} s), native ${Math.round(events / native.at(-1)!).toLocaleString('en')} events/s (${native.at(-1)!.toFixed(2)} s), bare insert ${Math.round(events / bare.at(-1)!).toLocaleString('en')} rows/s`,
    );
  }

  const oursRate = Math.round(events / median(ours));
  const nativeRate = Math.round(events / median(native));
  const bareRate = Math.round(events / median(bare));
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  say(
    `median: ours ${oursRate.toLocaleString('en')} events/s, ClickHouse Kafka engine ${nativeRate.toLocaleString('en')} events/s (ratio ${(oursRate / nativeRate).toFixed(2)}), bare insert ${bareRate.toLocaleString('en')} rows/s (ratio ${(oursRate / bareRate).toFixed(2)}), peak RSS ${peakRssMb} MB`,
  );
  say(
    JSON.stringify({
      events,
      ours_events_per_s: oursRate,
      native_events_per_s: nativeRate,
      ratio: Number((oursRate / nativeRate).toFixed(3)),
      bare_insert_rows_per_s: bareRate,
      ratio_to_bare_insert: Number((oursRate / bareRate).toFixed(3)),
      peak_rss_mb: peakRssMb,
      runs,
      partitions,
      produce_events_per_s: Math.round(events / produceSeconds),
      ours_seconds: ours.map((s) => Number(s.toFixed(3))),
      native_seconds: native.map((s) => Number(s.toFixed(3))),
    }),
  );
} finally {
  await system.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/** Normalised sample number i as a fleet agent sends it: 10,000 drives, one sample per drive per minute. */
function sample(i: number) {
  const serial = `BENCH${String(i % 10_000).padStart(6, '0')}`;
  return {
    schema: 'wearwatch.telemetry.v1',
    serial,
    // A drive's samples come from the fleet it is enrolled in (enrolBenchDrives); any other would be quarantined.
    fleet_id: `fleet-${(i % 10_000) % 7}`,
    collected_at: new Date(Date.UTC(2025, 0, 1) + Math.floor(i / 10_000) * 60_000).toISOString(),
    model: 'WW-NV1-1T',
    firmware: '1.0.3',
    host_bytes_written: 1_000_000_000 + i * 4096,
    percentage_used: i % 100,
    available_spare_pct: 100,
    media_errors: 0,
    power_on_hours: 100 + (i % 5000),
    power_cycles: 10,
    unsafe_shutdowns: 1,
    temperature_c: 30 + (i % 40),
    critical_warning: 0,
    source: 'agent',
  };
}

/** The 10,000 bench drives, enrolled before their first sample as real drives are: ingest holds samples of unknown serials. */
async function enrolBenchDrives(client: NonNullable<System['clickhouse']>['client']): Promise<void> {
  await client.command({
    query: `INSERT INTO drives (serial, model, fleet_id, price_paid, currency, enrolled_at)
            SELECT concat('BENCH', leftPad(toString(number), 6, '0')), 'WW-NV1-1T', concat('fleet-', toString(number % 7)), 100, 'USD',
                   toDateTime64('2024-01-01 00:00:00', 3, 'UTC')
            FROM numbers(10000)`,
  });
}

/**
 * The write path's floor: the same rows, decoded before the clock starts, inserted as our consumers insert them
 * (positional JSON, batches as large as one partition fetch holds, INGEST_CONCURRENCY at a time) into a copy of
 * `telemetry` that no materialized view reads.
 */
async function timeBareInsert(client: NonNullable<System['clickhouse']>['client']): Promise<number> {
  await client.command({ query: 'DROP TABLE IF EXISTS bench_bare_telemetry' });
  await client.command({ query: 'CREATE TABLE bench_bare_telemetry AS telemetry' });
  const bytesPerEvent = JSON.stringify(sample(0)).length;
  const batch = Math.max(1, Math.floor((base.INGEST_PARTITION_FETCH_MAX_MB * 1024 * 1024) / bytesPerEvent));
  const batches: unknown[][][] = [];
  for (let start = 0; start < events; start += batch) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(events, start + batch); i++) {
      const decoded = decodeTelemetry(Buffer.from(JSON.stringify(sample(i))));
      if (!decoded.ok) throw new Error(`bench sample ${i} does not decode: ${decoded.reason}`);
      rows.push(...compactValues(telemetryLayout, [decoded.row]));
    }
    batches.push(rows);
  }
  const started = performance.now();
  try {
    const next = async (): Promise<void> => {
      for (let values = batches.shift(); values; values = batches.shift()) {
        await insertCompactValues(client, 'bench_bare_telemetry', telemetryLayout, values);
      }
    };
    await Promise.all(Array.from({ length: base.INGEST_CONCURRENCY }, next));
    return (performance.now() - started) / 1000;
  } finally {
    await client.command({ query: 'DROP TABLE IF EXISTS bench_bare_telemetry' });
  }
}

async function produce(kafka: NonNullable<System['kafka']>['kafka'], topic: string): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  // About 200 KB per partition per request: within a default broker's message.max.bytes (1 MiB).
  const chunk = 2_000;
  const inFlight: Promise<unknown>[] = [];
  for (let start = 0; start < events; start += chunk) {
    const messages = [];
    for (let i = start; i < Math.min(events, start + chunk); i++) {
      const value = sample(i);
      messages.push({ key: value.serial, value: JSON.stringify(value) });
    }
    inFlight.push(sendInBatches(producer, { topic, messages }));
    if (inFlight.length >= 16) await inFlight.shift();
    showProgress('producing', start);
  }
  await Promise.all(inFlight);
  clearProgress();
  await producer.disconnect();
  return (performance.now() - started) / 1000;
}

/** Our consumers in this process, with a fresh consumer group, until every event is written. */
async function timeOurs(topic: string, run: number): Promise<number> {
  const started = performance.now();
  const ingest = await startIngest(system as Started, {
    topics: { telemetry: topic },
    families: ['telemetry'],
    groupPrefix: `bench.ours.${randomUUID().slice(0, 8)}`,
  });
  try {
    for (;;) {
      const written = ingest.metrics.snapshot().topics[topic]?.written ?? 0;
      if (written >= events) break;
      showProgress(`run ${run} ours`, written);
      await sleep(20);
    }
    clearProgress();
    return (performance.now() - started) / 1000;
  } finally {
    await ingest.stop();
  }
}

/** ClickHouse's Kafka engine + materialized view into a copy of the telemetry table; dropped afterwards. */
async function timeNative(client: NonNullable<System['clickhouse']>['client'], brokers: string[], topic: string): Promise<number> {
  const group = `bench.native.${randomUUID().slice(0, 8)}`;
  await client.command({ query: 'DROP TABLE IF EXISTS bench_native_telemetry' });
  await client.command({ query: 'CREATE TABLE bench_native_telemetry AS telemetry' });
  const columns = await queryRows<{ name: string; type: string }>(
    client,
    "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'telemetry' AND default_kind = ''",
  );
  // Engine settings are DDL, not values: the Kafka engine takes no query parameters in CREATE.
  await client.command({
    query: `CREATE TABLE bench_native_kafka (${columns.map((c) => `\`${c.name}\` ${c.type}`).join(', ')})
            ENGINE = Kafka SETTINGS kafka_broker_list = '${brokers.join(',')}', kafka_topic_list = '${topic}',
              kafka_group_name = '${group}', kafka_format = 'JSONEachRow', kafka_num_consumers = ${Math.min(partitions, 4)},
              kafka_thread_per_consumer = 1, kafka_max_block_size = 262144, input_format_skip_unknown_fields = 1,
              date_time_input_format = 'best_effort'`,
  });
  const started = performance.now();
  try {
    await client.command({ query: 'CREATE MATERIALIZED VIEW bench_native_mv TO bench_native_telemetry AS SELECT * FROM bench_native_kafka' });
    for (;;) {
      const row = await queryFirst<{ n: number }>(client, 'SELECT count() AS n FROM bench_native_telemetry');
      const written = Number(row!.n);
      if (written >= events) break;
      showProgress('native', written);
      await sleep(20);
    }
    clearProgress();
    return (performance.now() - started) / 1000;
  } finally {
    await client.command({ query: 'DROP VIEW IF EXISTS bench_native_mv' });
    await client.command({ query: 'DROP TABLE IF EXISTS bench_native_kafka' });
    await client.command({ query: 'DROP TABLE IF EXISTS bench_native_telemetry' });
  }
}
