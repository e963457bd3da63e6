import { fromBigInt, type Uint64 } from '../core/contracts/uint64.ts';
import { trailingPeriodDays } from './rules.ts';
import type { TelemetrySummary, WearPoint } from './types.ts';

/** One stored sample, as the telemetry table holds it (times in epoch milliseconds). */
export interface Sample {
  at_ms: number;
  host_bytes_written: Uint64 | null;
  avg_pe_cycles: number | null;
  temperature_c: number | null;
}

const msPerDay = 86_400_000;
const half = trailingPeriodDays / 2;

/** Epoch milliseconds at which the UTC day after `date` ('YYYY-MM-DD') begins: samples before it are "at or before" the date. */
export const endOfDayMs = (date: string): number => Date.parse(`${date}T00:00:00Z`) + msPerDay;

/** Earliest reading first; at the same instant the higher counter, as unit_facts' packed maximum decides. */
const earlier = (a: WearPoint | null, b: WearPoint): WearPoint => (!a || b.at < a.at || (b.at === a.at && b.value > a.value) ? b : a);

/**
 * A unit's telemetry summary from its raw samples, using only samples before `endMs` (the end of the evaluation
 * day): the summary unit_facts holds for the newest sample, recomputed as of a past date for a unit that has reported
 * since. Same figures and ties as the bulk SQL's history path (bulk-sql.ts, asOfTelemetry): the newest sample (at the
 * same instant, one with a temperature, then the highest), the highest lifetime counters seen, and the trailing
 * window of that newest sample (migration 0024).
 */
export function summaryAsOf(samples: readonly Sample[], endMs: number): TelemetrySummary | null {
  const usable = samples.filter((s) => s.at_ms < endMs);
  if (usable.length === 0) return null;
  const newest = usable.reduce((best, s) => {
    if (s.at_ms !== best.at_ms) return s.at_ms > best.at_ms ? s : best;
    if ((s.temperature_c === null) !== (best.temperature_c === null)) return s.temperature_c === null ? best : s;
    return (s.temperature_c ?? 0) > (best.temperature_c ?? 0) ? s : best;
  });
  const day = Math.floor(newest.at_ms / msPerDay);
  const periodA = Math.floor(day / trailingPeriodDays);
  const periodB = Math.floor((day + half) / trailingPeriodDays);
  const windowA = periodA * trailingPeriodDays <= periodB * trailingPeriodDays - half;
  const inWindow = (s: Sample) => {
    const d = Math.floor(s.at_ms / msPerDay);
    return windowA ? Math.floor(d / trailingPeriodDays) === periodA : Math.floor((d + half) / trailingPeriodDays) === periodB;
  };
  let trailingHbw: WearPoint | null = null;
  let trailingPe: WearPoint | null = null;
  let tempMin: number | null = null;
  let tempMax: number | null = null;
  let maxHbw: bigint | null = null;
  let maxPe: number | null = null;
  for (const s of usable) {
    if (s.host_bytes_written !== null && (maxHbw === null || BigInt(s.host_bytes_written) > maxHbw)) maxHbw = BigInt(s.host_bytes_written);
    if (s.avg_pe_cycles !== null) maxPe = Math.max(maxPe ?? 0, s.avg_pe_cycles);
    if (!inWindow(s)) continue;
    const at = new Date(s.at_ms).toISOString();
    if (s.host_bytes_written !== null) trailingHbw = earlier(trailingHbw, { at, value: Number(s.host_bytes_written) });
    if (s.avg_pe_cycles !== null) trailingPe = earlier(trailingPe, { at, value: s.avg_pe_cycles });
    if (s.temperature_c !== null) {
      tempMin = Math.min(tempMin ?? s.temperature_c, s.temperature_c);
      tempMax = Math.max(tempMax ?? s.temperature_c, s.temperature_c);
    }
  }
  return {
    latest: {
      collected_at: new Date(newest.at_ms).toISOString(),
      host_bytes_written: newest.host_bytes_written,
      avg_pe_cycles: newest.avg_pe_cycles,
      temperature_c: newest.temperature_c,
    },
    max_hbw: maxHbw === null ? null : fromBigInt(maxHbw),
    max_pe: maxPe,
    trailing_hbw: trailingHbw,
    trailing_pe: trailingPe,
    temp_min: tempMin,
    temp_max: tempMax,
  };
}
