import { z } from 'zod';

/** Drive serial numbers as vendors print them: letters, digits and a few separators. */
export const serial = z
  .string()
  .trim()
  .min(4, 'a serial number has at least 4 characters')
  .max(64, 'a serial number has at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash or underscore only');

export const fleetId = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash or underscore only');

/**
 * What the ClickHouse columns can hold: DateTime64(3) and Date32 both end on 2299-12-31 and start in 1900. A value
 * outside is refused with this reason instead of being clamped silently by the insert.
 */
const storableRange = { first: '1900-01-01', last: '2299-12-31' } as const;
const lastStorableMs = Date.UTC(2299, 11, 31, 23, 59, 59, 999);
const firstStorableMs = Date.UTC(1900, 0, 1);

/**
 * An instant with an explicit offset (ISO 8601), normalised to UTC ISO text, whatever its year. Telemetry's
 * `collected_at` is one: the telemetry door judges it (too far in the future, before 2000) and keeps the sample for
 * review, which a contract error would not.
 */
export const anyInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/** An instant (see anyInstant) within what DateTime64 stores. */
export const instant = anyInstant.refine((s) => {
  const ms = Date.parse(s);
  return ms >= firstStorableMs && ms <= lastStorableMs;
}, `outside the storable range ${storableRange.first} to ${storableRange.last}`);

/** A calendar date, YYYY-MM-DD. */
export const isoDate = z.iso.date();

/** A calendar date a Date32 column stores as given (1900-01-01 to 2299-12-31). */
export const storableDate = isoDate.refine(
  (d) => d >= storableRange.first && d <= storableRange.last,
  `outside the storable range ${storableRange.first} to ${storableRange.last}`,
);

export const nonNegativeInt = z.number().int().nonnegative();
export const uint64 = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER, 'too large to be exact (above 2^53)');
