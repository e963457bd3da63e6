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

/** Integers too long to be exact as a double (16 digits and more) are the only ones the lossless parser is needed for. */
const longInteger = /\d{16}/;

/**
 * JSON.parse that keeps integers beyond 2^53 exact, as decimal strings (the Uint64 form). Texts without a 16-digit run,
 * nearly all of them, take JSON.parse itself, so the common case costs nothing extra.
 */
export function parseJsonExact(text: string): unknown {
  if (!longInteger.test(text)) return JSON.parse(text);
  return parseLossless(text, null, (digits) => {
    const value = Number(digits);
    return Number.isSafeInteger(value) || !/^-?\d+$/.test(digits) ? value : digits;
  });
}
