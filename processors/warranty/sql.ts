import { trailingWindowDays } from './rules.ts';

/**
 * SQL shared by the single-unit loader and the bulk evaluation, so both read a unit's facts the same way.
 * Values arrive only as query parameters: {at:Date32} is the evaluation date.
 */

/** Telemetry inside the trailing window ending with the evaluation day. */
export const trailingWindow = `collected_at >= toDateTime64({at:Date32} - ${trailingWindowDays}, 3, 'UTC')
  AND collected_at < toDateTime64({at:Date32} + 1, 3, 'UTC')`;

/**
 * Per-unit trailing figures: the earliest reading of each wear counter in the window (the trailing rate is measured
 * from it) and the temperature extremes. min/argMin are idempotent, so redelivered samples cannot skew them. The
 * counters are read as not-Nullable where the condition already excludes NULL: argMin keeps a compact numeric state
 * then, which matters when millions of units are aggregated at once.
 */
export const trailingColumns = `
  toUnixTimestamp64Milli(minIf(collected_at, host_bytes_written IS NOT NULL)) AS hbw_first_ms,
  argMinIf(assumeNotNull(host_bytes_written), collected_at, host_bytes_written IS NOT NULL) AS hbw_first,
  toUnixTimestamp64Milli(minIf(collected_at, avg_pe_cycles IS NOT NULL)) AS pe_first_ms,
  argMinIf(assumeNotNull(avg_pe_cycles), collected_at, avg_pe_cycles IS NOT NULL) AS pe_first,
  min(temperature_c) AS temp_min,
  max(temperature_c) AS temp_max,
  countIf(host_bytes_written IS NOT NULL) AS hbw_n,
  countIf(avg_pe_cycles IS NOT NULL) AS pe_n`;

/** The event date of an RMA event (UTC calendar day) and whether it happened by the evaluation date. */
export const rmaByAt = `toDate32(occurred_at) <= {at:Date32}`;
