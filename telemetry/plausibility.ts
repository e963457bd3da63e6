import { toBigInt, type Uint64 } from '../core/contracts/uint64.ts';

/**
 * The plausibility rules of a telemetry sample, pure so the Kafka door (ingest) and the HTTP gateway apply the same
 * code. Each rule answers the reason a value is implausible, naming the field, or null when it is fine.
 */

export interface PlausibilityRules {
  /** How far in the future (ms) an instant may be: agents' clocks drift. */
  futureSkewMs: number;
  /** How far below the unit's known maximum (fraction of it) a lifetime counter may read before it is a rollback. */
  counterTolerance: number;
}

/** No wearwatch-era drive reported before this; an earlier instant is an unset clock or a forgery. */
const earliestPlausible = '2000-01-01T00:00:00.000Z';
const earliestPlausibleMs = Date.parse(earliestPlausible);

/** Why `iso` cannot be the time of an event observed by `now`, or null when it can. */
export function instantProblem(field: string, iso: string, now: Date, rules: Pick<PlausibilityRules, 'futureSkewMs'>, ms = Date.parse(iso)): string | null {
  if (ms < earliestPlausibleMs) return `${field}: ${iso} is before ${earliestPlausible.slice(0, 10)}`;
  if (ms > now.getTime() + rules.futureSkewMs) {
    return `${field}: ${iso} is more than ${describeMs(rules.futureSkewMs)} in the future (now ${now.toISOString()})`;
  }
  return null;
}

const describeMs = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${ms} ms`);

/** The counters a drive only ever increments over its life. */
const lifetimeCounters = ['host_bytes_written', 'power_on_hours', 'power_cycles', 'avg_pe_cycles'] as const;
type LifetimeCounter = (typeof lifetimeCounters)[number];

/**
 * What the accepted samples of a unit established: the newest collection time and each counter's maximum (0: none),
 * exact as bigint because bytes written pass 2^53 on busy drives.
 */
export interface KnownReadings {
  latestAtMs: number;
  maxima: Record<LifetimeCounter, bigint>;
}

export const noReadings = (): KnownReadings => ({
  latestAtMs: Number.NEGATIVE_INFINITY,
  maxima: { host_bytes_written: 0n, power_on_hours: 0n, power_cycles: 0n, avg_pe_cycles: 0n },
});

export type CounterSample = { collected_at: string } & Partial<Record<LifetimeCounter, Uint64 | null>>;

/** The tolerance as parts per million, so the comparison stays in exact integers. */
const ppm = 1_000_000n;

/**
 * Why a sample that would become the unit's newest reading lowers a lifetime counter beyond the tolerance, or null.
 * A sample older than the newest known one never becomes the reading, so a late sample with smaller counters is
 * history, not a rollback.
 */
export function rollbackProblem(
  sample: CounterSample,
  known: KnownReadings,
  rules: Pick<PlausibilityRules, 'counterTolerance'>,
  atMs = Date.parse(sample.collected_at),
): string | null {
  if (atMs < known.latestAtMs) return null;
  const kept = BigInt(Math.round((1 - rules.counterTolerance) * 1_000_000));
  for (const counter of lifetimeCounters) {
    const value = toBigInt(sample[counter]);
    const max = known.maxima[counter];
    if (value === undefined || max === 0n) continue;
    if (value * ppm < max * kept) {
      return `${counter}: ${value} is below the unit's known maximum ${max} by more than ${rules.counterTolerance * 100} % (a counter rollback, reset or drive swap)`;
    }
  }
  return null;
}

/** Folds an accepted sample into what is known, so the next sample of the same batch is checked against it. */
export function withSample(known: KnownReadings, sample: CounterSample, atMs = Date.parse(sample.collected_at)): KnownReadings {
  const maxima = { ...known.maxima };
  for (const counter of lifetimeCounters) {
    const value = toBigInt(sample[counter]) ?? 0n;
    if (value > maxima[counter]) maxima[counter] = value;
  }
  return { latestAtMs: Math.max(known.latestAtMs, atMs), maxima };
}

/** One enrolment of a unit: from `atMs` on it belongs to `fleet`. */
export interface EnrolmentSpan {
  atMs: number;
  fleet: string;
}

/**
 * The fleet a unit belonged to at `atMs`: the last enrolment at or before it. A sample older than the first enrolment
 * (an agent installed before the enrolment was recorded) belongs to the first enrolment's fleet. Undefined: never enrolled.
 */
export function ownerAt(enrolments: readonly EnrolmentSpan[], atMs: number): string | undefined {
  // One pass, no sort: the door asks this for every sample. Among spans at the same instant the later one listed wins.
  let owner: EnrolmentSpan | undefined;
  let first: EnrolmentSpan | undefined;
  for (const e of enrolments) {
    if (first === undefined || e.atMs < first.atMs) first = e;
    if (e.atMs <= atMs && (owner === undefined || e.atMs >= owner.atMs)) owner = e;
  }
  return (owner ?? first)?.fleet;
}

/** The rules as configured (TELEMETRY_FUTURE_SKEW_HOURS, TELEMETRY_COUNTER_TOLERANCE_PCT). */
export const plausibilityRules = (config: { TELEMETRY_FUTURE_SKEW_HOURS: number; TELEMETRY_COUNTER_TOLERANCE_PCT: number }): PlausibilityRules => ({
  futureSkewMs: config.TELEMETRY_FUTURE_SKEW_HOURS * 3_600_000,
  counterTolerance: config.TELEMETRY_COUNTER_TOLERANCE_PCT / 100,
});
