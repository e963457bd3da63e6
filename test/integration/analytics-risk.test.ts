import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtestRisk } from '../../analytics/risk.ts';
import { refreshUnitAttributes } from '../../analytics/units.ts';
import { addMonths, dayFromIso } from '../../core/calendar.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import { openTestApi, type TestApi } from '../support/api.ts';
import { writeSimulatedFleet } from '../support/sim-fleet.ts';

/**
 * A simulated fleet (precursors planted: most failures log new media errors and lose spare for weeks first) through the
 * risk and survival endpoints, and the risk backtest against ranking by wear.
 */
const end = dayFromIso('2026-07-01');
let api: TestApi;
let quality: { authorization: string };
let manager: { authorization: string };

beforeAll(async () => {
  api = await openTestApi();
  await writeSimulatedFleet(api.clickhouse, { seed: 7, drives: 1500, days: 500, end, sampleEvery: 7 });
  await refreshUnitAttributes(api.clickhouse, loadCatalog());
  quality = await api.auth({ name: 'q', role: 'quality' });
  manager = await api.auth({ name: 'm', role: 'fleet_manager', fleet_ids: ['hooli-edge'] });
}, 300_000);
afterAll(() => api?.close());

const get = (url: string, headers: Record<string, string>) => api.app.inject({ method: 'GET', url, headers });

describe('failure-risk ranking', () => {
  it('finds more of the next 30 days’ failures in its top 5 % than ranking by wear does', async () => {
    const totals = { failures: 0, model: 0, wear: 0 };
    for (const back of [1, 2, 3, 4, 5, 6]) {
      const result = await backtestRisk(api.clickhouse, addMonths(end, -back));
      totals.failures += result.failures_next_30d;
      totals.model += result.model.found;
      totals.wear += result.wear_baseline.found;
    }
    process.stderr.write(`risk backtest, 6 ranking days: ${JSON.stringify(totals)}\n`);
    expect(totals.failures).toBeGreaterThan(10);
    expect(totals.model).toBeGreaterThan(totals.wear);
    expect(totals.model / totals.failures).toBeGreaterThan(0.3);
  });

  it('serves a fleet manager the top-risk drives of their fleet with probabilities, signals and the alert flag', async () => {
    const res = await get('/v1/analytics/risk?limit=20', manager);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.drives.length).toBe(20);
    for (const d of body.drives) {
      expect(d.fleet_id).toBe('hooli-edge');
      expect(d.p_fail_30d).toBeGreaterThan(0);
      expect(d.p_fail_30d).toBeLessThan(1);
      expect(d.alert).toBe(d.p_fail_30d >= body.alert_probability);
    }
    const p = body.drives.map((d: { p_fail_30d: number }) => d.p_fail_30d);
    expect([...p].sort((a, b) => b - a)).toEqual(p);
    expect((await get('/v1/analytics/risk?fleet=acme-datacenter', manager)).statusCode).toBe(404);
  });

  it('serves Kaplan–Meier curves per model with bands and drives at risk', async () => {
    const res = await get('/v1/analytics/survival?by=model', quality);
    expect(res.statusCode).toBe(200);
    const curves = res.json().curves as {
      group: string;
      points: { failed_pct: number; lower_pct: number; upper_pct: number }[];
      at_risk: { at_risk: number }[];
    }[];
    expect(curves.length).toBeGreaterThan(5);
    for (const c of curves) {
      for (const [i, p] of c.points.entries()) {
        expect(p.lower_pct).toBeLessThanOrEqual(p.failed_pct);
        expect(p.upper_pct).toBeGreaterThanOrEqual(p.failed_pct);
        if (i > 0) expect(p.failed_pct).toBeGreaterThanOrEqual(c.points[i - 1]!.failed_pct);
      }
    }
    expect((await get('/v1/analytics/survival?by=colour', quality)).statusCode).toBe(400);
  });
});
