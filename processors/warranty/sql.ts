import { trailingPeriodDays } from './rules.ts';

/**
 * SQL shared by the single-unit loader, the public lookup index and the bulk evaluation, so all read a unit's facts
 * the same way. Values arrive only as query parameters: {at:Date32} is the evaluation date.
 */

const half = trailingPeriodDays / 2;

/**
 * A unit's telemetry facts, selected from `telemetry_summary FINAL` (see its migration): the newest sample (l_*) and,
 * for the trailing window, the earliest reading of each wear counter (the trailing rate is measured from it, *_n says
 * whether there is one) and the temperature extremes. The window is the older of the unit's two current periods, the
 * ones its newest sample falls in; a figure kept for an earlier period lies outside the window and counts as none.
 */
export const telemetryColumns = `
  latest.1 AS l_at, latest.2 AS l_hbw, latest.3 AS l_pe, latest.4 AS l_temp,
  intDiv(toUnixTimestamp64Milli(l_at), 86400000) AS l_day,
  toUInt32(intDiv(l_day, ${trailingPeriodDays})) AS l_period_a,
  toUInt32(intDiv(l_day + ${half}, ${trailingPeriodDays})) AS l_period_b,
  -- Series a's current period starts on day period_a * P, series b's on period_b * P - P / 2.
  l_period_a * ${trailingPeriodDays} <= l_period_b * ${trailingPeriodDays} - ${half} AS window_a,
  if(window_a, l_period_a, l_period_b) AS l_period,
  if(window_a, hbw_a, hbw_b) AS hbw_w, if(window_a, pe_a, pe_b) AS pe_w,
  if(window_a, temp_min_a, temp_min_b) AS temp_min_w, if(window_a, temp_max_a, temp_max_b) AS temp_max_w,
  hbw_w.1 = l_period AS hbw_n, -hbw_w.2 AS hbw_first_ms, hbw_w.3 AS hbw_first,
  pe_w.1 = l_period AS pe_n, -pe_w.2 AS pe_first_ms, pe_w.3 AS pe_first,
  if(temp_min_w.1 = l_period, -temp_min_w.2, NULL) AS temp_min,
  if(temp_max_w.1 = l_period, temp_max_w.2, NULL) AS temp_max`;

/** The telemetry facts (with `serial`) of the units `where`, a condition on telemetry_summary, selects. */
export const telemetryFactsSql = (where: string) => `SELECT serial, toUnixTimestamp64Milli(l_at) AS l_at_ms, l_hbw, l_pe, l_temp,
  hbw_n, hbw_first_ms, hbw_first, pe_n, pe_first_ms, pe_first, temp_min, temp_max
  FROM (SELECT serial, ${telemetryColumns} FROM telemetry_summary FINAL WHERE ${where})`;

/** The event date of an RMA event (UTC calendar day) and whether it happened by the evaluation date. */
export const rmaByAt = `toDate32(occurred_at) <= {at:Date32}`;
