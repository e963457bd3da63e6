/**
 * Exact Poisson statistics for failure counts. Failures are rare events counted over exposure (drive-days), so the
 * count is Poisson; exact (Garwood) intervals stay honest at the small counts a single firmware or batch produces,
 * where normal approximations claim certainty they do not have.
 */

const lanczos = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = 0.99999999999980993;
  for (const [i, c] of lanczos.entries()) sum += c / (z + i + 1);
  const t = z + lanczos.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Regularized lower incomplete gamma P(a, x): series below a + 1, continued fraction above (Numerical Recipes 6.2). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.min(1, sum * Math.exp(logPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.max(0, 1 - Math.exp(logPrefix) * h);
}

/** The x with P(a, x) = p, by bisection (monotone in x, so it always converges). */
export function gammaQuantile(p: number, a: number): number {
  let lo = 0;
  let hi = Math.max(1, a);
  while (gammaP(a, hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(a, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Exact (Garwood) confidence interval for the mean of a Poisson count. */
export function poissonMeanInterval(observed: number, level = 0.95): { lower: number; upper: number } {
  const alpha = 1 - level;
  return {
    lower: observed === 0 ? 0 : gammaQuantile(alpha / 2, observed),
    upper: gammaQuantile(1 - alpha / 2, observed + 1),
  };
}

/** Two-sided exact p-value of observing `observed` events when `expected` were expected (doubled smaller tail). */
export function poissonTwoSidedP(observed: number, expected: number): number {
  if (expected <= 0) return observed === 0 ? 1 : 0;
  const atMost = 1 - gammaP(observed + 1, expected);
  const atLeast = observed === 0 ? 1 : gammaP(observed, expected);
  return Math.min(1, 2 * Math.min(atMost, atLeast));
}

export interface RateRatio {
  ratio: number;
  lower: number;
  upper: number;
  p: number;
}

/** Observed ÷ expected failures with its exact interval; the expected count is treated as known (a large baseline). */
export function standardizedRatio(observed: number, expected: number, level = 0.95): RateRatio {
  if (expected <= 0) return { ratio: Number.NaN, lower: Number.NaN, upper: Number.NaN, p: 1 };
  const { lower, upper } = poissonMeanInterval(observed, level);
  return { ratio: observed / expected, lower: lower / expected, upper: upper / expected, p: poissonTwoSidedP(observed, expected) };
}

/** Annualised failure rate in percent: failures per drive-year. */
export function afrPercent(failures: number, driveDays: number): number {
  return driveDays > 0 ? (failures / driveDays) * 365 * 100 : 0;
}
