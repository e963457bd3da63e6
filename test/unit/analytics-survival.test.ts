import { describe, expect, it } from 'vitest';
import { atRiskAt, kaplanMeier, type Subject } from '../../analytics/survival.ts';

// Six drives watched from age 0: failures at 1, 3, 3 and 5; censored (still working when last seen) at 2 and 4.
const six: Subject[] = [
  { entry: 0, exit: 1, failed: true },
  { entry: 0, exit: 2, failed: false },
  { entry: 0, exit: 3, failed: true },
  { entry: 0, exit: 3, failed: true },
  { entry: 0, exit: 4, failed: false },
  { entry: 0, exit: 5, failed: true },
];

describe('Kaplan–Meier failure curves', () => {
  it('matches the hand-computed estimate, Greenwood variance and log-log band', () => {
    const points = kaplanMeier(six);
    expect(points.map((p) => [p.age_days, p.at_risk, p.failures])).toEqual([
      [1, 6, 1],
      [3, 4, 2],
      [5, 1, 1],
    ]);
    // S(1) = 5/6; S(3) = 5/6 × (1 − 2/4) = 0.41667; S(5) = 0.
    expect(points[0]!.failed_pct).toBeCloseTo(16.667, 2);
    expect(points[1]!.failed_pct).toBeCloseTo(58.333, 2);
    expect(points[2]!.failed_pct).toBeCloseTo(100, 6);
    // Σ d/(n(n−d)) = 1/30 + 2/8 = 0.28333; se of log(−log S) = √0.28333 / |ln 0.41667| = 0.60800;
    // S band = S^exp(±1.96 × 0.608) = [0.05598, 0.76654], so failed % in [23.35, 94.40].
    expect(points[1]!.lower_pct).toBeCloseTo(23.35, 1);
    expect(points[1]!.upper_pct).toBeCloseTo(94.4, 1);
  });

  it('counts a drive enrolled late only from its age at enrolment (left truncation)', () => {
    const points = kaplanMeier([...six, { entry: 2, exit: 4, failed: false }]);
    expect(points[0]).toMatchObject({ age_days: 1, at_risk: 6 });
    expect(points[1]).toMatchObject({ age_days: 3, at_risk: 5 });
    // S(3) = 5/6 × (1 − 2/5) = 0.5
    expect(points[1]!.failed_pct).toBeCloseTo(50, 6);
    expect(atRiskAt([...six, { entry: 2, exit: 4, failed: false }], [0, 2, 3])).toEqual([
      { age_days: 0, at_risk: 6 },
      { age_days: 2, at_risk: 5 },
      { age_days: 3, at_risk: 3 },
    ]);
  });
});
