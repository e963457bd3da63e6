import { describe, expect, it } from 'vitest';
import { dayFromIso } from '../../core/calendar.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import { FleetSimulation } from '../../simulator/engine.ts';

/**
 * The planted precursors: most failures log new media errors (and NVMe units lose spare) in the weeks before they fail,
 * while healthy units rarely log any. NVMe units are used because their failing sample is marked (critical warning
 * bit 0x04, reliability degraded) and they report media errors and spare.
 */
describe('simulated failure precursors', () => {
  const simulation = new FleetSimulation({ seed: 5, drives: 3000, days: 365, end: dayFromIso('2026-06-01'), sampleEvery: 7, catalog: loadCatalog() });
  const history = new Map<string, { day: number; media: number; spare: number; failing: boolean }[]>();
  for (const events of simulation.days()) {
    for (const event of events) {
      if (event.topic !== 'telemetry' || !event.value.model.startsWith('WW-NV4')) continue;
      const v = event.value;
      const list = history.get(v.serial) ?? [];
      list.push({
        day: Math.floor(Date.parse(v.collected_at) / 86_400_000),
        media: Number(v.media_errors ?? 0),
        spare: Number(v.available_spare_pct ?? 100),
        failing: ((v.critical_warning ?? 0) & 0x04) !== 0,
      });
      history.set(v.serial, list);
    }
  }
  /** Media errors logged between 35 and 7 days before `day` (the failure sample itself excluded). */
  const risingBefore = (samples: { day: number; media: number }[], day: number) => {
    const early = samples.filter((s) => s.day <= day - 35).at(-1);
    const late = samples.filter((s) => s.day <= day - 7).at(-1);
    return early !== undefined && late !== undefined && late.media > early.media;
  };

  it('lets most failing units log new media errors in the weeks before they fail, and few healthy ones', () => {
    let failed = 0;
    let failedRising = 0;
    let healthy = 0;
    let healthyRising = 0;
    for (const samples of history.values()) {
      const failure = samples.find((s) => s.failing);
      if (failure) {
        if (!samples.some((s) => s.day <= failure.day - 35)) continue;
        failed++;
        if (risingBefore(samples, failure.day)) failedRising++;
      } else {
        const last = samples.at(-1)!;
        if (!samples.some((s) => s.day <= last.day - 35)) continue;
        healthy++;
        if (risingBefore(samples, last.day)) healthyRising++;
      }
    }
    expect(failed).toBeGreaterThan(20);
    expect(failedRising / failed).toBeGreaterThan(0.4);
    expect(healthyRising / healthy).toBeLessThan(0.05);
  });
});
