import type { ClaimOutcome } from './claims.ts';
import type { DriveSpec } from './fleet.ts';

interface RateRow {
  units: number;
  unit_days: number;
  failures: number;
  /** Failures whose owner filed a claim (what RMA data can see). */
  claimed_failures: number;
  /** Annualised failure rate in %: failures per unit-year of exposure in the window. */
  afr_pct: number;
}

/**
 * What the simulation did, for tests and for checking what the analytics report: event counts per topic, failure rates
 * by firmware and batch (the planted bad ones named), and claims by outcome.
 */
export interface GroundTruth {
  seed: number;
  start: string;
  end: string;
  days: number;
  sample_every: number;
  events: { enrollment: number; telemetry: number; rma: number; total: number };
  units: { initial: number; replacements: number; by_fleet: Record<string, number> };
  failures: number;
  by_firmware: Record<string, RateRow & { line: string }>;
  bad_firmware: string[];
  bad_batches: (RateRow & { batch: string; line: string; hazard: number; line_afr_pct_excluding_batch: number })[];
  claims: {
    filed: number;
    closed: number;
    open: number;
    outcomes: Record<ClaimOutcome, number>;
  };
  replacements: { original: string; replacement: string; replaced_on: string; coverage_end: string }[];
}

type Counter = { units: Set<number>; unit_days: number; failures: number; claimed_failures: number };

export class TruthRecorder {
  readonly events = { enrollment: 0, telemetry: 0, rma: 0 };
  readonly byFleet: Record<string, number> = {};
  readonly outcomes: Partial<Record<ClaimOutcome, number>> = {};
  readonly replacements: GroundTruth['replacements'] = [];
  failures = 0;
  filed = 0;
  closed = 0;
  replacementUnits = 0;
  private readonly firmware = new Map<string, Counter & { line: string }>();
  private readonly batches = new Map<string, Counter & { line: string }>();
  /** Counters per unit index: the daily loop looks them up millions of times. */
  private readonly unitCounters: Counter[][] = [];

  enrolled(drive: DriveSpec): void {
    this.byFleet[drive.fleet.fleet_id] = (this.byFleet[drive.fleet.fleet_id] ?? 0) + 1;
    if (drive.replaces) this.replacementUnits++;
  }

  activeDay(drive: DriveSpec): void {
    for (const counter of this.countersOf(drive)) {
      counter.units.add(drive.index);
      counter.unit_days++;
    }
  }

  failed(drive: DriveSpec): void {
    this.failures++;
    for (const counter of this.countersOf(drive)) counter.failures++;
  }

  claimFiled(drive: DriveSpec, failed: boolean): void {
    this.filed++;
    if (failed) for (const counter of this.countersOf(drive)) counter.claimed_failures++;
  }

  claimClosed(outcome: ClaimOutcome): void {
    this.closed++;
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }

  summary(input: {
    seed: number;
    start: string;
    end: string;
    days: number;
    sample_every: number;
    initial: number;
    bad_batches: { line: string; batch: string; hazard: number }[];
    bad_firmware: string[];
    outcomeNames: readonly ClaimOutcome[];
  }): GroundTruth {
    const lineTotals = new Map<string, Counter>();
    for (const [, counter] of this.batches) {
      const total = lineTotals.get(counter.line) ?? { units: new Set(), unit_days: 0, failures: 0, claimed_failures: 0 };
      for (const unit of counter.units) total.units.add(unit);
      total.unit_days += counter.unit_days;
      total.failures += counter.failures;
      total.claimed_failures += counter.claimed_failures;
      lineTotals.set(counter.line, total);
    }
    const empty = (): Counter => ({ units: new Set(), unit_days: 0, failures: 0, claimed_failures: 0 });
    return {
      seed: input.seed,
      start: input.start,
      end: input.end,
      days: input.days,
      sample_every: input.sample_every,
      events: { ...this.events, total: this.events.enrollment + this.events.telemetry + this.events.rma },
      units: { initial: input.initial, replacements: this.replacementUnits, by_fleet: { ...this.byFleet } },
      failures: this.failures,
      by_firmware: Object.fromEntries([...this.firmware].sort(([a], [b]) => a.localeCompare(b)).map(([fw, c]) => [fw, { line: c.line, ...rate(c) }])),
      bad_firmware: input.bad_firmware,
      bad_batches: input.bad_batches.map((b) => {
        const batch = this.batches.get(b.batch) ?? empty();
        const line = lineTotals.get(b.line) ?? empty();
        const rest = { units: new Set<number>(), unit_days: line.unit_days - batch.unit_days, failures: line.failures - batch.failures, claimed_failures: 0 };
        return { ...b, ...rate(batch), line_afr_pct_excluding_batch: rate(rest).afr_pct };
      }),
      claims: {
        filed: this.filed,
        closed: this.closed,
        open: this.filed - this.closed,
        outcomes: Object.fromEntries(input.outcomeNames.map((o) => [o, this.outcomes[o] ?? 0])) as Record<ClaimOutcome, number>,
      },
      replacements: this.replacements,
    };
  }

  private countersOf(drive: DriveSpec): Counter[] {
    return (this.unitCounters[drive.index] ??= this.lookUpCounters(drive));
  }

  private lookUpCounters(drive: DriveSpec): Counter[] {
    const line = drive.model.product_line;
    const fw = this.firmware.get(drive.firmware) ?? { line, units: new Set(), unit_days: 0, failures: 0, claimed_failures: 0 };
    this.firmware.set(drive.firmware, fw);
    const batch = this.batches.get(drive.batch) ?? { line, units: new Set(), unit_days: 0, failures: 0, claimed_failures: 0 };
    this.batches.set(drive.batch, batch);
    return [fw, batch];
  }
}

function rate(counter: Counter): RateRow {
  const years = counter.unit_days / 365;
  return {
    units: counter.units.size,
    unit_days: counter.unit_days,
    failures: counter.failures,
    claimed_failures: counter.claimed_failures,
    afr_pct: years > 0 ? Math.round((counter.failures / years) * 10000) / 100 : 0,
  };
}
