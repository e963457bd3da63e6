/**
 * Calendar arithmetic on whole UTC days. Warranty dates are calendar dates, so they are counted as days since
 * 1970-01-01 (the same epoch ClickHouse's Date32 uses); the bulk SQL applies the same definitions with
 * addMonths / toMonday, and the property test holds the two to each other.
 */
export type Day = number;

const msPerDay = 86_400_000;

/** 'YYYY-MM-DD' → day number; NaN-free: callers validate the text first. */
export function dayFromIso(date: string): Day {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.floor(Date.UTC(y, m - 1, d) / msPerDay);
}

export function isoFromDay(day: Day): string {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

/** The UTC calendar day an instant falls on. */
export function dayOfInstant(instant: string | number | Date): Day {
  return Math.floor(new Date(instant).getTime() / msPerDay);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds calendar months; a day that does not exist in the target month becomes its last day (29 Feb + 12 months = 28 Feb), as ClickHouse's addMonths does. */
export function addMonths(day: Day, months: number): Day {
  const date = new Date(day * msPerDay);
  const total = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const dom = Math.min(date.getUTCDate(), daysInMonth(year, month + 1));
  return Math.floor(Date.UTC(year, month, dom) / msPerDay);
}

/** ISO-8601 day of week, Monday = 1 … Sunday = 7. */
function isoWeekday(day: Day): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** Monday of ISO week `week` of ISO year `year`, or null when the year has no such week (week 53 exists only in long years). */
export function isoWeekMonday(year: number, week: number): Day | null {
  if (!Number.isInteger(week) || week < 1 || week > 53) return null;
  const jan4 = Math.floor(Date.UTC(year, 0, 4) / msPerDay);
  const monday = jan4 - (isoWeekday(jan4) - 1) + (week - 1) * 7;
  return isoYear(monday) === year ? monday : null;
}

/** The ISO week-numbering year a day belongs to (the year of that week's Thursday). */
export function isoYear(day: Day): number {
  const thursday = day - isoWeekday(day) + 4;
  return new Date(thursday * msPerDay).getUTCFullYear();
}
