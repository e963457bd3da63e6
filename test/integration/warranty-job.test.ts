import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../core/catalog/load.ts';
import { loadConfig } from '../../core/config.ts';
import { type AlertEvent, alertEvent } from '../../core/contracts/alert.ts';
import { createLogger } from '../../core/logger.ts';
import { topics } from '../../core/topics.ts';
import { JobScheduler } from '../../jobs/scheduler.ts';
import { runWarrantyJob } from '../../jobs/warranty-evaluation.ts';
import { startProcessors } from '../../runtime/jobs.ts';
import { type Started, System } from '../../runtime/system.ts';
import { currentFlags, evaluateSerial } from '../../warranty/queries.ts';
import { thresholdsFrom } from '../../warranty/thresholds.ts';
import { waitFor } from '../support/cli.ts';
import { queryRows } from '../support/clickhouse.ts';
import { testBrokers } from '../support/kafka.ts';

const catalog = loadCatalog();
const tag = randomUUID()
  .slice(0, 6)
  .toUpperCase()
  .replace(/[^0-9A-Z]/g, 'X');
const hot = `NV2447${tag}`; // SSD near its TBW limit
const calm = `SA2510${tag}`; // SSD far from it
const card = `TF2503-${tag}XY`; // TF card that ran hot

describe('warranty job: snapshot, flags and alerts on Kafka', () => {
  const config = loadConfig({
    WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-warranty-job-')),
    KAFKA_BROKERS: testBrokers().join(','),
    WEARWATCH_EVALUATE_CRON: 'off',
    WEARWATCH_LOG_LEVEL: 'silent',
  });
  const system = new System(config, createLogger(config), () => {});
  let consumer: Consumer;
  const alerts: AlertEvent[] = [];

  const telemetry = (serial: string, model: string, fleet: string, at: string, over: object) => ({
    serial,
    fleet_id: fleet,
    collected_at: at,
    model,
    firmware: '1',
    source: 'agent',
    ...over,
  });

  beforeAll(async () => {
    await system.startClickHouse();
    const { kafka } = await system.startKafka();
    consumer = kafka.consumer({ groupId: `warranty-job-${tag}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.alerts, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const alert = alertEvent.parse(JSON.parse(message.value!.toString()));
        expect(message.key!.toString()).toBe(alert.serial);
        if (alert.serial.includes(tag)) alerts.push(alert);
      },
    });
    const { client } = system.clickhouse!;
    await client.insert({
      table: 'drives',
      format: 'JSONEachRow',
      values: [
        {
          serial: hot,
          model: 'WW-NV4-512',
          fleet_id: 'fleet-a',
          purchase_date: '2025-03-01',
          proof_of_purchase: 'INV-1',
          price_paid: 80,
          currency: 'USD',
          enrolled_at: '2025-03-02T00:00:00Z',
        },
        {
          serial: calm,
          model: 'WW-SA3-256',
          fleet_id: 'fleet-a',
          purchase_date: null,
          proof_of_purchase: null,
          price_paid: 40,
          currency: 'USD',
          enrolled_at: '2025-03-02T00:00:00Z',
        },
        {
          serial: card,
          model: 'WW-TF-PRO-128',
          fleet_id: 'fleet-b',
          purchase_date: null,
          proof_of_purchase: null,
          price_paid: 25,
          currency: 'USD',
          enrolled_at: '2025-03-02T00:00:00Z',
        },
      ],
    });
    await client.insert({
      table: 'telemetry',
      format: 'JSONEachRow',
      values: [
        telemetry(hot, 'WW-NV4-512', 'fleet-a', '2026-11-01T00:00:00Z', { host_bytes_written: 260e12, temperature_c: 50 }),
        telemetry(calm, 'WW-SA3-256', 'fleet-a', '2026-11-01T00:00:00Z', { host_bytes_written: 10e12, temperature_c: 40 }),
        telemetry(card, 'WW-TF-PRO-128', 'fleet-b', '2026-11-01T00:00:00Z', { avg_pe_cycles: 300, temperature_c: 91 }),
      ],
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await system.stop();
  });

  const run = async (at: string) => {
    const producer = system.kafka!.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      return await runWarrantyJob({ client: system.clickhouse!.client, catalog, thresholds: thresholdsFrom(config), producer, at });
    } finally {
      await producer.disconnect();
    }
  };

  it('raises flags on the first run and produces each to wearwatch.alerts.v1', async () => {
    const first = await run('2026-11-10');
    expect(first).toMatchObject({ outcome: 'ok', units: 3, flags: 2, raised: 2, cleared: 0, published: 2 });
    await waitFor('two alerts', async () => (alerts.length >= 2 ? true : undefined), 20_000);
    expect(alerts.map((a) => [a.serial, a.flag, a.level, a.action]).sort()).toEqual(
      [
        [hot, 'near_tbw', 'warn', 'raised'],
        [card, 'temperature_out_of_range', 'review', 'raised'],
      ].sort(),
    );
    expect(alerts.find((a) => a.flag === 'near_tbw')).toMatchObject({
      fleet_id: 'fleet-a',
      threshold: 80,
      message: expect.stringMatching(/86\.7 % of the TBW rating/),
    });
    expect(await currentFlags(system.clickhouse!.client, { fleetId: 'fleet-b' })).toEqual([
      expect.objectContaining({ serial: card, flag: 'temperature_out_of_range', level: 'review', value: 91, threshold: 85 }),
    ]);
  });

  it('produces level changes and clears on the next run, and nothing twice', async () => {
    const { client } = system.clickhouse!;
    await client.insert({
      table: 'telemetry',
      format: 'JSONEachRow',
      values: [
        telemetry(hot, 'WW-NV4-512', 'fleet-a', '2026-12-15T00:00:00Z', { host_bytes_written: 290e12, temperature_c: 50 }),
        telemetry(card, 'WW-TF-PRO-128', 'fleet-b', '2026-12-15T00:00:00Z', { avg_pe_cycles: 310, temperature_c: 40 }),
      ],
    });
    const second = await run('2026-12-20');
    expect(second).toMatchObject({ outcome: 'ok', units: 3, raised: 1, cleared: 1, published: 2 });
    await waitFor('four alerts', async () => (alerts.length >= 4 ? true : undefined), 20_000);
    expect(
      alerts
        .slice(2)
        .map((a) => [a.serial, a.flag, a.level, a.action])
        .sort(),
    ).toEqual(
      [
        [hot, 'near_tbw', 'critical', 'raised'],
        [card, 'temperature_out_of_range', 'review', 'cleared'],
      ].sort(),
    );
    const third = await run('2026-12-20');
    expect(third).toMatchObject({ raised: 0, cleared: 0, published: 0 });
    expect(await currentFlags(system.clickhouse!.client, { fleetId: 'fleet-a' })).toEqual([expect.objectContaining({ serial: hot, level: 'critical' })]);
    const runs = await queryRows<{ outcome: string; published: number }>(
      system.clickhouse!,
      `SELECT outcome, published FROM scheduler_runs FINAL WHERE job = 'warranty' ORDER BY run_id`,
    );
    expect(runs).toEqual([
      { outcome: 'ok', published: 1 },
      { outcome: 'ok', published: 1 },
      { outcome: 'ok', published: 1 },
    ]);
  });

  it('evaluates one serial from ClickHouse like the snapshot does', async () => {
    const single = await evaluateSerial(system.clickhouse!.client, catalog, hot, '2026-12-20');
    const [row] = await queryRows<{ status: string; wear_used_pct: number; coverage_end: string }>(
      system.clickhouse!,
      `SELECT status, wear_used_pct, toString(coverage_end) AS coverage_end FROM warranty_status FINAL WHERE snapshot_date = '2026-12-20' AND serial = {s:String}`,
      { s: hot },
    );
    expect(single).toMatchObject({ status: row!.status, wear: { used_pct: row!.wear_used_pct }, coverage: { end: row!.coverage_end, basis: 'purchase' } });
    expect(await evaluateSerial(system.clickhouse!.client, catalog, 'NEVER-ENROLLED', '2026-12-20')).toBeNull();
  });

  it('never overlaps runs: a second request joins the run in progress', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const scheduler = new JobScheduler(
      'test job',
      async () => {
        calls++;
        await gate;
        return { units: 7 };
      },
      system.logger,
    );
    const a = scheduler.runNow();
    const b = scheduler.runNow();
    expect(scheduler.running).toBe(true);
    release();
    expect(await a).toBe(await b);
    expect(calls).toBe(1);
    expect(scheduler.last).toMatchObject({ outcome: 'ok', units: 7 });
  });

  it('runs on its cron schedule inside the process and reports the last run in health', async () => {
    const scheduled = new System({ ...config, WEARWATCH_EVALUATE_CRON: '*/2 * * * * *' }, system.logger, () => {});
    scheduled.clickhouse = system.clickhouse;
    scheduled.kafka = system.kafka;
    await startProcessors(scheduled as Started<'clickhouse'>);
    try {
      const before = Date.now();
      const report = await waitFor(
        'a scheduled run',
        async () => {
          const r = await scheduled.health.report();
          const last = r.components.scheduler?.last_run as { outcome: string; started_at: string } | null;
          return last && last.outcome === 'ok' && Date.parse(last.started_at) >= before ? r : undefined;
        },
        30_000,
      );
      expect(report.components.scheduler).toMatchObject({ status: 'ok', schedule: '*/2 * * * * *', last_run: { outcome: 'ok', units: 3 } });
    } finally {
      await scheduled.stop();
    }
  });
});
