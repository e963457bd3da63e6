import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { loadCatalog } from '../core/catalog/load.ts';
import { loadConfig } from '../core/config.ts';
import { sendInBatches } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { queryRows } from '../core/query.ts';
import { sleep } from '../core/sleep.ts';
import { topics } from '../core/topics.ts';
import { freePort, freePortPair } from '../infra/ports.ts';
import { startApi } from '../runtime/api.ts';
import { startIngest } from '../runtime/ingest.ts';
import { System } from '../runtime/system.ts';
import { median } from './support.ts';

/**
 * Public warranty lookups (GET /v1/warranty/{serial}) at a fixed request rate against a fleet of N enrolled units,
 * while ingest consumes a steady telemetry stream, all in one `wearwatch up`-like process on embedded chDB and the
 * local Kafka broker. The load comes from a separate process (bench/api-load.ts, autocannon). Several runs; the
 * summary gives their medians. Last line: one JSON object.
 */
const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    'ingest-rate': { type: 'string', default: '200' },
  },
});
const [units, rate, duration, runs, ingestRate] = (['units', 'rate', 'duration', 'runs', 'ingest-rate'] as const).map((k) => Number(values[k])) as [
  number,
  number,
  number,
  number,
  number,
];
if (![units, rate, duration, runs].every((n) => Number.isInteger(n) && n > 0) || !Number.isInteger(ingestRate) || ingestRate < 0) {
  process.stderr.write('usage: npm run bench:api -- [--units N] [--rate RPS] [--duration S] [--runs R] [--ingest-rate MSGS_PER_S]\n');
  process.exit(2);
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'wearwatch-bench-api-'));
const config = loadConfig({
  WEARWATCH_DATA: dataDir,
  WEARWATCH_PORT: String(await freePort()),
  KAFKA_PORT: String(await freePortPair()),
  API_RATE_LIMIT: '10000000',
  WEARWATCH_LOG_LEVEL: 'warn',
});
const system = new System(config, createLogger(config), (line) => process.stderr.write(`[bench] ${line}\n`));
let feeding = true;
try {
  const started = await system.start();
  const { client } = started.clickhouse;
  const catalog = loadCatalog();
  const ssd = catalog.models.filter((m) => m.kind === 'ssd').map((m) => m.model);

  const built = performance.now();
  await client.command({
    query: `INSERT INTO drives (serial, model, fleet_id, purchase_date, proof_of_purchase, price_paid, currency, enrolled_at)
      SELECT concat('NV25', leftPad(toString(1 + number % 52), 2, '0'), leftPad(hex(number), 6, '0')) AS serial,
             {models:Array(String)}[1 + number % length({models:Array(String)})], concat('fleet-', toString(number % 200)),
             if(number % 3 = 0, toDate32('2025-06-01') + toInt32(number % 300), NULL), if(number % 3 = 0, concat('INV-', toString(number)), NULL),
             toDecimal64(50 + number % 400, 2), 'USD', now64(3)
      FROM numbers({n:UInt64})`,
    query_params: { n: units, models: ssd },
  });
  await client.command({
    query: `INSERT INTO telemetry (serial, fleet_id, collected_at, model, firmware, host_bytes_written, temperature_c, source)
      SELECT serial, fleet_id, now64(3) - toIntervalDay(if(k = 0, 25, 1)), model, '1.0',
             toUInt64((cityHash64(serial) % 500) * 1e12 * (0.9 + 0.1 * k)), toInt16(30 + k * 5), 'simulator'
      FROM drives ARRAY JOIN [0, 1] AS k`,
  });
  log(`fleet of ${units.toLocaleString('en-US')} units (2 telemetry samples each) built in ${((performance.now() - built) / 1000).toFixed(1)} s`);

  const serialFile = join(dataDir, 'serials.txt');
  const sample = await queryRows<{ serial: string; fleet_id: string }>(client, 'SELECT serial, fleet_id FROM drives ORDER BY rand() LIMIT 20000');
  writeFileSync(serialFile, sample.map((r) => r.serial).join('\n'));

  const ingest = await startIngest(started);
  const base = await startApi(started, { ingestMetrics: ingest.metrics });

  // A steady telemetry stream so ingest writes to ClickHouse while lookups are served.
  const producer = started.kafka.kafka.producer();
  await producer.connect();
  system.onStop({ name: 'bench telemetry feed', stop: () => producer.disconnect() });
  const feed = (async () => {
    while (feeding && ingestRate > 0) {
      const started = Date.now();
      const messages = Array.from({ length: Math.ceil(ingestRate / 10) }, () => {
        const { serial, fleet_id } = sample[Math.floor(Math.random() * sample.length)]!;
        const value = {
          schema: 'wearwatch.telemetry.v1',
          serial,
          fleet_id,
          collected_at: new Date().toISOString(),
          model: 'WW-NV4-1T',
          host_bytes_written: Math.floor(Math.random() * 1e14),
          source: 'simulator',
        };
        return { key: serial, value: JSON.stringify(value) };
      });
      await sendInBatches(producer, { topic: topics.telemetry, messages });
      await sleep(Math.max(0, 100 - (Date.now() - started)));
    }
  })();

  // Asynchronous on purpose: a synchronous child would freeze this process, which is the server under test.
  const load = async (seconds: number, fixedPath?: string) => {
    const args = [
      '--import',
      'tsx',
      join(import.meta.dirname, 'api-load.ts'),
      '--url',
      base,
      '--rate',
      String(rate),
      '--duration',
      String(seconds),
      ...(fixedPath ? ['--path', fixedPath] : ['--serials', serialFile]),
    ];
    const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8' });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as { rps: number; p50_ms: number; p99_ms: number; max_ms: number; requests: number; errors: number };
  };

  await load(5);
  const results = [];
  // How long this process's event loop (server, ingest, index refresh) was held up: the floor under lookup latency.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  for (let i = 1; i <= runs; i++) {
    loopDelay.reset();
    loopDelay.enable();
    const r = await load(duration);
    loopDelay.disable();
    const loopP99 = loopDelay.percentile(99) / 1e6;
    // The floor, right after, at the same rate and during the same ingest: a route that does no work of its own.
    const floor = await load(duration, '/livez');
    results.push({ ...r, loop_p99_ms: loopP99, floor_p99_ms: floor.p99_ms });
    log(
      `run ${i}/${runs}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, max ${r.max_ms} ms, ${r.errors} errors of ${r.requests}; event-loop delay p99 ${loopP99.toFixed(1)} ms; floor (/livez) p99 ${floor.p99_ms} ms`,
    );
  }
  feeding = false;
  await feed;
  const written = ingest.metrics.snapshot().topics[topics.telemetry]?.written ?? 0;
  const p99 = median(results.map((r) => r.p99_ms));
  const floorP99 = median(results.map((r) => r.floor_p99_ms));
  const figures = {
    p99_ms: p99,
    floor_p99_ms: floorP99,
    ratio: Number((p99 / Math.max(floorP99, 1)).toFixed(2)),
    rps: Math.round(median(results.map((r) => r.rps))),
    p50_ms: median(results.map((r) => r.p50_ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    event_loop_p99_ms: Math.round(median(results.map((r) => r.loop_p99_ms)) * 10) / 10,
    target_rps: rate,
    units,
    runs,
    duration_s: duration,
    ingest_msgs_per_s: ingestRate,
    ingest_rows_written: written,
  };
  log(
    `warranty lookups at ${rate} req/s target, ${units.toLocaleString('en-US')} units, ingest running (${written} telemetry rows written meanwhile): ` +
      `median of ${runs} runs ${figures.rps} req/s, p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms (floor ${floorP99} ms, ratio ${figures.ratio}), ${figures.errors} errors (goal: p99 <= 20 ms at 1000 req/s)`,
  );
  log(JSON.stringify(figures));
} finally {
  feeding = false;
  await system.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
