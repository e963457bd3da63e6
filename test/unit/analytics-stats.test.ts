import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankCauses } from '../../analytics/causes.ts';
import { gammaP, gammaQuantile, poissonMeanInterval, poissonTwoSidedP, standardizedRatio } from '../../analytics/stats.ts';

describe('exact Poisson statistics', () => {
  it('matches published Garwood intervals', () => {
    // Reference values (e.g. Ulm 1990 tables): 0 → [0, 3.689], 1 → [0.0253, 5.572], 10 → [4.795, 18.39].
    const cases: [number, number, number][] = [
      [0, 0, 3.6889],
      [1, 0.0253, 5.5716],
      [10, 4.7954, 18.3904],
    ];
    for (const [n, lo, hi] of cases) {
      const ci = poissonMeanInterval(n);
      expect(ci.lower).toBeCloseTo(lo, 3);
      expect(ci.upper).toBeCloseTo(hi, 3);
    }
  });

  it('inverts the incomplete gamma function', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 500, noNaN: true }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), (a, p) => {
        expect(gammaP(a, gammaQuantile(p, a))).toBeCloseTo(p, 6);
      }),
    );
  });

  it('gives a p-value of 1 at the expectation and a tiny one far from it', () => {
    expect(poissonTwoSidedP(5, 5)).toBeGreaterThan(0.9);
    expect(poissonTwoSidedP(30, 5)).toBeLessThan(1e-8);
    expect(poissonTwoSidedP(0, 20)).toBeLessThan(1e-8);
  });

  it('puts the standardized ratio inside its interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.double({ min: 0.1, max: 200, noNaN: true }), (o, e) => {
        const r = standardizedRatio(o, e);
        expect(r.lower).toBeLessThanOrEqual(r.ratio + 1e-12);
        expect(r.upper).toBeGreaterThanOrEqual(r.ratio);
      }),
    );
  });
});

describe('cause ranking', () => {
  it('compares a level with the rest of the fleet model by model, so a fragile model does not blame its firmware', () => {
    // FW-A runs only on a fragile model whose other firmware fails just as often: no excess.
    // FW-C runs on a sturdy model and fails 5x as often as that model's other firmware: excess.
    const report = rankCauses('firmware', [
      { level: 'FW-A', model: 'fragile', drive_days: 10_000, failures: 20 },
      { level: 'FW-B', model: 'fragile', drive_days: 10_000, failures: 20 },
      { level: 'FW-B', model: 'sturdy', drive_days: 100_000, failures: 10 },
      { level: 'FW-C', model: 'sturdy', drive_days: 20_000, failures: 10 },
    ]);
    const byLevel = Object.fromEntries(report.levels.map((l) => [l.level, l]));
    expect(report.levels[0]!.level).toBe('FW-C');
    expect(byLevel['FW-C']!.ratio).toBeCloseTo(10 / (20_000 * (10 / 100_000)), 10);
    expect(byLevel['FW-C']!.verdict).toBe('higher');
    expect(byLevel['FW-A']!.ratio).toBeCloseTo(1, 10);
    expect(byLevel['FW-A']!.verdict).toBe('no_evidence');
    for (const l of report.levels) expect(l.q).toBeGreaterThanOrEqual(l.p);
  });
});

describe('cause ranking without a baseline', () => {
  it('keeps the ratio finite when the rest of the fleet never failed', () => {
    const report = rankCauses('model', [
      { level: 'fails', model: 'fails', drive_days: 1000, failures: 12 },
      { level: 'never', model: 'never', drive_days: 100_000, failures: 0 },
    ]);
    expect(report.levels[0]!.level).toBe('fails');
    expect(report.levels[0]!.verdict).toBe('higher');
    expect(report.levels[0]!.expected).toBeCloseTo((1000 * 0.5) / 100_000, 12);
  });
});
