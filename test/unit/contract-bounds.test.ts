import { describe, expect, it } from 'vitest';
import { decodeEnrollment, decodeRma, decodeTelemetry } from '../../core/contracts/rows.ts';

const json = (value: object) => Buffer.from(JSON.stringify(value));
const enrolment = {
  schema: 'wearwatch.enrollment.v1',
  serial: 'NV2520A00001',
  model: 'WW-NV4-1T',
  fleet_id: 'fleet-a',
  price_paid: 10,
  enrolled_at: '2025-01-01T00:00:00Z',
};
const rma = {
  schema: 'wearwatch.rma.v1',
  event_id: '3f1c1d6e-4a3b-4c55-8a39-2f1f5a3c9e10',
  rma_number: 'RMA-0001',
  serial: 'NV2520A00001',
  event_type: 'requested',
  occurred_at: '2025-01-01T00:00:00Z',
};

describe('contract dates and sizes bounded to what the columns store', () => {
  it('refuses a purchase_date or enrolled_at beyond 2299 with a reason instead of letting the insert clamp it', () => {
    // The last storable day is refused only for being after the enrolment, not for being out of range.
    expect(decodeEnrollment(json({ ...enrolment, purchase_date: '2299-12-31' }))).toEqual({
      ok: false,
      reason: expect.stringMatching(/^purchase_date: purchase_in_future/),
    });
    expect(decodeEnrollment(json({ ...enrolment, purchase_date: '2299-12-31', enrolled_at: '2299-12-31T12:00:00Z' })).ok).toBe(true);
    expect(decodeEnrollment(json({ ...enrolment, purchase_date: '9999-12-31' }))).toEqual({
      ok: false,
      reason: expect.stringMatching(/^purchase_date: outside the storable range 1900-01-01 to 2299-12-31/),
    });
    expect(decodeEnrollment(json({ ...enrolment, purchase_date: '1899-12-31' })).ok).toBe(false);
    expect(decodeEnrollment(json({ ...enrolment, enrolled_at: '9999-01-01T00:00:00Z' }))).toMatchObject({ ok: false, reason: /^enrolled_at: outside/ });
  });

  it('leaves telemetry instants to the door, which keeps the sample for review', () => {
    const sample = { schema: 'wearwatch.telemetry.v1', serial: 'NV2520A00001', fleet_id: 'f', collected_at: '9999-01-01T00:00:00.000Z', model: 'WW-NV4-1T' };
    expect(decodeTelemetry(json(sample)).ok).toBe(true);
  });

  it('refuses RMA details larger than 16 KiB', () => {
    expect(decodeRma(json({ ...rma, details: { note: 'x'.repeat(16_000) } })).ok).toBe(true);
    expect(decodeRma(json({ ...rma, details: { note: 'x'.repeat(900_000) } }))).toEqual({ ok: false, reason: 'details: at most 16384 bytes as JSON' });
  });
});
