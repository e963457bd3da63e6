import { describe, expect, it } from 'vitest';
import { adjustedCauses } from '../../analytics/adjusted-causes.ts';
import { rankCauses } from '../../analytics/causes.ts';
import { fitPoisson, type PoissonCell } from '../../analytics/poisson.ts';
import { Rng } from '../../core/random.ts';

/**
 * A fleet with known causes: batch B-BAD fails 4× as often, firmware FW-BAD 3× as often, and the harmless FW-RIDES
 * shipped 80 % on the bad batch, so it fails more than the rest only because of where it shipped.
 */
function confoundedFleet(seed = 11): PoissonCell[] {
  const rng = new Rng(seed);
  const cells: PoissonCell[] = [];
  const baseRate = 0.02 / 365;
  for (const model of ['M-1', 'M-2']) {
    for (const batch of ['B-BAD', 'B-1', 'B-2', 'B-3']) {
      for (const firmware of ['FW-OK', 'FW-RIDES', 'FW-BAD']) {
        const shares = batch === 'B-BAD' ? { 'FW-OK': 0.1, 'FW-RIDES': 0.8, 'FW-BAD': 0.1 } : { 'FW-OK': 0.63, 'FW-RIDES': 0.07, 'FW-BAD': 0.3 };
        const share = shares[firmware as keyof typeof shares];
        const exposure = 400_000 * share * (model === 'M-1' ? 1 : 0.6);
        const rate = baseRate * (model === 'M-2' ? 1.5 : 1) * (batch === 'B-BAD' ? 4 : 1) * (firmware === 'FW-BAD' ? 3 : 1);
        cells.push({
          levels: { model, batch, firmware, age: '0-5 months', temperature: '<40 °C', fleet: 'f', wear: '<50 %' },
          exposure,
          events: rng.poisson(exposure * rate),
        });
      }
    }
  }
  return cells;
}

describe('adjusted failure causes (Poisson regression)', () => {
  it('does not flag a harmless firmware that rode on a bad batch, and flags the truly bad one', () => {
    const cells = confoundedFleet();
    // The one-factor view is fooled: it blames the firmware for the batch.
    const unadjusted = rankCauses(
      'firmware',
      cells.map((c) => ({ level: c.levels.firmware!, model: c.levels.model!, drive_days: c.exposure, failures: c.events })),
    );
    expect(unadjusted.levels.find((l) => l.level === 'FW-RIDES')!.verdict).toBe('higher');

    const firmware = adjustedCauses('firmware', cells);
    expect(firmware.reference).toBe('FW-OK');
    expect(firmware.levels[0]!.level).toBe('FW-BAD');
    expect(firmware.levels[0]!.verdict).toBe('higher');
    expect(firmware.levels[0]!.lower!).toBeGreaterThan(1.5);
    const rides = firmware.levels.find((l) => l.level === 'FW-RIDES')!;
    expect(rides.verdict).toBe('no_evidence');
    expect(rides.lower!).toBeLessThan(1);
    expect(firmware.test.p).toBeLessThan(0.001);

    const batch = adjustedCauses('batch', cells);
    expect(batch.levels[0]!.level).toBe('B-BAD');
    expect(batch.levels[0]!.verdict).toBe('higher');
    expect(batch.adjusted_for).toEqual(['model', 'firmware']);
  });

  it('recovers planted rate ratios within their intervals', () => {
    const fit = fitPoisson(confoundedFleet(5), ['model', 'batch', 'firmware']);
    expect(fit.converged).toBe(true);
    const get = (factor: string, level: string) => fit.levels.find((l) => l.factor === factor && l.level === level)!;
    for (const [factor, level, truth] of [
      ['batch', 'B-BAD', 4],
      ['firmware', 'FW-BAD', 3],
      ['model', 'M-2', 1.5],
    ] as const) {
      const l = get(factor, level);
      expect(l.lower!).toBeLessThan(truth);
      expect(l.upper!).toBeGreaterThan(truth);
    }
  });

  it('answers a fleet without a single drive-day with no levels and no evidence, instead of failing', () => {
    const report = adjustedCauses('firmware', [{ levels: { firmware: 'A' }, exposure: 0, events: 0 }]);
    expect(report).toMatchObject({ levels: [], test: { chi2: 0, df: 0, p: 1 } });
  });

  it('pools sparse levels instead of giving them a ratio of their own, and survives a zero-failure level', () => {
    const cells = confoundedFleet();
    // 0.2 failures expected, 1 observed: the unadjusted view would call this a ratio of 5.
    cells.push({ levels: { model: 'M-1', batch: 'B-1', firmware: 'FW-TINY' }, exposure: 3650, events: 1 });
    // Plenty of exposure and not one failure: no finite maximum-likelihood ratio exists.
    cells.push({ levels: { model: 'M-1', batch: 'B-1', firmware: 'FW-PERFECT' }, exposure: 400_000, events: 0 });
    const report = adjustedCauses('firmware', cells);
    const tiny = report.levels.find((l) => l.level === 'FW-TINY')!;
    expect(tiny).toMatchObject({ status: 'pooled', ratio: null, verdict: 'not_estimable' });
    expect(report.levels.find((l) => l.level === 'FW-PERFECT')!.verdict).toBe('not_estimable');
    expect(report.levels[0]!.level).toBe('FW-BAD');
    for (const l of report.levels) if (l.ratio !== null) expect(Number.isFinite(l.ratio)).toBe(true);
  });

  it('reports a level that cannot be told apart from another factor as aliased', () => {
    const cells = confoundedFleet();
    // FW-ONLY shipped only in batch B-ONLY and B-ONLY only with FW-ONLY: their effects are not separable.
    cells.push({ levels: { model: 'M-1', batch: 'B-ONLY', firmware: 'FW-ONLY' }, exposure: 300_000, events: 40 });
    const report = adjustedCauses('batch', cells);
    expect(report.levels.find((l) => l.level === 'B-ONLY')).toMatchObject({ status: 'aliased', verdict: 'not_estimable', ratio: null });
  });
});
