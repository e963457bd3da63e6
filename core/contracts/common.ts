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

/** An instant with an explicit offset (ISO 8601), normalised to UTC ISO text. */
export const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/** A calendar date, YYYY-MM-DD. */
export const isoDate = z.iso.date();

export const nonNegativeInt = z.number().int().nonnegative();
export const uint64 = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER, 'too large to be exact (above 2^53)');
