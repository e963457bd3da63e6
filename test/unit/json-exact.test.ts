import { describe, expect, it } from 'vitest';
import { parseJsonExact } from '../../core/contracts/uint64.ts';

describe('parseJsonExact', () => {
  it('keeps every integer beyond 2^53 - 1 as its digits, wherever it sits', () => {
    expect(parseJsonExact('{"hbw":9007199254740993,"n":[1,18446744073709551615,{"x":-9007199254740993}]}')).toEqual({
      hbw: '9007199254740993',
      n: [1, '18446744073709551615', { x: '-9007199254740993' }],
    });
    // 2^53 itself is not a safe integer either: the next one up would read as it.
    expect(parseJsonExact('[9007199254740992]')).toEqual(['9007199254740992']);
  });

  it('leaves safe integers, decimals and exponents as numbers', () => {
    expect(parseJsonExact('{"a":9007199254740991,"b":1234567890123456.5,"c":1e300,"d":"12345678901234567890"}')).toEqual({
      a: 9007199254740991,
      b: 1234567890123456.5,
      c: 1e300,
      d: '12345678901234567890',
    });
  });

  it('refuses text that is not JSON, as JSON.parse does', () => {
    expect(() => parseJsonExact('{"a":')).toThrow(SyntaxError);
  });
});
