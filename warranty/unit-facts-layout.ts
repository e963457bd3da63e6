import { trailingPeriodDays } from './rules.ts';

/**
 * The bit layout of the packed unit_facts columns, declared once. Migration 0024 packs with it (its materialized view
 * and backfill, checked against this spec by test/unit/unit-facts-layout.test.ts, since an applied migration is never
 * edited) and unit-facts-sql.ts generates every pack and unpack expression from it. Ranges are [from, to), bit 0 the
 * lowest; each column is a max, so the highest field decides which value wins.
 */
export interface BitField {
  from: number;
  to: number;
}

const field = (from: number, to: number): BitField => ({ from, to });
/** A one-bit presence flag. */
const flag = (at: number): BitField => field(at, at + 1);

export const unitFactsLayout = {
  /** When the serial was decoded, the serial format's fingerprint, the manufacturing date (days since 1900-01-01 + 1, 0: none). */
  decoded: { type: 'UInt128', fields: { at: field(65, 128), format: field(33, 65), manufactured: field(0, 32) } },
  /** The newest sample; the temperature is stored + temperatureOffset. */
  latest: {
    type: 'UInt256',
    fields: {
      collected_at: field(128, 192),
      host_bytes_written: field(64, 128),
      avg_pe_cycles: field(32, 64),
      has_host_bytes_written: flag(18),
      has_avg_pe_cycles: flag(17),
      has_temperature: flag(16),
      temperature: field(0, 16),
    },
  },
  /** hbw_a/b, pe_a/b: the period, then the earliest reading first (earliestBase - collected_at), then the counter. */
  wear: { type: 'UInt128', fields: { period: field(108, 128), earliest: field(64, 108), counter: field(0, 64) } },
  /** temp_max_a/b (temperature + offset) and temp_min_a/b (offset - 1 - temperature, so the max is the minimum). */
  temperature: { type: 'UInt64', fields: { period: field(17, 64), present: flag(16), value: field(0, 16) } },
  /** The run that last changed the unit's flags, then its flag bits. */
  flags: { type: 'UInt128', fields: { run_id: field(8, 72), mask: field(0, 8) } },
} as const;

/** The unit_facts columns each layout entry describes. */
export const layoutColumns = {
  decoded: ['decoded'],
  latest: ['latest'],
  wear: ['hbw_a', 'hbw_b', 'pe_a', 'pe_b'],
  temperature: ['temp_max_a', 'temp_max_b', 'temp_min_a', 'temp_min_b'],
  flags: ['flags'],
} as const satisfies Record<keyof typeof unitFactsLayout, readonly string[]>;

/** A time t in ms is stored as this minus t where the earliest time should win: every bit of the `earliest` field set. */
export const earliestBase = 2 ** (unitFactsLayout.wear.fields.earliest.to - unitFactsLayout.wear.fields.earliest.from) - 1;

/** Temperatures (°C, signed) are stored unsigned, shifted by half the 16-bit range. */
export const temperatureOffset = 2 ** (unitFactsLayout.temperature.fields.value.to - unitFactsLayout.temperature.fields.value.from - 1);

/** The two series of trailing periods: series a's period is day / P, series b's (day + P/2) / P. */
export const periods = { days: trailingPeriodDays, offsetDays: trailingPeriodDays / 2 } as const;
