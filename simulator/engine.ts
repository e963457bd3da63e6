import type { z } from 'zod';
import { isoFromDay } from '../core/calendar.ts';
import { type Catalog, loadCatalog } from '../core/catalog/load.ts';
import type { enrollment } from '../core/contracts/enrollment.ts';
import type { rmaEvent } from '../core/contracts/rma.ts';
import type { telemetrySample } from '../core/contracts/telemetry.ts';
import { Rng } from '../core/random.ts';
import { isoInstant, SECONDS_PER_DAY, yearFraction } from './calendar.ts';
import { type ClaimPlan, type ClaimStep, planClaim, refusalReasons } from './claims.ts';
import { type DriveSpec, planFleet, planReplacement } from './fleet.ts';
import { dailyFailureProbability } from './hazard.ts';
import { firmwareReleases, reportedFields } from './profiles.ts';
import { type GroundTruth, TruthRecorder } from './truth.ts';

export interface SimulationOptions {
  seed: number;
  /** Units in the fleets at the start (replacements come on top). */
  drives: number;
  /** Length of the backfill window in days, ending the day before `end`. */
  days: number;
  /** Day number (UTC days since 1970) at which the window ends, exclusive. */
  end: number;
  /** Emit a unit's telemetry every this many days (plus on excursions, failures, claims and the last day). */
  sampleEvery: number;
  catalog?: Catalog;
}

export type SimEvent =
  | { topic: 'enrollment'; key: string; value: z.input<typeof enrollment> }
  | { topic: 'telemetry'; key: string; value: z.input<typeof telemetrySample> }
  | { topic: 'rma'; key: string; value: z.input<typeof rmaEvent> };

/** One unit's running state: lifetime counters and where it is in its life. */
export interface DriveState {
  spec: DriveSpec;
  rng: Rng;
  host: number;
  nand: number;
  hours: number;
  cycles: number;
  unsafe: number;
  mediaErrors: number;
  excursions: number;
  temperature: number;
  status: 'active' | 'failed' | 'away';
  claimOpen: boolean;
  /** Day a repaired unit returns to service. */
  returnsOn?: number;
  /** Instant (seconds since 1970) of the unit's last telemetry sample. */
  lastSampleAt: number;
}

type AgendaItem = { state: DriveState; plan: ClaimPlan; step: ClaimStep; eventId: string; failed: boolean };

/**
 * The fleet clock: steps every unit through every day of the window in time order and yields each day's events
 * (enrolments first, then telemetry, then RMA steps). Deterministic for a seed and end day: no clock, no Math.random.
 */
export class FleetSimulation {
  readonly start: number;
  readonly catalog: Catalog;
  readonly truth = new TruthRecorder();
  private readonly states: DriveState[] = [];
  private readonly arrivals = new Map<number, DriveState[]>();
  private readonly agenda = new Map<number, AgendaItem[]>();
  private readonly plan;
  private nextIndex: number;
  private currentDay: number;

  constructor(readonly options: SimulationOptions) {
    if (!Number.isInteger(options.seed)) throw new RangeError('seed must be an integer');
    if (options.drives < 1 || options.days < 1 || options.sampleEvery < 1) throw new RangeError('drives, days and sampleEvery must be at least 1');
    this.catalog = options.catalog ?? loadCatalog();
    this.start = options.end - options.days;
    this.currentDay = this.start;
    this.plan = planFleet(this.catalog, options.seed, { drives: options.drives, start: this.start, end: options.end });
    this.nextIndex = this.plan.drives.length;
    for (const spec of this.plan.drives) this.arrive(newState(spec, options.seed), Math.max(spec.deployed, this.start));
  }

  /** Share of the window simulated so far, 0..1. */
  get progress(): number {
    return (this.currentDay - this.start) / this.options.days;
  }

  get day(): number {
    return this.currentDay;
  }

  /** Yields the events of each day of the window, in order. */
  *days(): Generator<SimEvent[]> {
    for (let day = this.start; day < this.options.end; day++) {
      this.currentDay = day;
      const events = this.simulateDay(day);
      for (const event of events) this.truth.events[event.topic]++;
      yield events;
    }
    this.currentDay = this.options.end;
  }

  /** Runs the whole window, discarding events: for the ground truth alone, or to reach the state live mode continues. */
  runToEnd(): this {
    for (const _events of this.days());
    return this;
  }

  groundTruth(): GroundTruth {
    return this.truth.summary({
      seed: this.options.seed,
      start: isoFromDay(this.start),
      end: isoFromDay(this.options.end),
      days: this.options.days,
      sample_every: this.options.sampleEvery,
      initial: this.plan.drives.length,
      bad_batches: this.plan.bad_batches,
      bad_firmware: Object.values(firmwareReleases).flatMap((releases) => releases.filter((r) => r.hazard > 1).map((r) => r.version)),
      outcomeNames: ['replaced', 'repaired', ...refusalReasons],
    });
  }

  /** Units reporting at the end of the window: what live mode keeps streaming. */
  activeUnits(): DriveState[] {
    return this.states.filter((s) => s.status === 'active');
  }

  private arrive(state: DriveState, day: number): void {
    const list = this.arrivals.get(day) ?? [];
    list.push(state);
    this.arrivals.set(day, list);
  }

  private simulateDay(day: number): SimEvent[] {
    const enrollments: SimEvent[] = [];
    const telemetry: SimEvent[] = [];
    const rma: SimEvent[] = [];

    for (const state of this.arrivals.get(day) ?? []) {
      if (state.spec.deployed < day) fastForward(state, day - state.spec.deployed);
      this.states.push(state);
      this.truth.enrolled(state.spec);
      enrollments.push(enrollmentEvent(state.spec));
    }
    this.arrivals.delete(day);

    const { sampleEvery } = this.options;
    const last = day === this.options.end - 1;
    for (const state of this.states) {
      if (state.status === 'away' && state.returnsOn === day) state.status = 'active';
      if (state.status !== 'active') continue;
      const { spec } = state;
      const outcome = liveOneDay(state, day);
      this.truth.activeDay(spec);
      const healthyClaim = !outcome.failed && !state.claimOpen && state.rng.chance(spec.fleet.healthy_claims_per_year / 365);
      const due = (day - this.start) % sampleEvery === spec.index % sampleEvery;
      if (due || last || outcome.excursion || outcome.failed || healthyClaim) {
        state.lastSampleAt = day * SECONDS_PER_DAY + spec.report_second;
        telemetry.push(telemetryEvent(state, outcome.failed));
      }
      if (outcome.failed) {
        state.status = 'failed';
        this.truth.failed(spec);
        if (!state.claimOpen && state.rng.chance(spec.fleet.claim_rate)) this.fileClaim(state, day + 1 + Math.round(state.rng.lognormal(3, 0.8)), true);
      } else if (healthyClaim) {
        this.fileClaim(state, day + 1, false);
      }
    }

    for (const item of this.agenda.get(day) ?? []) rma.push(this.performStep(item, day));
    this.agenda.delete(day);
    return [...enrollments, ...telemetry, ...rma];
  }

  /**
   * Files a claim unless its outcome would hinge on a detail the rules may legitimately read either way: a request
   * within days of the coverage end as decoded from a serial's week or month (a failed unit's owner then files late;
   * a healthy unit's owner does not file), or TBW / P/E use within 3 % of the rating.
   */
  private fileClaim(state: DriveState, requested: number, failed: boolean): void {
    const { spec } = state;
    const wear = wearOf(state);
    if (Math.abs(wear - 1) <= 0.03) return;
    if (Math.abs(requested - spec.coverage_end) <= spec.coverage_band) {
      if (!failed) return;
      requested = spec.coverage_end + spec.coverage_band + 1;
    }
    const rng = Rng.derive(this.options.seed, `claim:${spec.serial}:${requested}`);
    const plan = planClaim({ drive: spec, requested, wear, failed, excursions: state.excursions, rng });
    state.claimOpen = true;
    this.truth.claimFiled(spec, failed);
    for (const step of plan.steps) {
      const list = this.agenda.get(step.day) ?? [];
      list.push({ state, plan, step, eventId: rng.uuid(), failed });
      this.agenda.set(step.day, list);
    }
  }

  private performStep(item: AgendaItem, day: number): SimEvent {
    const { state, plan, step } = item;
    let replacement: DriveSpec | undefined;
    switch (step.event_type) {
      case 'received':
        if (state.status === 'active') state.status = 'away';
        break;
      case 'replaced': {
        const rng = Rng.derive(this.options.seed, `replacement:${state.spec.serial}`);
        replacement = planReplacement(this.catalog, this.options.seed, state.spec, this.nextIndex++, day, this.options.end, rng);
        this.arrive(newState(replacement, this.options.seed), replacement.deployed);
        this.truth.replacements.push({
          original: state.spec.serial,
          replacement: replacement.serial,
          replaced_on: isoFromDay(day),
          coverage_end: isoFromDay(replacement.coverage_end),
        });
        state.status = 'failed';
        break;
      }
      case 'repaired':
        // The repaired unit is covered for the longer of its remaining term and 90 days (policy II), through the end of day + 90.
        state.spec.coverage_end = Math.max(state.spec.coverage_end, day + 91);
        state.spec.coverage_band = 3;
        state.mediaErrors = 0;
        state.status = 'away';
        state.returnsOn = day + 3 + state.rng.int(4);
        break;
      case 'closed':
        state.claimOpen = false;
        this.truth.claimClosed(plan.outcome);
        // A refused healthy unit goes back to its owner and into service; failed ones stay out.
        if (state.status === 'away' && !item.failed) state.returnsOn = day + 3;
        break;
    }
    return {
      topic: 'rma',
      key: state.spec.serial,
      value: {
        schema: 'wearwatch.rma.v1',
        event_id: item.eventId,
        rma_number: plan.rma_number,
        serial: state.spec.serial,
        event_type: step.event_type,
        occurred_at: isoInstant(day, step.second),
        findings: step.findings,
        reasons: step.reasons,
        ...(replacement ? { replacement_serial: replacement.serial } : {}),
        details: step.details,
      },
    };
  }
}

function newState(spec: DriveSpec, seed: number): DriveState {
  return {
    spec,
    rng: Rng.derive(seed, `life:${spec.serial}`),
    host: 0,
    nand: 0,
    hours: 0,
    cycles: 0,
    unsafe: 0,
    mediaErrors: 0,
    excursions: 0,
    temperature: spec.fleet.temperature.base_c,
    status: 'active',
    claimOpen: false,
    lastSampleAt: spec.deployed * SECONDS_PER_DAY,
  };
}

/** Share of the rating used: host bytes over TBW for SSDs, average P/E cycles over the P/E rating for TF cards. */
function wearOf(state: DriveState): number {
  const { spec } = state;
  if (spec.rating <= 0) return 0;
  return spec.model.kind === 'ssd' ? state.host / spec.rating : state.nand / spec.capacity_bytes / spec.rating;
}

/** Mean of a lognormal day-to-day factor whose median is chosen so its mean is 1. */
const unitMean = (sigma: number) => Math.exp((-sigma * sigma) / 2);

/** Counters for the days a unit served before the window: the same mean rates, one draw instead of one per day. */
function fastForward(state: DriveState, days: number): void {
  const { spec, rng } = state;
  const fleet = spec.fleet;
  const written = days * spec.dwpd * spec.capacity_bytes * rng.lognormal(1, 0.05);
  state.host += written;
  state.nand += written * spec.waf;
  state.hours += days * fleet.hours_per_day;
  state.cycles += rng.poisson(days * fleet.power_cycles_per_day);
  state.unsafe += rng.poisson(days * fleet.unsafe_shutdowns_per_day);
}

/** One day of service: writes, hours, power events, temperature, and whether the unit fails today. */
function liveOneDay(state: DriveState, day: number): { failed: boolean; excursion: boolean } {
  const { spec, rng } = state;
  const fleet = spec.fleet;
  const written = spec.dwpd * spec.capacity_bytes * rng.lognormal(unitMean(fleet.daily_sigma), fleet.daily_sigma);
  state.host += written;
  state.nand += written * spec.waf;
  state.hours += Math.min(24, fleet.hours_per_day * rng.lognormal(1, 0.15));
  state.cycles += rng.poisson(fleet.power_cycles_per_day);
  state.unsafe += rng.poisson(fleet.unsafe_shutdowns_per_day);
  const t = fleet.temperature;
  const excursion = rng.chance(t.excursions_per_year / 365);
  state.temperature = excursion
    ? spec.model.temp_max_c + rng.uniform(1, 12)
    : t.base_c + t.seasonal_c * Math.sin(2 * Math.PI * (yearFraction(day) - 0.3)) + t.sigma_c * rng.normal();
  if (excursion) state.excursions++;
  const wear = wearOf(state);
  if (wear > 0.9 && rng.chance(0.02)) state.mediaErrors += 1 + rng.poisson(2);
  const failed = rng.chance(dailyFailureProbability({ kind: spec.model.kind, age_days: day - spec.deployed, wear, multiplier: spec.hazard, excursion }));
  if (failed && rng.chance(0.7)) state.mediaErrors += 5 + rng.poisson(20);
  return { failed, excursion };
}

/**
 * Advances a unit by a fraction of a day at its mean rates: live mode's step, where samples follow the wall clock.
 */
export function advance(state: DriveState, days: number): void {
  const { spec, rng } = state;
  const fleet = spec.fleet;
  const written = days * spec.dwpd * spec.capacity_bytes * rng.lognormal(unitMean(0.1), 0.1);
  state.host += written;
  state.nand += written * spec.waf;
  state.hours += days * fleet.hours_per_day;
  state.cycles += rng.poisson(days * fleet.power_cycles_per_day);
  state.unsafe += rng.poisson(days * fleet.unsafe_shutdowns_per_day);
  state.temperature = fleet.temperature.base_c + fleet.temperature.sigma_c * rng.normal();
}

function enrollmentEvent(spec: DriveSpec): SimEvent {
  return {
    topic: 'enrollment',
    key: spec.serial,
    value: {
      schema: 'wearwatch.enrollment.v1',
      serial: spec.serial,
      model: spec.model.model,
      fleet_id: spec.fleet.fleet_id,
      ...(spec.purchase_date !== undefined ? { purchase_date: isoFromDay(spec.purchase_date) } : {}),
      ...(spec.proof_of_purchase ? { proof_of_purchase: spec.proof_of_purchase } : {}),
      price_paid: spec.price_paid,
      currency: 'USD',
      enrolled_at: isoInstant(spec.deployed, spec.report_second),
    },
  };
}

/** A telemetry sample of the unit's current state, with the fields its product line reports. */
export function telemetryEvent(state: DriveState, failing = false, collectedAt = state.lastSampleAt): SimEvent & { topic: 'telemetry' } {
  const { spec } = state;
  const reported = reportedFields[spec.model.product_line] ?? [];
  const wear = wearOf(state);
  const spare = Math.max(0, Math.min(100, Math.round(100 - Math.max(0, wear - 0.6) * 60 - (failing ? 40 : 0))));
  const all = {
    host_bytes_written: Math.round(state.host),
    nand_bytes_written: Math.round(state.nand),
    avg_pe_cycles: Math.floor(state.nand / spec.capacity_bytes),
    percentage_used: Math.min(255, Math.floor(wear * 100)),
    available_spare_pct: spare,
    media_errors: state.mediaErrors,
    // NVMe critical warning bits: 0x01 spare below threshold, 0x04 reliability degraded.
    critical_warning: (failing ? 0x04 : 0) | (spare < 10 ? 0x01 : 0),
  };
  return {
    topic: 'telemetry',
    key: spec.serial,
    value: {
      schema: 'wearwatch.telemetry.v1',
      serial: spec.serial,
      fleet_id: spec.fleet.fleet_id,
      collected_at: new Date(collectedAt * 1000).toISOString(),
      model: spec.model.model,
      firmware: spec.firmware,
      ...Object.fromEntries(reported.map((field) => [field, all[field]])),
      power_on_hours: Math.floor(state.hours),
      power_cycles: state.cycles,
      unsafe_shutdowns: state.unsafe,
      temperature_c: Math.round(state.temperature),
      source: 'simulator',
    },
  };
}
