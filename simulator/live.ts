import { sleep } from '../core/sleep.ts';
import { SECONDS_PER_DAY } from './calendar.ts';
import type { FleetSimulation } from './engine.ts';
import type { ContractProducer } from './producer.ts';
import { advance, type DriveState, telemetryEvent } from './unit.ts';

export interface LiveOptions {
  /** Telemetry samples per second. */
  rate: number;
  /** Stops the stream. */
  signal: AbortSignal;
  /** Wall clock in milliseconds; live samples are stamped with it. */
  now?: () => number;
  onProgress?: (sent: number) => void;
}

const TICK_MS = 200;

/**
 * Streams telemetry for the units still in service at the end of the simulation, round robin, at `rate` samples per
 * second until the signal aborts. Each sample advances its unit's counters by the wall-clock time since its previous
 * sample at that unit's own rates, so counters stay monotonic and consistent with the backfill. Which unit reports
 * next and its rates come from the seed; the timestamps (and so the exact increments) come from the clock.
 */
export async function streamLive(simulation: FleetSimulation, producer: ContractProducer, options: LiveOptions): Promise<number> {
  const units = simulation.activeUnits();
  if (units.length === 0) return 0;
  const now = options.now ?? Date.now;
  const started = now();
  let sent = 0;
  let next = 0;
  while (!options.signal.aborted) {
    const due = Math.floor(((now() - started) / 1000) * options.rate) - sent;
    for (let i = 0; i < due; i++) {
      const unit = units[next++ % units.length]!;
      await producer.add(sample(unit, now() / 1000));
      sent++;
    }
    if (due > 0) {
      await producer.flush();
      options.onProgress?.(sent);
    }
    await sleep(TICK_MS, options.signal);
  }
  await producer.flush();
  return sent;
}

function sample(unit: DriveState, atSeconds: number) {
  // Never step back in time, even if the clock does.
  const at = Math.max(atSeconds, unit.lastSampleAt + 0.001);
  advance(unit, (at - unit.lastSampleAt) / SECONDS_PER_DAY);
  unit.lastSampleAt = at;
  return telemetryEvent(unit, false, at);
}
