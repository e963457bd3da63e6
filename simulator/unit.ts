import type { z } from 'zod';
import { isoFromDay } from '../core/calendar.ts';
import type { enrollment } from '../core/contracts/enrollment.ts';
import type { rmaEvent } from '../core/contracts/rma.ts';
import type { telemetrySample } from '../core/contracts/telemetry.ts';
import { Rng } from '../core/random.ts';
import { isoInstant, SECONDS_PER_DAY, yearFraction } from './calendar.ts';
import type { DriveSpec } from './fleet.ts';
import { dailyFailureProbability } from './hazard.ts';
import { precursors, reportedFields } from './profiles.ts';

/**
 * One unit's life, day by day: its running state, the wear, hours, power events and temperature a day of service adds
 * (and whether it fails), and the enrolment and telemetry events it reports. The fleet clock (engine.ts) drives it.
 */

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
  /** Day a degrading unit fails: set when a failure with precursors begins (see `precursors`). */
  failsOn?: number;
  /** Day a repaired unit returns to service. */
  returnsOn?: number;
  /** Instant (seconds since 1970) of the unit's last telemetry sample. */
  lastSampleAt: number;
}

export function newState(spec: DriveSpec, seed: number): DriveState {
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
export function wearOf(state: DriveState): number {
  const { spec } = state;
  if (spec.rating <= 0) return 0;
  return spec.model.kind === 'ssd' ? state.host / spec.rating : state.nand / spec.capacity_bytes / spec.rating;
}

/** Mean of a lognormal day-to-day factor whose median is chosen so its mean is 1. */
const unitMean = (sigma: number) => Math.exp((-sigma * sigma) / 2);

/** Counters for the days a unit served before the window: the same mean rates, one draw instead of one per day. */
export function fastForward(state: DriveState, days: number): void {
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
export function liveOneDay(state: DriveState, day: number): { failed: boolean; excursion: boolean } {
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
  let failed: boolean;
  if (state.failsOn !== undefined) {
    state.mediaErrors += rng.poisson(precursors.media_errors_per_day);
    failed = day >= state.failsOn;
  } else {
    const onset = rng.chance(dailyFailureProbability({ kind: spec.model.kind, age_days: day - spec.deployed, wear, multiplier: spec.hazard, excursion }));
    failed = onset && !rng.chance(precursors.share);
    if (onset && !failed) state.failsOn = day + 1 + Math.round(rng.lognormal(precursors.median_days, precursors.sigma));
  }
  if (failed) state.failsOn = undefined;
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

export function enrollmentEvent(spec: DriveSpec): SimEvent {
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
  const degrading = state.failsOn !== undefined ? precursors.spare_loss_pct : 0;
  const spare = Math.max(0, Math.min(100, Math.round(100 - Math.max(0, wear - 0.6) * 60 - degrading - (failing ? 40 : 0))));
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
