import { parse as parseLossless } from 'lossless-json';

/**
 * Exact unsigned 64-bit counters. Busy enterprise drives pass 2^53 bytes written (a DC P3700 at 16.58 PB), where a JS
 * number rounds. A counter travels as a number while it is a safe integer and as its decimal string beyond, which is
 * also how it appears in JSON (API answers, Kafka messages): readers that do not care stay on numbers, and no digit is
 * ever lost. Arithmetic and comparison go through bigint.
 */
export type Uint64 = number | string;

const UINT64_MAX = 18_446_744_073_709_551_615n;

const decimal = /^(0|[1-9]\d{0,19})$/;

/** The canonical form: a number when it is a safe integer, else the decimal string. */
export function fromBigInt(value: bigint): Uint64 {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** A non-negative integer counter (number or decimal string) as bigint; undefined when it is not one or above 2^64 - 1. */
export function toBigInt(value: unknown): bigint | undefined {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
  else if (typeof value === 'string' && decimal.test(value)) big = BigInt(value);
  else return undefined;
  return big >= 0n && big <= UINT64_MAX ? big : undefined;
}

/** Whether a parsed JSON value holds an integer a double cannot hold exactly: any integer literal beyond 2^53 - 1 parses to one. */
function hasUnsafeInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (value === null || typeof value !== 'object') return false;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (hasUnsafeInteger(v)) return true;
  return false;
}

/**
 * JSON.parse that keeps integers beyond 2^53 exact, as decimal strings (the Uint64 form). The text is parsed as is,
 * and again by the lossless parser only when that found such an integer, which nearly no message holds.
 */
export function parseJsonExact(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!hasUnsafeInteger(value)) return value;
  return parseLossless(text, null, (digits) => {
    const number = Number(digits);
    return Number.isSafeInteger(number) || !/^-?\d+$/.test(digits) ? number : digits;
  });
}
