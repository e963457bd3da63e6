import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayFromIso, isoFromDay, isoWeekMonday, isoYear } from '../../core/calendar.ts';
import { decodeManufactureDate, namedGroupPositions, serialGroups } from '../../core/catalog/serial.ts';

const weekly = { pattern: '^(?<line>[A-Z]{2})(?<year>\\d{2})(?<week>\\d{2})(?<seq>[0-9A-Z]{6})$', example: 'NV2447A1B2C3', description: 'weekly' };
const daily = { pattern: '^(?:X)(\\d)(?<year>\\d{4})[(](?<month>\\d{2})(?<day>\\d{2})$', example: 'X12024(0229', description: 'daily' };

describe('serial formats', () => {
  it('finds named group positions past escapes, classes and non-capturing groups', () => {
    expect([...namedGroupPositions(daily.pattern)]).toEqual([
      ['year', 2],
      ['month', 3],
      ['day', 4],
    ]);
    expect(serialGroups(weekly.pattern)).toEqual({ year: 2, week: 3, month: null, day: null });
    expect(serialGroups('^(?<year>\\d{2})$')).toMatch(/exactly one of/);
    expect(serialGroups('^(?<year>\\d{2}')).toMatch(/not a valid regular expression/);
  });

  it('decodes the ISO week to its Monday, including week 53 of long years', () => {
    expect(decodeManufactureDate('NV2001ABCDEF', 'w', weekly)).toEqual({ ok: true, manufactured: '2019-12-30', format: 'w' });
    expect(decodeManufactureDate('NV2053ABCDEF', 'w', weekly)).toEqual({ ok: true, manufactured: '2020-12-28', format: 'w' });
    expect(decodeManufactureDate('NV2153ABCDEF', 'w', weekly)).toMatchObject({ ok: false, reason: 'week "53" does not exist in 2021' });
    expect(decodeManufactureDate('NV2100ABCDEF', 'w', weekly)).toMatchObject({ ok: false });
  });

  it('decodes year-month-day and rejects days that do not exist', () => {
    expect(decodeManufactureDate('X12024(0229', 'd', daily)).toEqual({ ok: true, manufactured: '2024-02-29', format: 'd' });
    expect(decodeManufactureDate('X12023(0229', 'd', daily)).toMatchObject({ ok: false, reason: 'day "29" does not exist in 2023-02' });
    expect(decodeManufactureDate('X12023(1301', 'd', daily)).toMatchObject({ ok: false, reason: 'month "13" is not 01-12' });
  });

  it('reports a serial that does not match instead of guessing', () => {
    const result = decodeManufactureDate('nv2447a1b2c3', 'default', weekly);
    expect(result).toEqual({ ok: false, format: 'default', reason: expect.stringContaining('does not match the default format') });
  });

  it('round-trips any manufacturing week', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayFromIso('2000-01-03'), max: dayFromIso('2099-12-27') }), (day) => {
        const year = isoYear(day);
        const monday = day - ((((day + 3) % 7) + 7) % 7);
        const week = (monday - isoWeekMonday(year, 1)!) / 7 + 1;
        const serial = `NV${String(year % 100).padStart(2, '0')}${String(week).padStart(2, '0')}ABC123`;
        expect(decodeManufactureDate(serial, 'w', weekly)).toEqual({ ok: true, manufactured: isoFromDay(monday), format: 'w' });
      }),
    );
  });
});
