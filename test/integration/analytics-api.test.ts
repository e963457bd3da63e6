import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../support/api.ts';
import { fleetPlan, plannedDriveDays, writeFleet } from './analytics-fleet.ts';

let api: TestApi;
let quality: { authorization: string };
let support: { authorization: string };
let manager: { authorization: string };
let otherManager: { authorization: string };

beforeAll(async () => {
  api = await openTestApi();
  await writeFleet(api.clickhouse);
  quality = await api.auth({ name: 'q', role: 'quality' });
  support = await api.auth({ name: 's', role: 'support' });
  manager = await api.auth({ name: 'm', role: 'fleet_manager', fleet_ids: [fleetPlan.fleet] });
  otherManager = await api.auth({ name: 'o', role: 'fleet_manager', fleet_ids: ['other-fleet', 'third-fleet'] });
});
afterAll(() => api?.close());

const get = (url: string, headers: Record<string, string> = {}) => api.app.inject({ method: 'GET', url, headers });
const lastDay = `2025-04-02`;

describe('analytics API', () => {
  it('ranks the planted bad firmware first for a quality engineer', async () => {
    const res = await get(`/v1/analytics/causes?factor=firmware&to=${lastDay}`, quality);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.levels[0]).toMatchObject({ level: 'FW-BAD', verdict: 'higher', failures: plannedDriveDays('FW-BAD').failures });
  });

  it('breaks failures down by batch decoded from the serial', async () => {
    const res = await get(`/v1/analytics/causes?factor=batch&to=${lastDay}`, quality);
    expect(
      res
        .json()
        .levels.map((l: { level: string }) => l.level)
        .sort(),
    ).toEqual(['NV 2024-11-18', 'NV 2024-11-25']);
  });

  it('gives AFR trends with the same filters as the pages', async () => {
    const res = await get(`/v1/analytics/afr?by=firmware&model=${fleetPlan.model}&firmware=FW-BAD`, quality);
    expect(res.statusCode).toBe(200);
    const points = res.json().points as { series: string; failures: number }[];
    expect(new Set(points.map((p) => p.series))).toEqual(new Set(['FW-BAD']));
    expect(points.reduce((s, p) => s + p.failures, 0)).toBe(plannedDriveDays('FW-BAD').failures);
  });

  it('answers bad filters with the field and the reason', async () => {
    const res = await get('/v1/analytics/afr?from=2025-05-01&to=2025-01-01&by=color', quality);
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['query.by']));
    const order = await get('/v1/analytics/afr?from=2025-05-01&to=2025-01-01', quality);
    expect(order.statusCode).toBe(400);
    expect(order.json().error.fields).toEqual([{ field: 'query.to', message: 'must be after from' }]);
  });

  it('keeps each view to its roles', async () => {
    expect((await get('/v1/analytics/causes')).statusCode).toBe(401);
    expect((await get('/v1/analytics/causes', support)).statusCode).toBe(403);
    expect((await get('/v1/analytics/claims', manager)).statusCode).toBe(403);
    expect((await get('/v1/analytics/claims?by=reason', support)).json().points).toContainEqual({ month: '2025-01-01', series: 'physical_damage', claims: 1 });
  });

  it('shows a fleet manager only their fleet', async () => {
    const own = await get('/v1/analytics/near-limit?limit=5', manager);
    expect(own.statusCode).toBe(200);
    expect(own.json().units.every((u: { fleet_id: string }) => u.fleet_id === fleetPlan.fleet)).toBe(true);
    expect((await get(`/v1/analytics/wear?fleet=${fleetPlan.fleet}`, otherManager)).statusCode).toBe(404);
    const ambiguous = await get('/v1/analytics/wear', otherManager);
    expect(ambiguous.statusCode).toBe(400);
    expect(ambiguous.json().error.fields[0].field).toBe('query.fleet');
    expect((await get('/v1/analytics/wear?fleet=other-fleet', otherManager)).json()).toEqual({ buckets: [] });
  });

  it('forecasts and backtests for the support desk', async () => {
    const forecast = await get('/v1/analytics/forecast?months=3', support);
    expect(forecast.statusCode).toBe(200);
    expect(forecast.json().cells.length).toBeGreaterThan(0);
    const backtest = await get('/v1/analytics/forecast/backtest?months=1', support);
    expect(backtest.statusCode).toBe(200);
    expect(backtest.json().months).toHaveLength(1);
    expect((await get('/v1/analytics/forecast?months=0', support)).statusCode).toBe(400);
  });

  it('serves the pages and the chart library', async () => {
    const page = await get('/analytics/quality');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('src="/assets/echarts.min.js"');
    const lib = await get('/assets/echarts.min.js');
    expect(lib.statusCode).toBe(200);
    expect(lib.body.length).toBeGreaterThan(500_000);
  });
});
