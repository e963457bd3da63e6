import { daysInMonth, isoFromDay, isoWeekMonday } from '../calendar.ts';

/**
 * A product line's serial number format: a regular expression whose named groups say where the manufacturing date is.
 * `year` (2 digits = 20YY, or 4 digits) is required, with either `week` (ISO week; the date is that week's Monday) or
 * `month` (with an optional `day`; without it the date is the 1st of the month).
 */
export interface SerialFormat {
  pattern: string;
  example: string;
  description: string;
}

/** 1-based positions of the date groups among the pattern's capturing groups; the bulk SQL reads them with extractGroups. */
export interface SerialGroups {
  year: number;
  week: number | null;
  month: number | null;
  day: number | null;
}

export type SerialDecode = { ok: true; manufactured: string; format: string } | { ok: false; format: string | null; reason: string };

/** Finds each named capturing group's position by scanning the pattern (escapes and character classes skipped). */
export function namedGroupPositions(pattern: string): Map<string, number> {
  const positions = new Map<string, number>();
  let index = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      if (pattern[i + 1] !== '?') {
        index++;
        continue;
      }
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(pattern.slice(i));
      if (named) positions.set(named[1]!, ++index);
    }
  }
  return positions;
}

/** The date groups of a pattern, or the reason the pattern cannot serve as a serial format. */
export function serialGroups(pattern: string): SerialGroups | string {
  try {
    new RegExp(pattern);
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  const at = namedGroupPositions(pattern);
  const group = (name: string) => at.get(name) ?? null;
  const groups = { year: group('year'), week: group('week'), month: group('month'), day: group('day') };
  if (groups.year === null) return 'needs a named group (?<year>…)';
  if ((groups.week === null) === (groups.month === null)) return 'needs exactly one of the named groups (?<week>…) or (?<month>…)';
  if (groups.day !== null && groups.month === null) return 'a (?<day>…) group needs a (?<month>…) group';
  return { ...groups, year: groups.year };
}

const number = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : null);

/** The manufacturing date a serial encodes under `format`; an undecodable serial is reported with the reason, never guessed. */
export function decodeManufactureDate(serial: string, name: string, format: SerialFormat): SerialDecode {
  const fail = (reason: string): SerialDecode => ({ ok: false, format: name, reason });
  const match = new RegExp(format.pattern).exec(serial);
  if (!match) return fail(`serial ${serial} does not match the ${name} format (${format.description}, e.g. ${format.example})`);
  const g = match.groups ?? {};
  const yearText = g.year ?? '';
  const year = number(yearText);
  if (year === null || (yearText.length !== 2 && yearText.length !== 4)) return fail(`year "${yearText}" is not 2 or 4 digits`);
  const fullYear = yearText.length === 2 ? 2000 + year : year;
  if (fullYear < 1970 || fullYear > 2200) return fail(`year ${fullYear} is out of range`);
  if (g.week !== undefined) {
    const week = number(g.week);
    const monday = week === null ? null : isoWeekMonday(fullYear, week);
    if (monday === null) return fail(`week "${g.week}" does not exist in ${fullYear}`);
    return { ok: true, manufactured: isoFromDay(monday), format: name };
  }
  const month = number(g.month);
  if (month === null || month < 1 || month > 12) return fail(`month "${g.month ?? ''}" is not 01-12`);
  const day = g.day === undefined ? 1 : number(g.day);
  if (day === null || day < 1 || day > daysInMonth(fullYear, month))
    return fail(`day "${g.day}" does not exist in ${fullYear}-${String(month).padStart(2, '0')}`);
  return { ok: true, manufactured: `${fullYear}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, format: name };
}
