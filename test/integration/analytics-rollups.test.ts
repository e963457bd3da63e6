import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureCauses } from '../../analytics/causes.ts';
import { afrPercent } from '../../analytics/stats.ts';
import { afrTrend, claimTrend, exposureByFactor, nearLimitUnits, wearDistribution } from '../../analytics/trends.ts';
import { refreshUnitAttributes } from '../../analytics/units.ts';
import { isoFromDay } from '../../core/calendar.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { openTestClickHouse, queryRows } from '../support/clickhouse.ts';
import { day0, fleetPlan, plannedDriveDays, serialOf, writeFleet } from './analytics-fleet.ts';

let ch: ClickHouse;

beforeAll(async () => {
  ch = await openTestClickHouse();
  // Every row arrives twice: results must be those of a single delivery.
  await writeFleet(ch, { twice: true });
  await refreshUnitAttributes(ch, loadCatalog());
});
afterAll(() => ch?.close());

const sum = <T>(rows: T[], f: (r: T) => number) => rows.reduce((s, r) => s + f(r), 0);

describe('failure definition', () => {
  it('counts a confirmed-defect claim and a critical warning once each, and not a claim rejected for damage', async () => {
    const failures = await queryRows<{ serial: string; failed_on: string; source: string }>(ch, 'SELECT * FROM analytics_failures ORDER BY serial');
    const expectedCount = fleetPlan.firmware.reduce((s, g) => s + g.failures, 0) + 1;
    expect(failures).toHaveLength(expectedCount);
    expect(failures.find((f) => f.serial === serialOf('FW-GOOD', 50))).toBeUndefined();
    const critical = failures.find((f) => f.serial === serialOf('FW-GOOD', 99))!;
    expect(critical).toMatchObject({ source: 'critical_warning', failed_on: isoFromDay(day0 + fleetPlan.criticalWarningSample * fleetPlan.everyDays) });
    expect(failures.find((f) => f.serial === serialOf('FW-BAD', 0))).toMatchObject({ source: 'claim', failed_on: isoFromDay(day0 + fleetPlan.failAfterDays) });
  });
});

describe('AFR rollups', () => {
  it('counts every day in service between sparse reports and stops exposure at the failure', async () => {
    const cells = await exposureByFactor(ch, 'firmware', {});
    for (const g of fleetPlan.firmware) {
      const planned = plannedDriveDays(g.firmware);
      const cell = cells.find((c) => c.level === g.firmware)!;
      expect(cell).toMatchObject({ model: fleetPlan.model, drive_days: planned.driveDays, failures: planned.failures });
    }
  });

  it('gives the monthly AFR per firmware from the same exposure', async () => {
    const points = await afrTrend(ch, 'firmware', {});
    const bad = points.filter((p) => p.series === 'FW-BAD');
    const planned = plannedDriveDays('FW-BAD');
    expect(sum(bad, (p) => p.drive_days)).toBe(planned.driveDays);
    expect(sum(bad, (p) => p.failures)).toBe(planned.failures);
    for (const p of bad) expect(p.afr_pct).toBeCloseTo(afrPercent(p.failures, p.drive_days), 10);
    expect(bad.find((p) => p.month === '2025-02-01')!.failures).toBe(planned.failures);
  });

  it('cuts exposure and failures at the end of a window', async () => {
    const to = isoFromDay(day0 + 30);
    const cells = await exposureByFactor(ch, 'firmware', { to });
    const bad = cells.find((c) => c.level === 'FW-BAD')!;
    expect(bad).toMatchObject({ drive_days: 100 * 30, failures: 0 });
  });

  it('filters by model and fleet', async () => {
    expect(await exposureByFactor(ch, 'firmware', { fleet: 'someone-else' })).toEqual([]);
    expect(await exposureByFactor(ch, 'firmware', { model: 'WW-SA3-256' })).toEqual([]);
  });

  it('breaks exposure down by batch decoded from the serial', async () => {
    const cells = await exposureByFactor(ch, 'batch', {});
    expect(cells.map((c) => c.level).sort()).toEqual(['NV 2024-11-18', 'NV 2024-11-25']);
    expect(cells.find((c) => c.level === 'NV 2024-11-18')!.failures).toBe(plannedDriveDays('FW-BAD').failures);
  });

  it('gives claims per month by outcome and by each exclusion reason', async () => {
    const outcomes = await claimTrend(ch, 'outcome', {});
    expect(outcomes).toEqual([
      { month: '2025-01-01', series: 'rejected', claims: 1 },
      { month: '2025-02-01', series: 'replaced', claims: 11 },
    ]);
    const reasons = await claimTrend(ch, 'reason', {});
    expect(reasons).toEqual([
      { month: '2025-01-01', series: 'physical_damage', claims: 1 },
      { month: '2025-02-01', series: 'none', claims: 11 },
    ]);
  });

  it('shows the wear distribution and the units near their TBW', async () => {
    const buckets = await wearDistribution(ch, {});
    expect(sum(buckets, (b) => b.drives)).toBe(200);
    // Drive i of each firmware wrote (i + 1) * 3 TB + 9 TB of a 600 TB rating by its last sample: 50 % is reached
    // from i = 96, 51 % from i = 98.
    const near = await nearLimitUnits(ch, {}, { warnPct: 50, criticalPct: 51, limit: 20 });
    const expectedSerials = [99, 98, 97, 96].flatMap((i) => fleetPlan.firmware.map((g) => serialOf(g.firmware, i)));
    expect(near.map((n) => n.serial).sort()).toEqual(expectedSerials.sort());
    expect(near[0]!.wear_pct).toBeCloseTo((100 * 3 + 9) / 6, 5);
    expect(near.filter((n) => n.level === 'critical')).toHaveLength(4);
  });

  it('keeps the daily wear rollup current as samples arrive', async () => {
    const before = await queryRows<{ drives: number }>(ch, `SELECT drives FROM analytics_wear_daily WHERE day = {d:Date32}`, { d: '2025-06-01' });
    expect(before).toEqual([]);
    await ch.client.insert({
      table: 'telemetry',
      format: 'JSONEachRow',
      values: [
        {
          serial: serialOf('FW-GOOD', 1),
          fleet_id: 'acme',
          collected_at: '2025-06-01 08:00:00',
          model: fleetPlan.model,
          firmware: 'FW-GOOD',
          host_bytes_written: 60e12,
          source: 'test',
        },
      ],
    });
    const after = await queryRows<{ drives: number; wear_max: number }>(ch, `SELECT drives, wear_max FROM analytics_wear_daily WHERE day = {d:Date32}`, {
      d: '2025-06-01',
    });
    expect(after).toEqual([{ drives: 1, wear_max: 10 }]);
  });
});

describe('failure causes', () => {
  it('ranks the bad firmware first with an interval above 1, and the good one below', async () => {
    // The window ends the day after the last planned sample (a later test adds a sample in June).
    const report = await failureCauses(ch, 'firmware', { to: isoFromDay(day0 + (fleetPlan.samples - 1) * fleetPlan.everyDays + 1) });
    const [top, second] = report.levels;
    const bad = plannedDriveDays('FW-BAD');
    const good = plannedDriveDays('FW-GOOD');
    expect(top!.level).toBe('FW-BAD');
    expect(top!.verdict).toBe('higher');
    expect(top!.expected).toBeCloseTo((bad.driveDays * good.failures) / good.driveDays, 6);
    expect(top!.ratio).toBeCloseTo(bad.failures / top!.expected, 6);
    expect(top!.lower!).toBeGreaterThan(1);
    expect(second!.level).toBe('FW-GOOD');
    expect(second!.verdict).toBe('lower');
    expect(report.baseline.failures).toBe(bad.failures + good.failures);
  });
});
