import { isoFromDay } from '../core/calendar.ts';
import { type Catalog, loadCatalog } from '../core/catalog/load.ts';
import { Rng } from '../core/random.ts';
import { isoInstant, SECONDS_PER_DAY } from './calendar.ts';
import { type ClaimPlan, type ClaimStep, planClaim, refusalReasons } from './claims.ts';
import { type DriveSpec, planFleet, planReplacement } from './fleet.ts';
import { firmwareReleases } from './profiles.ts';
import { type GroundTruth, TruthRecorder } from './truth.ts';
import { type DriveState, enrollmentEvent, fastForward, liveOneDay, newState, type SimEvent, telemetryEvent, wearOf } from './unit.ts';

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
