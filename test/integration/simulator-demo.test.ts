import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { freePort, freePortPair } from '../../infra/ports.ts';
import { startCli, waitFor } from '../support/cli.ts';

/** Starts `up --demo`, waits for "demo ready", checks the portal answers, then stops it; returns its output. */
async function demoRun(data: string): Promise<string> {
  const httpPort = await freePort();
  const up = startCli(['up', '--demo'], {
    WEARWATCH_DATA: data,
    WEARWATCH_PORT: String(httpPort),
    KAFKA_PORT: String(await freePortPair()),
    KAFKA_BROKERS: '',
    CLICKHOUSE_URL: '',
    WEARWATCH_EVALUATE_CRON: 'off',
    WEARWATCH_LOG_LEVEL: 'error',
  });
  try {
    await waitFor('the demo to be ready', async () => (/demo ready — open http/.test(up.output()) ? true : undefined), 240_000);
    const portal = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(portal.status).toBe(200);
    // Let the live trickle produce a few samples and ingest write them before stopping.
    await new Promise((resolve) => setTimeout(resolve, 4000));
  } finally {
    up.child.kill('SIGTERM');
  }
  expect(await up.exited).toBe(0);
  return up.output();
}

describe('wearwatch up --demo', () => {
  it('backfills the demo fleet once per data folder, keeps a live trickle, and a second start adds no backfill rows', async () => {
    const data = mkdtempSync(join(tmpdir(), 'wearwatch-demo-'));
    const first = await demoRun(data);
    expect(first).toMatch(/demo backfill +\d+ % .* events\/s/);
    expect(first).toMatch(/demo: ingest caught up/);
    expect(first).toMatch(/demo: live trickle of \d+ telemetry samples\/s running/);
    const marker = JSON.parse(readFileSync(join(data, 'demo-fleet.json'), 'utf8')) as {
      end: string;
      status: string;
      events: { telemetry: number; rma: number; enrollment: number };
    };
    expect(marker.status).toBe('produced');

    const second = await demoRun(data);
    expect(second).toMatch(/demo fleet already in this data folder .*not producing it again/);
    expect(second).not.toMatch(/demo backfill +\d+ %/);

    // Both processes have stopped, so the embedded data folder can be opened here.
    const clickhouse = await openClickHouse(loadConfig({ WEARWATCH_DATA: data }));
    try {
      const result = await clickhouse.client.query({
        query: `SELECT
                  (SELECT count() FROM telemetry FINAL WHERE collected_at < {end:DateTime64(3, 'UTC')}) AS backfill,
                  (SELECT count() FROM telemetry FINAL WHERE collected_at >= {end:DateTime64(3, 'UTC')}) AS live,
                  (SELECT count() FROM drives FINAL) AS drives,
                  (SELECT count() FROM rma_events FINAL) AS rma`,
        query_params: { end: `${marker.end} 00:00:00.000` },
        format: 'JSONEachRow',
      });
      const [counts] = await result.json<{ backfill: number; live: number; drives: number; rma: number }>();
      expect(counts!.backfill).toBe(marker.events.telemetry);
      expect(counts!.drives).toBe(marker.events.enrollment);
      expect(counts!.rma).toBe(marker.events.rma);
      expect(counts!.live).toBeGreaterThan(0);
    } finally {
      await clickhouse.close();
    }
  }, 600_000);
});
