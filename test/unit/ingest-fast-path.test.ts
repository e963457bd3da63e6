import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTelemetry } from '../../core/contracts/rows.ts';
import { telemetrySample } from '../../core/contracts/telemetry.ts';
import { compileFastPath } from '../../core/contracts/telemetry-fast-path.ts';

const fast = compileFastPath(telemetrySample, { instants: ['collected_at'] });

/** Mostly valid values (so the fast path gets exercised), sometimes an edge case just outside the contract. */
const pick = <T>(valid: T[], edges: T[]) => fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 4 }, { arbitrary: fc.constantFrom(...edges), weight: 1 });

/** Messages near the contract's edges: valid, slightly invalid, non-canonical, with extra or missing keys. */
const candidate = fc.record(
  {
    schema: pick(['wearwatch.telemetry.v1'], ['wearwatch.telemetry.v2']),
    serial: pick(['SN1234', 'ab-c.d_e'], [' SN1234', 'S1', 'SN 99', 'A'.repeat(65)]),
    fleet_id: pick(['fleet-a', 'f'], ['', 'fleet a']),
    collected_at: pick(
      ['2025-01-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z'],
      ['2025-01-01T00:00:00Z', '2025-01-01T02:00:00.000+02:00', '2025-13-01T00:00:00.000Z', 'yesterday'],
    ),
    model: pick(['WW-NV1-1T'], [' WW-NV1-1T ', '', 'x'.repeat(129)]),
    firmware: pick(['1.0', ''], [' 1.0']),
    host_bytes_written: fc.oneof({ arbitrary: fc.nat(), weight: 4 }, fc.constantFrom<unknown>(-1, 1.5, 2 ** 53, '12', null)),
    percentage_used: fc.integer({ min: -2, max: 300 }),
    power_cycles: pick([0, 4_294_967_295], [4_294_967_296]),
    temperature_c: fc.integer({ min: -80, max: 220 }),
    source: pick(['agent', 'simulator'], ['robot']),
    extra: fc.constant('unexpected'),
  },
  { requiredKeys: ['schema', 'serial', 'fleet_id', 'collected_at', 'model'] },
);

describe('compiled telemetry fast path', () => {
  it('accepts only what zod accepts, with exactly zod’s output', () => {
    let accepted = 0;
    fc.assert(
      fc.property(candidate, (message) => {
        const viaZod = telemetrySample.safeParse(structuredClone(message));
        const viaFast = fast(structuredClone(message));
        if (viaFast !== undefined) {
          accepted++;
          expect(viaZod.success).toBe(true);
          expect(viaFast).toEqual(viaZod.data);
        }
      }),
      { numRuns: 3_000 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('takes canonical messages, so the bulk of traffic skips zod', () => {
    const message = { schema: 'wearwatch.telemetry.v1', serial: 'SN1234', fleet_id: 'f', collected_at: '2025-01-01T00:00:00.000Z', model: 'M' };
    expect(fast(structuredClone(message))).toEqual({ ...message, firmware: '', source: 'agent' });
    expect(fast({ ...message, collected_at: '2025-01-01T00:00:00Z' })).toBeUndefined();
  });

  it('decodes through zod when the fast path declines, and the result is the same row', () => {
    const base = { schema: 'wearwatch.telemetry.v1', serial: 'SN1234', fleet_id: 'f', model: ' M ' };
    const decoded = decodeTelemetry(Buffer.from(JSON.stringify({ ...base, collected_at: '2025-01-01T02:00:00+02:00' })));
    expect(decoded).toEqual({
      ok: true,
      row: { serial: 'SN1234', fleet_id: 'f', model: 'M', collected_at: '2025-01-01T00:00:00.000Z', firmware: '', source: 'agent' },
    });
  });
});
