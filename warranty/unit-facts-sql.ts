import { type BitField, earliestBase, periods, temperatureOffset, unitFactsLayout } from './unit-facts-layout.ts';

/**
 * SQL shared by the single-unit loader, the public lookup index and the bulk evaluation, so all read a unit's facts
 * the same way. Every bit position comes from the layout spec (unit-facts-layout.ts). Values arrive only as query
 * parameters: {at:Date32} is the evaluation date.
 */

type UInt = 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64';

/** The narrowest unsigned type holding a field; a reader may ask for a narrower one where values are known to fit. */
const typeOf = ({ from, to }: BitField): UInt => {
  const width = to - from;
  return width <= 8 ? 'UInt8' : width <= 16 ? 'UInt16' : width <= 32 ? 'UInt32' : 'UInt64';
};

/** A field of a packed unit_facts column (or of its low bits read into an alias), as `type`. */
const bits = (column: string, f: BitField, type: UInt = typeOf(f)) =>
  f.from === 0 ? `to${type}(${column})` : `to${type}(bitShiftRight(${column}, ${f.from}))`;

/** `value` shifted into a field of a packed column of type `columnType`. */
const into = (columnType: string, f: BitField, value: string) => (f.from === 0 ? value : `bitShiftLeft(to${columnType}(${value}), ${f.from})`);

const { decoded: decodedLayout, latest, wear, temperature, flags } = unitFactsLayout;

/**
 * unit_facts.decoded, packed and read: when the serial was decoded, the fingerprint of the serial format used, and the
 * manufacturing date as days since 1900-01-01 + 1 (0: the serial did not decode).
 */
export const decoded = {
  pack: (fingerprint: string, manufactured: string) =>
    `${into(decodedLayout.type, decodedLayout.fields.at, 'toUnixTimestamp64Milli(now64(3))')} + ${into(decodedLayout.type, decodedLayout.fields.format, fingerprint)}
     + if(${manufactured} IS NULL, 0, toUInt32(toInt32(${manufactured}) - toInt32(toDate32('1900-01-01')) + 1))`,
  at: bits('decoded', decodedLayout.fields.at),
  format: bits('decoded', decodedLayout.fields.format),
  manufactured: `addDays(toDate32('1900-01-01'), nullIf(${bits('decoded', decodedLayout.fields.manufactured)}, 0) - 1)`,
};

/** unit_facts.flags, packed and read: the run that set them, then the flag bits. */
export const unitFlags = {
  pack: (runId: string, mask: string) => `${into(flags.type, flags.fields.run_id, runId)} + ${mask}`,
  mask: bits('flags', flags.fields.mask),
};

/** The collection time (epoch ms) of the newest sample in a `latest` value, such as `max(latest)` over a unit's rows. */
export const latestAtMs = (latestValue: string) => `toInt64(${bits(latestValue, latest.fields.collected_at)})`;

/** Whether a per-period figure (0: no reading) holds a reading of the window's period. */
const inWindow = (figure: string, period: BitField) => `${figure} != 0 AND ${bits(figure, period, 'UInt32')} = l_period`;

/** The low 64 bits of `latest`, read once and unpacked further (l_low). */
const latestLow: BitField = { from: 0, to: 64 };
const l = latest.fields;
const P = periods.days;
const half = periods.offsetDays;

/**
 * A unit's telemetry facts, unpacked from `unit_facts FINAL` (see migrations 0024, 0070): the newest sample (l_*), the
 * highest lifetime counters (max_*) and, for the
 * trailing window, the earliest reading of each wear counter (the trailing rate is measured from it, *_n says whether
 * there is one) and the temperature extremes. The window is the older of the unit's two current periods, the ones its
 * newest sample falls in; a figure kept for an earlier period lies outside the window and counts as none.
 */
export const telemetryColumns = `
  ${latestAtMs('latest')} AS l_at_ms, ${bits('latest', latestLow)} AS l_low,
  if(bitTest(l_low, ${l.has_host_bytes_written.from}), ${bits('latest', l.host_bytes_written)}, NULL) AS l_hbw,
  if(bitTest(l_low, ${l.has_avg_pe_cycles.from}), ${bits('l_low', l.avg_pe_cycles)}, NULL) AS l_pe,
  if(bitTest(l_low, ${l.has_temperature.from}), toInt16(toInt32(${bits('l_low', l.temperature)}) - ${temperatureOffset}), NULL) AS l_temp,
  hbw_max AS max_hbw, pe_max AS max_pe,
  intDiv(l_at_ms, 86400000) AS l_day,
  toUInt32(intDiv(l_day, ${P})) AS l_period_a,
  toUInt32(intDiv(l_day + ${half}, ${P})) AS l_period_b,
  -- Series a's current period starts on day period_a * P, series b's on period_b * P - P / 2.
  l_period_a * ${P} <= l_period_b * ${P} - ${half} AS window_a,
  if(window_a, l_period_a, l_period_b) AS l_period,
  if(window_a, hbw_a, hbw_b) AS hbw_w, if(window_a, pe_a, pe_b) AS pe_w,
  if(window_a, temp_min_a, temp_min_b) AS temp_min_w, if(window_a, temp_max_a, temp_max_b) AS temp_max_w,
  ${inWindow('hbw_w', wear.fields.period)} AS hbw_n,
  toInt64(${earliestBase} - bitAnd(${bits('hbw_w', wear.fields.earliest, 'UInt64')}, ${earliestBase})) AS hbw_first_ms,
  ${bits('hbw_w', wear.fields.counter)} AS hbw_first,
  ${inWindow('pe_w', wear.fields.period)} AS pe_n,
  toInt64(${earliestBase} - bitAnd(${bits('pe_w', wear.fields.earliest, 'UInt64')}, ${earliestBase})) AS pe_first_ms,
  ${bits('pe_w', wear.fields.counter, 'UInt32')} AS pe_first,
  if(${inWindow('temp_min_w', temperature.fields.period)}, toInt16(${temperatureOffset - 1} - toInt32(${bits('temp_min_w', temperature.fields.value)})), NULL) AS temp_min,
  if(${inWindow('temp_max_w', temperature.fields.period)}, toInt16(toInt32(${bits('temp_max_w', temperature.fields.value)}) - ${temperatureOffset}), NULL) AS temp_max`;

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
