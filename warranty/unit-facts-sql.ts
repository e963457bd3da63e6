import { trailingPeriodDays } from './rules.ts';

/**
 * SQL shared by the single-unit loader, the public lookup index and the bulk evaluation, so all read a unit's facts
 * the same way. Values arrive only as query parameters: {at:Date32} is the evaluation date.
 */

const half = trailingPeriodDays / 2;

/** Bits [from, from + width of `type`) of a packed unit_facts column (layout in migration 0024), as `type`. */
export const bits = (column: string, from: number, type: 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64') =>
  from === 0 ? `to${type}(${column})` : `to${type}(bitShiftRight(${column}, ${from}))`;

/**
 * unit_facts.decoded, packed and read (layout in migration 0024): when the serial was decoded, the fingerprint of the
 * serial format used, and the manufacturing date as days since 1900-01-01 + 1 (0: the serial did not decode).
 */
export const decoded = {
  pack: (fingerprint: string, manufactured: string) =>
    `bitShiftLeft(toUInt128(toUnixTimestamp64Milli(now64(3))), 65) + bitShiftLeft(toUInt128(${fingerprint}), 33)
     + if(${manufactured} IS NULL, 0, toUInt32(toInt32(${manufactured}) - toInt32(toDate32('1900-01-01')) + 1))`,
  at: bits('decoded', 65, 'UInt64'),
  format: bits('decoded', 33, 'UInt32'),
  manufactured: `addDays(toDate32('1900-01-01'), nullIf(${bits('decoded', 0, 'UInt32')}, 0) - 1)`,
};

/** unit_facts.flags, packed and read (layout in migration 0024): the run that set them, then the flag bits. */
export const unitFlags = {
  pack: (runId: string, mask: string) => `bitShiftLeft(toUInt128(${runId}), 8) + ${mask}`,
  mask: bits('flags', 0, 'UInt8'),
};

/** 2^44 - 1: a time t in ms is stored as this minus t where the earliest time should win. */
const earliestBase = 2 ** 44 - 1;

/** Whether a per-period figure (0: no reading) holds a reading of the window's period. */
const inWindow = (figure: string, periodFrom: number) => `${figure} != 0 AND ${bits(figure, periodFrom, 'UInt32')} = l_period`;

/**
 * A unit's telemetry facts, unpacked from `unit_facts FINAL` (see migrations 0024, 0070): the newest sample (l_*), the
 * highest lifetime counters (max_*) and, for the
 * trailing window, the earliest reading of each wear counter (the trailing rate is measured from it, *_n says whether
 * there is one) and the temperature extremes. The window is the older of the unit's two current periods, the ones its
 * newest sample falls in; a figure kept for an earlier period lies outside the window and counts as none.
 */
export const telemetryColumns = `
  toInt64(${bits('latest', 128, 'UInt64')}) AS l_at_ms, ${bits('latest', 0, 'UInt64')} AS l_low,
  if(bitTest(l_low, 18), ${bits('latest', 64, 'UInt64')}, NULL) AS l_hbw,
  if(bitTest(l_low, 17), ${bits('l_low', 32, 'UInt32')}, NULL) AS l_pe,
  if(bitTest(l_low, 16), toInt16(toInt32(${bits('l_low', 0, 'UInt16')}) - 32768), NULL) AS l_temp,
  hbw_max AS max_hbw, pe_max AS max_pe,
  intDiv(l_at_ms, 86400000) AS l_day,
  toUInt32(intDiv(l_day, ${trailingPeriodDays})) AS l_period_a,
  toUInt32(intDiv(l_day + ${half}, ${trailingPeriodDays})) AS l_period_b,
  -- Series a's current period starts on day period_a * P, series b's on period_b * P - P / 2.
  l_period_a * ${trailingPeriodDays} <= l_period_b * ${trailingPeriodDays} - ${half} AS window_a,
  if(window_a, l_period_a, l_period_b) AS l_period,
  if(window_a, hbw_a, hbw_b) AS hbw_w, if(window_a, pe_a, pe_b) AS pe_w,
  if(window_a, temp_min_a, temp_min_b) AS temp_min_w, if(window_a, temp_max_a, temp_max_b) AS temp_max_w,
  ${inWindow('hbw_w', 108)} AS hbw_n, toInt64(${earliestBase} - bitAnd(${bits('hbw_w', 64, 'UInt64')}, ${earliestBase})) AS hbw_first_ms,
  ${bits('hbw_w', 0, 'UInt64')} AS hbw_first,
  ${inWindow('pe_w', 108)} AS pe_n, toInt64(${earliestBase} - bitAnd(${bits('pe_w', 64, 'UInt64')}, ${earliestBase})) AS pe_first_ms,
  ${bits('pe_w', 0, 'UInt32')} AS pe_first,
  if(${inWindow('temp_min_w', 17)}, toInt16(32767 - toInt32(${bits('temp_min_w', 0, 'UInt16')})), NULL) AS temp_min,
  if(${inWindow('temp_max_w', 17)}, toInt16(toInt32(${bits('temp_max_w', 0, 'UInt16')}) - 32768), NULL) AS temp_max`;

/** Whether a unit_facts row holds a sample (a unit enrolled without telemetry has the default 0). */
export const hasTelemetry = 'latest != 0';

/** Whether a unit_facts row holds an enrolment (the drive tuple's default has time 0). */
export const isEnrolled = 'toUnixTimestamp64Milli(drive.1) > 0';

/** The telemetry facts (with `serial`) of the units with telemetry that `where`, a condition on unit_facts, selects. */
export const telemetryFactsSql = (where: string) => `SELECT serial, l_at_ms, l_hbw, l_pe, l_temp, max_hbw, max_pe,
  hbw_n, hbw_first_ms, hbw_first, pe_n, pe_first_ms, pe_first, temp_min, temp_max
  FROM (SELECT serial, ${telemetryColumns} FROM unit_facts FINAL WHERE (${where}) AND ${hasTelemetry})`;

/** The event date of an RMA event (UTC calendar day) and whether it happened by the evaluation date. */
export const rmaByAt = `toDate32(occurred_at) <= {at:Date32}`;
