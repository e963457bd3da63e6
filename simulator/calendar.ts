import { type Day, isoWeekMonday, isoYear } from '../core/calendar.ts';

/**
 * Simulation-only additions to the calendar of core/calendar.ts: the clock counts whole UTC days since 1970 (day
 * numbers), and instants are a day number plus seconds, which keeps the daily loop cheap and free of time zones.
 */
export const SECONDS_PER_DAY = 86_400;

/** ISO 8601 instant (UTC, milliseconds) for `seconds` into `day`. */
export function isoInstant(day: Day, seconds = 0): string {
  return new Date((day * SECONDS_PER_DAY + seconds) * 1000).toISOString();
}

/** ISO week-numbering year and week of a day. */
export function isoWeek(day: Day): { year: number; week: number } {
  const year = isoYear(day);
  return { year, week: 1 + Math.floor((day - isoWeekMonday(year, 1)!) / 7) };
}

/** 0 at the start of the year, 1 at its end: drives the seasonal temperature swing. */
export function yearFraction(day: Day): number {
  const date = new Date(day * SECONDS_PER_DAY * 1000);
  return (day - Date.UTC(date.getUTCFullYear(), 0, 1) / 86_400_000) / 365.25;
}
