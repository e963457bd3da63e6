import jStat from 'jstat';
import { inverse, Matrix, solve } from 'ml-matrix';

/** One aggregated exposure cell: failures over drive-days for one combination of factor levels. */
export interface PoissonCell {
  levels: Record<string, string>;
  events: number;
  exposure: number;
}

/**
 * How a level entered the model: its own coefficient, the baseline, pooled with other sparse levels, not separable from
 * another factor, or its own coefficient without a single failure (no finite estimate: the prior alone bounds it).
 */
export type LevelStatus = 'estimated' | 'reference' | 'pooled' | 'aliased' | 'no_failures';

interface LevelEstimate {
  factor: string;
  level: string;
  /** The coefficient this level's cells use: itself, the pooled group, or the reference. */
  term: string;
  status: LevelStatus;
  exposure: number;
  events: number;
  /** Failures this level's cells would have had at the fitted rates of everything else with this level at the reference. */
  expected: number;
  ratio: number | null;
  lower: number | null;
  upper: number | null;
}

export interface FactorTest {
  factor: string;
  /** Likelihood-ratio statistic: deviance without the factor minus deviance with it. */
  chi2: number;
  df: number;
  p: number;
}

export interface PoissonFit {
  levels: LevelEstimate[];
  /** Fitted events per unit of exposure for a combination of levels; a level not seen in fitting counts as the reference. */
  rate(levels: Record<string, string>): number;
  tests: FactorTest[];
  deviance: number;
  iterations: number;
  converged: boolean;
}

export interface PoissonOptions {
  /** A level is pooled when both its failures and its failures expected at its models' rates are below this. */
  minEvents?: number;
  confidence?: number;
}

const pooledLevel = 'pooled sparse levels';

/**
 * Prior standard deviation of each log rate ratio (a weakly informative normal prior, i.e. a ridge penalty): ratios
 * beyond e^±5 are implausible for one factor level, and the penalty keeps a level whose cells are all failures or all
 * survivals (quasi-separation) at a finite estimate with an honest, wide interval instead of 10^7 [0, ∞].
 */
const priorSd = 2;

interface Design {
  /** Column names; column 0 is the intercept. */
  columns: string[];
  /** Per cell: indices of its non-zero (= 1) columns. */
  rows: number[][];
  offsets: number[];
  events: number[];
}

interface Coding {
  factor: string;
  /** level → term (itself, the pooled group or the reference) */
  termOf: Map<string, string>;
  reference: string;
  statusOf: Map<string, LevelStatus>;
}

/**
 * Level coding of one factor: sparse levels (few failures and few expected) share one pooled coefficient, so a level
 * with 0.2 expected failures never gets a ratio of its own; the reference is the level with the largest exposure (and
 * at least one failure), so every ratio is against the best-measured baseline.
 */
function codeFactor(factor: string, cells: PoissonCell[], baseline: (c: PoissonCell) => number, minEvents: number, parent?: string): Coding {
  const totals = new Map<string, { exposure: number; events: number; expected: number; parents: Set<string> }>();
  for (const c of cells) {
    const level = c.levels[factor] ?? 'unknown';
    const t = totals.get(level) ?? { exposure: 0, events: 0, expected: 0, parents: new Set<string>() };
    t.exposure += c.exposure;
    t.events += c.events;
    t.expected += c.exposure * baseline(c);
    if (parent && parent !== factor) t.parents.add(c.levels[parent] ?? 'unknown');
    totals.set(level, t);
  }
  const sparse = (t: { events: number; expected: number }) => t.events < minEvents && t.expected < minEvents;
  const ranked = [...totals].sort((a, b) => b[1].exposure - a[1].exposure || a[0].localeCompare(b[0]));
  // A baseline without failures would make every other ratio infinite: the reference must have some.
  const reference = (ranked.find(([, t]) => !sparse(t) && t.events > 0) ?? ranked.find(([, t]) => !sparse(t)) ?? ranked[0]!)[0];
  const termOf = new Map<string, string>();
  const statusOf = new Map<string, LevelStatus>();
  const pools = poolGroups(ranked.filter(([level, t]) => level !== reference && sparse(t)).map(([level, t]) => ({ level, parents: t.parents })));
  for (const [level, t] of ranked) {
    const status: LevelStatus = level === reference ? 'reference' : sparse(t) ? 'pooled' : 'estimated';
    statusOf.set(level, status);
    termOf.set(level, status === 'pooled' ? pools.get(level)! : level);
  }
  return { factor, termOf, reference, statusOf };
}

/**
 * Sparse levels are pooled with the sparse levels they share models with (connected through common models), not across
 * the whole fleet: a new NVMe firmware and a new TF-card firmware pooled together would tie two product lines' firmware
 * comparisons to each other. Each pool is named by its first models.
 */
function poolGroups(levels: { level: string; parents: Set<string> }[]): Map<string, string> {
  const group = levels.map((_, i) => i);
  const find = (i: number): number => (group[i] === i ? i : (group[i] = find(group[i]!)));
  const firstWith = new Map<string, number>();
  levels.forEach(({ parents }, i) => {
    for (const p of parents) {
      const j = firstWith.get(p);
      if (j === undefined) firstWith.set(p, i);
      else group[find(i)] = find(j);
    }
  });
  const members = new Map<number, Set<string>>();
  levels.forEach(({ parents }, i) => {
    const set = members.get(find(i)) ?? new Set<string>();
    for (const p of parents) set.add(p);
    members.set(find(i), set);
  });
  const name = (root: number) => {
    const parents = [...(members.get(root) ?? [])].sort();
    return parents.length === 0 ? pooledLevel : `${pooledLevel} (${parents.slice(0, 2).join(', ')}${parents.length > 2 ? ', …' : ''})`;
  };
  return new Map(levels.map(({ level }, i) => [level, name(find(i))]));
}

const termKey = (factor: string, term: string) => `${factor}=${term}`;

function buildDesign(cells: PoissonCell[], codings: Coding[]): Design {
  const columns = ['(intercept)'];
  const index = new Map<string, number>();
  const exposureOf = new Map<string, number>();
  for (const c of cells) {
    for (const coding of codings) {
      const key = termKey(coding.factor, coding.termOf.get(c.levels[coding.factor] ?? 'unknown')!);
      exposureOf.set(key, (exposureOf.get(key) ?? 0) + c.exposure);
    }
  }
  for (const coding of codings) {
    // Smallest exposure first: when a factor is nested in an earlier one (firmware within a product line's models),
    // the column left out as aliased is then the best-measured level of its group, which becomes the group's baseline.
    const terms = [...new Set(coding.termOf.values())].sort(
      (a, b) => (exposureOf.get(termKey(coding.factor, a)) ?? 0) - (exposureOf.get(termKey(coding.factor, b)) ?? 0) || a.localeCompare(b),
    );
    for (const term of terms) {
      if (term === coding.reference) continue;
      index.set(termKey(coding.factor, term), columns.length);
      columns.push(termKey(coding.factor, term));
    }
  }
  const rows = cells.map((c) => {
    const cols = [0];
    for (const coding of codings) {
      const term = coding.termOf.get(c.levels[coding.factor] ?? 'unknown')!;
      const col = index.get(termKey(coding.factor, term));
      if (col !== undefined) cols.push(col);
    }
    return cols;
  });
  return { columns, rows, offsets: cells.map((c) => Math.log(c.exposure)), events: cells.map((c) => c.events) };
}

/** Σ w·xᵢxⱼ over cells, with each row's handful of indicator columns (the design is sparse; only the solve is dense). */
function weightedGram(design: Design, keep: number[], weights: number[]): Matrix {
  const position = new Map(keep.map((col, i) => [col, i]));
  const gram = Matrix.zeros(keep.length, keep.length);
  design.rows.forEach((row, r) => {
    const cols = row.map((c) => position.get(c)).filter((c): c is number => c !== undefined);
    for (const a of cols) for (const b of cols) gram.set(a, b, gram.get(a, b) + weights[r]!);
  });
  return gram;
}

/**
 * Columns that are not linear combinations of earlier ones (e.g. a firmware that only ever shipped in one batch cannot
 * be told apart from that batch): such a column is dropped and its level reported as aliased, instead of letting the
 * fit split the effect arbitrarily between them.
 */
function independentColumns(design: Design): number[] {
  const gram = weightedGram(
    design,
    design.columns.map((_, i) => i),
    design.rows.map(() => 1),
  );
  const keep: number[] = [];
  for (let j = 0; j < design.columns.length; j++) {
    const diag = gram.get(j, j);
    if (diag === 0) continue;
    if (keep.length > 0) {
      const gSS = gram.selection(keep, keep);
      const gSj = gram.selection(keep, [j]);
      const residual = diag - gSj.transpose().mmul(solve(gSS, gSj)).get(0, 0);
      if (residual / diag < 1e-9) continue;
    }
    keep.push(j);
  }
  return keep;
}

interface IrlsResult {
  beta: number[];
  covariance: Matrix;
  mu: number[];
  deviance: number;
  iterations: number;
  converged: boolean;
}

function poissonDeviance(events: number[], mu: number[]): number {
  return 2 * events.reduce((s, y, i) => s + (y > 0 ? y * Math.log(y / mu[i]!) : 0) - (y - mu[i]!), 0);
}

/** Iteratively reweighted least squares for log μ = offset + Xβ (the Poisson GLM's Fisher scoring). */
function irls(design: Design, keep: number[]): IrlsResult {
  const totalEvents = design.events.reduce((s, y) => s + y, 0);
  const totalExposure = design.offsets.reduce((s, o) => s + Math.exp(o), 0);
  const beta = keep.map((c) => (c === 0 ? Math.log(Math.max(totalEvents, 0.5) / totalExposure) : 0));
  const position = new Map(keep.map((col, i) => [col, i]));
  const eta = () => design.rows.map((row, r) => design.offsets[r]! + row.reduce((s, c) => s + (position.has(c) ? beta[position.get(c)!]! : 0), 0));
  let mu = eta().map(Math.exp);
  let deviance = poissonDeviance(design.events, mu);
  let iterations = 0;
  let converged = false;
  let gram = weightedGram(design, keep, mu);
  while (iterations < 50 && !converged) {
    iterations++;
    // Score step: (X'WX) δ = X'(y − μ), W = μ.
    const score = Matrix.zeros(keep.length, 1);
    design.rows.forEach((row, r) => {
      for (const c of row) {
        const i = position.get(c);
        if (i !== undefined) score.set(i, 0, score.get(i, 0) + design.events[r]! - mu[r]!);
      }
    });
    penalize(gram, score, beta, keep);
    const step = solve(gram, score);
    for (let i = 0; i < beta.length; i++) beta[i] = beta[i]! + Math.max(-5, Math.min(5, step.get(i, 0)));
    mu = eta().map((e) => Math.exp(Math.min(e, 700)));
    const next = poissonDeviance(design.events, mu);
    converged = Math.abs(next - deviance) < 1e-8 * (Math.abs(next) + 0.1);
    deviance = next;
    gram = weightedGram(design, keep, mu);
  }
  penalize(gram, Matrix.zeros(keep.length, 1), beta, keep);
  return { beta, covariance: inverse(gram), mu, deviance, iterations, converged };
}

/** Adds the prior's curvature and pull toward 0 (no effect) to the information matrix and the score; not the intercept. */
function penalize(gram: Matrix, score: Matrix, beta: number[], keep: number[]): void {
  const precision = 1 / (priorSd * priorSd);
  keep.forEach((col, i) => {
    if (col === 0) return;
    gram.set(i, i, gram.get(i, i) + precision);
    score.set(i, 0, score.get(i, 0) - precision * beta[i]!);
  });
}

/**
 * Multivariable Poisson regression of failures on drive-days (log offset) with one set of indicator terms per factor.
 * Every ratio is adjusted for all the other factors at once, so a harmless firmware that mostly shipped on a bad batch
 * is measured against drives of the same batch, model, age and temperature. Zero-failure levels that are not sparse
 * have no finite maximum-likelihood estimate (separation): the prior keeps the fit finite and they are not judged.
 */
export function fitPoisson(cells: PoissonCell[], factors: string[], options: PoissonOptions = {}): PoissonFit {
  const minEvents = options.minEvents ?? 3;
  const confidence = options.confidence ?? 0.95;
  const used = cells.filter((c) => c.exposure > 0);
  // No drive-days at all (a new installation, a filter that matches nothing): nothing to estimate, nothing to test.
  if (used.length === 0) return { levels: [], rate: () => 0, tests: [], deviance: 0, iterations: 0, converged: true };
  // "Expected" for pooling: at the failure rate of the cell's level of the first factor (the model), so a large
  // failure-free product line elsewhere does not make every level of this one look sparse.
  const byFirst = new Map<string, { events: number; exposure: number }>();
  for (const c of used) {
    const key = c.levels[factors[0] ?? ''] ?? '';
    const t = byFirst.get(key) ?? { events: 0, exposure: 0 };
    t.events += c.events;
    t.exposure += c.exposure;
    byFirst.set(key, t);
  }
  const fleetRate =
    used.reduce((s, c) => s + c.events, 0) /
    Math.max(
      1e-9,
      used.reduce((s, c) => s + c.exposure, 0),
    );
  const byParent = (c: PoissonCell) => {
    const t = byFirst.get(c.levels[factors[0] ?? ''] ?? '')!;
    return t.events / t.exposure;
  };
  const codings = factors.map((f, i) => {
    // The first factor itself is judged against the fleet's rate (its own would make every level look as expected).
    const coding = i === 0 ? codeFactor(f, used, () => fleetRate, minEvents) : codeFactor(f, used, byParent, minEvents, factors[0]);
    // A well-measured level without a single failure keeps its own column (pooling it with sparse levels of other
    // product lines would tie them together); its maximum-likelihood ratio is 0 (separation), so it is not judged.
    for (const [level, status] of coding.statusOf) {
      const events = used.filter((c) => (c.levels[f] ?? 'unknown') === level).reduce((s, c) => s + c.events, 0);
      if (status === 'estimated' && events === 0) coding.statusOf.set(level, 'no_failures');
    }
    return coding;
  });
  const design = buildDesign(used, codings);
  const keep = independentColumns(design);
  const full = irls(design, keep);
  const z = jStat.normal.inv(1 - (1 - confidence) / 2, 0, 1);

  const tests = codings.map((coding) => {
    const cols = keep.filter((c) => design.columns[c]!.startsWith(`${coding.factor}=`));
    if (cols.length === 0) return { factor: coding.factor, chi2: 0, df: 0, p: 1 };
    const reduced = irls(
      design,
      keep.filter((c) => !cols.includes(c)),
    );
    const chi2 = Math.max(0, reduced.deviance - full.deviance);
    return { factor: coding.factor, chi2, df: cols.length, p: 1 - jStat.chisquare.cdf(chi2, cols.length) };
  });

  const levels = codings.flatMap((coding) =>
    [...coding.statusOf].map(([level, codedStatus]): LevelEstimate => {
      const own = used.map((c, i) => ({ c, i })).filter(({ c }) => (c.levels[coding.factor] ?? 'unknown') === level);
      const events = own.reduce((s, { c }) => s + c.events, 0);
      const exposure = own.reduce((s, { c }) => s + c.exposure, 0);
      const term = coding.termOf.get(level)!;
      const col = design.columns.indexOf(termKey(coding.factor, term));
      const at = keep.indexOf(col);
      const status: LevelStatus = codedStatus === 'reference' ? 'reference' : col >= 0 && at < 0 ? 'aliased' : codedStatus;
      const b = at >= 0 ? full.beta[at]! : 0;
      const fitted = own.reduce((s, { i }) => s + full.mu[i]!, 0);
      const expected = fitted / Math.exp(b);
      if (status === 'aliased' || status === 'no_failures')
        return { factor: coding.factor, level, term, status, exposure, events, expected, ratio: null, lower: null, upper: null };
      if (at < 0) return { factor: coding.factor, level, term, status, exposure, events, expected, ratio: 1, lower: null, upper: null };
      const se = Math.sqrt(full.covariance.get(at, at));
      return {
        factor: coding.factor,
        level,
        term,
        status,
        exposure,
        events,
        expected,
        ratio: Math.exp(b),
        lower: Math.exp(b - z * se),
        upper: Math.exp(b + z * se),
      };
    }),
  );
  const coefficient = new Map(keep.map((col, i) => [design.columns[col]!, full.beta[i]!]));
  const rate = (levels: Record<string, string>) =>
    Math.exp(
      (coefficient.get('(intercept)') ?? 0) +
        codings.reduce((s, coding) => {
          const term = coding.termOf.get(levels[coding.factor] ?? 'unknown');
          return s + (term === undefined ? 0 : (coefficient.get(termKey(coding.factor, term)) ?? 0));
        }, 0),
    );
  return { levels, rate, tests, deviance: full.deviance, iterations: full.iterations, converged: full.converged };
}
