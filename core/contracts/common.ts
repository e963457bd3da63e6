import { z } from 'zod';
import { fromBigInt, toBigInt } from './uint64.ts';

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
/**
 * A 64-bit unsigned counter: a JSON number or a decimal string up to 2^64 - 1, output in the Uint64 form (a number while
 * it is a safe integer, the decimal string beyond). The first branch is the common case and the only one the compiled
 * fast path (telemetry-fast-path.ts) takes; strings and larger numbers go through zod.
 */
const uint64Expected = 'expected a whole number from 0 to 18446744073709551615 (a JSON number or a decimal string)';
export const uint64 = z.union(
  [
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    z.union([z.string(), z.number()]).transform((value, ctx) => {
      const big = toBigInt(value);
      if (big === undefined) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)}: ${uint64Expected}` });
        return z.NEVER;
      }
      return fromBigInt(big);
    }),
  ],
  { error: uint64Expected },
);
