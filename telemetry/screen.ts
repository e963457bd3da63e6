import {
  type CounterSample,
  type EnrolmentSpan,
  instantProblem,
  type KnownReadings,
  noReadings,
  ownerAt,
  type PlausibilityRules,
  rollbackProblem,
  withSample,
} from './plausibility.ts';

/** What the door knows about a batch's serials before deciding: their enrolments and their accepted readings. */
export interface DoorFacts {
  enrolments: Map<string, EnrolmentSpan[]>;
  known: Map<string, KnownReadings>;
}

/** unwritable: ClickHouse rejected the sample's content when a held sample was attributed. */
export type ReasonCode = 'implausible_instant' | 'unenrolled' | 'other_fleet' | 'counter_rollback' | 'unwritable';

/**
 * accept: the sample counts for its unit. hold: the serial is not enrolled yet; kept apart until an enrolment in the
 * sample's fleet attributes it. quarantine: kept for review, never the unit's reading. reject: not a plausible
 * observation at all (dead-lettered, and kept for review too).
 */
export type Verdict = { kind: 'accept' } | { kind: 'hold' | 'quarantine' | 'reject'; code: ReasonCode; reason: string };

export type ScreenedSample = CounterSample & { serial: string; fleet_id: string };

/**
 * Decides every sample of a batch, in the batch's order. Samples of one serial are judged oldest first against what
 * the unit's accepted samples established, each accepted one raising the bar for the next, so a batch cannot roll a
 * counter back any more than a later batch can.
 */
export function screenSamples(samples: readonly ScreenedSample[], facts: DoorFacts, rules: PlausibilityRules, now: Date): Verdict[] {
  const verdicts: Verdict[] = new Array(samples.length);
  const known = new Map(facts.known);
  // Each instant is parsed once: sorting alone would parse it at every comparison.
  const atMs = samples.map((s) => Date.parse(s.collected_at));
  const order = samples.map((_, i) => i).sort((a, b) => atMs[a]! - atMs[b]!);
  for (const i of order) {
    const sample = samples[i]!;
    verdicts[i] = judge(sample, atMs[i]!, facts, known, rules, now);
    if (verdicts[i].kind === 'accept') known.set(sample.serial, withSample(known.get(sample.serial) ?? noReadings(), sample, atMs[i]));
  }
  return verdicts;
}

function judge(sample: ScreenedSample, atMs: number, facts: DoorFacts, known: Map<string, KnownReadings>, rules: PlausibilityRules, now: Date): Verdict {
  const instant = instantProblem('collected_at', sample.collected_at, now, rules, atMs);
  if (instant) return { kind: 'reject', code: 'implausible_instant', reason: instant };
  const owner = ownerAt(facts.enrolments.get(sample.serial) ?? [], atMs);
  if (owner === undefined) {
    return { kind: 'hold', code: 'unenrolled', reason: `serial: ${sample.serial} is not enrolled; held until it is enrolled in fleet ${sample.fleet_id}` };
  }
  if (owner !== sample.fleet_id) {
    return { kind: 'quarantine', code: 'other_fleet', reason: `fleet_id: ${sample.serial} belonged to another fleet at ${sample.collected_at}` };
  }
  const rollback = rollbackProblem(sample, known.get(sample.serial) ?? noReadings(), rules, atMs);
  return rollback ? { kind: 'quarantine', code: 'counter_rollback', reason: rollback } : { kind: 'accept' };
}
