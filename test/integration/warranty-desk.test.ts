import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addMonths, dayFromIso, isoFromDay } from '../../core/calendar.ts';
import { openTestApi, seedDrives, seedTelemetry, type TestApi } from '../support/api.ts';

/**
 * The warranty desk through the public API: the policy's readings on their boundary days, proof of purchase given with
 * a claim, replacement serials, RMA requests from strangers, status links and lapsed authorisations.
 */
let api: TestApi;
let support: { authorization: string };

const todayDay = dayFromIso(new Date().toISOString().slice(0, 10));
const day = (offset: number) => isoFromDay(todayDay + offset);
const monthsAgo = (months: number, offset = 0) => isoFromDay(addMonths(todayDay, -months) + offset);
const two = (n: number) => String(n).padStart(2, '0');
/** A TF card serial made on the 1st of the month `months` ago (the TF format encodes year and month). */
const tfSerial = (months: number, seq: string) => {
  const made = new Date(addMonths(todayDay, -months) * 86_400_000);
  return `TF${two(made.getUTCFullYear() % 100)}${two(made.getUTCMonth() + 1)}-${seq}`;
};

const receiptUnit = tfSerial(40, 'RCPT0001');

beforeAll(async () => {
  api = await openTestApi();
  support = await api.auth({ name: 'desk', role: 'support' });
  await seedDrives(api.clickhouse, [
    // Made in January 2023 and bought on the day three years before today: today is the anniversary, the last covered day.
    { serial: 'NV2301B00001', model: 'WW-NV4-1T', fleet_id: 'fleet-d', purchase_date: monthsAgo(36), proof_of_purchase: 'INV-A' },
    { serial: 'NV2301B00002', model: 'WW-NV4-1T', fleet_id: 'fleet-d', purchase_date: monthsAgo(36, -1), proof_of_purchase: 'INV-B' },
    // Long out of term; each was replaced, 90 and 91 days ago.
    { serial: 'NV2001B00010', model: 'WW-NV4-1T', fleet_id: 'fleet-d', purchase_date: '2020-02-01', proof_of_purchase: 'INV-C', price_paid: 120 },
    { serial: 'NV2001B00011', model: 'WW-NV4-1T', fleet_id: 'fleet-d', purchase_date: '2020-02-01', proof_of_purchase: 'INV-D' },
    { serial: 'NV2601B00012', model: 'WW-NV4-1T', fleet_id: 'fleet-d' },
    { serial: 'NV2601B00013', model: 'WW-NV4-1T', fleet_id: 'fleet-d' },
    // Wear exactly at and one above the rating.
    { serial: tfSerial(6, 'PEAT0001'), model: 'WW-TF-STD-64', fleet_id: 'fleet-d' },
    { serial: tfSerial(6, 'PEUP0001'), model: 'WW-TF-STD-64', fleet_id: 'fleet-d' },
    { serial: 'NV2540B00020', model: 'WW-NV4-1T', fleet_id: 'fleet-d' },
    // Enrolled without proof, made 40 months ago: out of term by its manufacturing date.
    { serial: receiptUnit, model: 'WW-TF-STD-64', fleet_id: 'fleet-d' },
    { serial: 'NV2540B00030', model: 'WW-NV4-1T', fleet_id: 'fleet-d' },
    { serial: 'NV2540B00031', model: 'WW-NV4-1T', fleet_id: 'fleet-d' },
    { serial: 'NV2540B00032', model: 'WW-NV4-1T', fleet_id: 'fleet-d', price_paid: 80 },
    { serial: 'NV2540B00033', model: 'WW-NV4-1T', fleet_id: 'fleet-d' },
    { serial: 'NV2540B00040', model: 'WW-NV4-1T', fleet_id: 'fleet-d' },
    { serial: 'NV2540B00041', model: 'WW-NV4-1T', fleet_id: 'fleet-d' },
    { serial: 'NV2540B00050', model: 'WW-NV4-1T', fleet_id: 'fleet-d', price_paid: null },
  ]);
  const yesterday = `${day(-1)}T12:00:00.000Z`;
  await seedTelemetry(api.clickhouse, [
    { serial: tfSerial(6, 'PEAT0001'), fleet_id: 'fleet-d', model: 'WW-TF-STD-64', collected_at: yesterday, avg_pe_cycles: 1000 },
    { serial: tfSerial(6, 'PEUP0001'), fleet_id: 'fleet-d', model: 'WW-TF-STD-64', collected_at: yesterday, avg_pe_cycles: 1001 },
    { serial: 'NV2540B00020', fleet_id: 'fleet-d', model: 'WW-NV4-1T', collected_at: yesterday, host_bytes_written: 600e12 },
  ]);
  await api.clickhouse.client.insert({
    table: 'rma_events',
    format: 'JSONEachRow',
    values: [
      ['NV2001B00010', 'NV2601B00012', 90, '1'],
      ['NV2001B00011', 'NV2601B00013', 91, '2'],
    ].map(([serial, replacement, ago, n]) => ({
      event_id: `00000000-0000-4000-8000-00000000000${n}`,
      rma_number: `RMA-SEED000${n}`,
      serial,
      event_type: 'replaced',
      occurred_at: `${day(-Number(ago))}T10:00:00.000Z`,
      findings: [],
      reasons: [],
      replacement_serial: replacement,
      details: '{}',
    })),
  });
});
afterAll(() => api?.close());

const lookup = async (serial: string) => (await api.app.inject({ method: 'GET', url: `/v1/warranty/${serial}` })).json();
const request = (serial: string, extra: Record<string, unknown> = {}) =>
  api.app.inject({
    method: 'POST',
    url: '/v1/rma',
    payload: { serial, contact: { name: 'Ada', email: 'ada@example.com' }, symptom: 'not detected any more', data_responsibility_acknowledged: true, ...extra },
  });
const step = (number: string, body: Record<string, unknown>) =>
  api.app.inject({ method: 'POST', url: `/v1/support/rma/${number}/events`, headers: support, payload: body });

describe('the readings on their boundary days', () => {
  it('covers the anniversary day and not the day after', async () => {
    expect(await lookup('NV2301B00001')).toMatchObject({ status: 'active', coverage: { end: day(0), days_left: 1 } });
    expect(await lookup('NV2301B00002')).toMatchObject({ status: 'expired_time', coverage: { end: day(-1), days_left: 0 } });
  });

  it('covers a replacement through d + 90 and not d + 91', async () => {
    expect(await lookup('NV2601B00012')).toMatchObject({ status: 'active', coverage: { basis: 'replacement', end: day(0) } });
    expect(await lookup('NV2601B00013')).toMatchObject({ status: 'expired_time', coverage: { basis: 'replacement', end: day(-1) } });
  });

  it('covers P/E exactly at the rating, not one above; TBW exactly at the rating is not covered', async () => {
    expect(await lookup(tfSerial(6, 'PEAT0001'))).toMatchObject({ status: 'active', wear: { used: 1000, limit: 1000 } });
    expect(await lookup(tfSerial(6, 'PEUP0001'))).toMatchObject({ status: 'expired_pe', status_reason: { code: 'pe_reached' } });
    expect(await lookup('NV2540B00020')).toMatchObject({ status: 'expired_tbw', wear: { used: 600e12, limit: 600e12 } });
  });
});

describe('proof of purchase given with a claim', () => {
  it('authorises on the receipt provisionally, then decides again from the manufacturing date when the desk rejects it', async () => {
    expect((await request(receiptUnit)).json()).toMatchObject({ decision: 'rejected', reasons: [expect.objectContaining({ code: 'term_ended' })] });
    const res = await request(receiptUnit, { proof_of_purchase: { reference: 'R-2231', purchase_date: monthsAgo(24), seller: 'Shop' } });
    const decision = res.json();
    expect(decision).toMatchObject({ decision: 'authorised', proof: { status: 'pending_verification' } });

    const view = (await step(decision.rma_number, { type: 'proof_rejected', reason: 'the receipt names another product' })).json();
    expect(view).toMatchObject({ state: 'rejected', proof: { status: 'rejected', reason: 'the receipt names another product' } });
    expect(view.reasons.map((r: { code: string }) => r.code)).toEqual(['term_ended', 'proof_rejected']);
    expect((await api.app.inject({ method: 'GET', url: decision.status_url })).json()).toMatchObject({ state: 'rejected', proof: { status: 'rejected' } });
    // A verdict is given once.
    expect((await step(decision.rma_number, { type: 'proof_verified' })).statusCode).toBe(409);
  });

  it('keeps a verified claim as it was decided', async () => {
    const decision = (await request(receiptUnit, { proof_of_purchase: { reference: 'R-2232', purchase_date: monthsAgo(20) } })).json();
    const view = (await step(decision.rma_number, { type: 'proof_verified' })).json();
    expect(view).toMatchObject({ state: 'authorised', proof: { status: 'verified' } });
  });

  it('refuses a purchase date after today or before the unit was made, naming the reason', async () => {
    const future = await request('NV2540B00030', { proof_of_purchase: { reference: 'R-1', purchase_date: day(1) } });
    expect(future.statusCode).toBe(400);
    expect(future.json().error.fields).toEqual([{ field: 'body.proof_of_purchase.purchase_date', message: expect.stringMatching(/^purchase_in_future/) }]);
    const early = await request(receiptUnit, { proof_of_purchase: { reference: 'R-1', purchase_date: monthsAgo(41) } });
    expect(early.statusCode).toBe(400);
    expect(early.json().error.fields[0].message).toMatch(/^purchase_before_manufacture/);
  });
});

describe('RMA requests from anyone holding a serial', () => {
  it("never lets a stranger's request block the owner's; the desk sees them linked", async () => {
    const stranger = (await request('NV2540B00031')).json();
    const owner = (await request('NV2540B00031')).json();
    expect([stranger.decision, owner.decision]).toEqual(['authorised', 'authorised']);
    const desk = (await api.app.inject({ method: 'GET', url: `/v1/support/rma/${owner.rma_number}`, headers: support })).json();
    expect(desk.linked_rmas).toEqual([stranger.rma_number]);
  });

  it('shows state and next step by RMA number alone, the case only through the status link', async () => {
    const decision = (await request('NV2540B00030')).json();
    const bare = (await api.app.inject({ method: 'GET', url: `/v1/rma/${decision.rma_number}` })).json();
    expect(bare).toMatchObject({ state: 'authorised', next_step: expect.stringMatching(/ship the unit/) });
    expect(bare).not.toHaveProperty('events');
    expect(bare).not.toHaveProperty('serial');
    const wrong = (await api.app.inject({ method: 'GET', url: `/v1/rma/${decision.rma_number}?token=guess` })).json();
    expect(wrong).not.toHaveProperty('events');
    expect(decision.status_url).toMatch(/\?token=[A-Za-z0-9_-]{32}$/);
    const full = (await api.app.inject({ method: 'GET', url: decision.status_url })).json();
    expect(full.events.map((e: { type: string }) => e.type)).toEqual(['requested', 'authorised']);
    expect(JSON.stringify(full)).not.toContain('ada@example.com');
  });

  it('limits public requests per serial per day', async () => {
    for (let i = 0; i < 3; i++) expect((await request('NV2540B00033')).statusCode).toBe(201);
    const over = await request('NV2540B00033');
    expect(over.statusCode).toBe(429);
    expect(over.json().error.fields[0].field).toBe('body.serial');
  });

  it('expires an authorisation whose unit was not received in time', async () => {
    const at = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    await api.clickhouse.client.insert({
      table: 'rma_events',
      format: 'JSONEachRow',
      values: ['requested', 'authorised'].map((type, i) => ({
        event_id: `00000000-0000-4000-8000-00000000010${i}`,
        rma_number: 'RMA-LAPSED0001',
        serial: 'NV2540B00030',
        event_type: type,
        occurred_at: at(31 - i / 1000),
        findings: [],
        reasons: [],
        replacement_serial: null,
        details: '{}',
      })),
    });
    const queue = (await api.app.inject({ method: 'GET', url: '/v1/support/rma?state=expired', headers: support })).json();
    expect(queue.items).toContainEqual(expect.objectContaining({ rma_number: 'RMA-LAPSED0001', state: 'expired' }));
    const status = (await api.app.inject({ method: 'GET', url: '/v1/rma/RMA-LAPSED0001' })).json();
    expect(status).toMatchObject({ state: 'expired', next_step: expect.stringMatching(/request a new RMA/), next_steps: [] });
    const received = await step('RMA-LAPSED0001', { type: 'received' });
    expect(received.statusCode).toBe(409);
  });
});

describe('replacement units', () => {
  it('registers the replacement serial: looked up and claimed right after `replaced`', async () => {
    const number = (await request('NV2540B00032')).json().rma_number;
    await step(number, { type: 'received' });
    await step(number, { type: 'inspected', findings: ['defect_confirmed'] });
    await step(number, { type: 'replaced', replacement_serial: 'NV2640B00099' });
    const replacement = await lookup('NV2640B00099');
    expect(replacement).toMatchObject({ status: 'active', model: 'WW-NV4-1T', coverage: { basis: 'replacement', start: day(0) } });
    expect((await request('NV2640B00099')).json()).toMatchObject({ decision: 'authorised' });
  });

  it('shows replacement serials and findings only to the owner', async () => {
    const anyone = await lookup('NV2540B00032');
    expect(anyone.status).toBe('replaced');
    expect(JSON.stringify(anyone)).not.toContain('NV2640B00099');
    const stranger = await api.auth({ name: 'other', role: 'fleet_manager', fleet_ids: ['fleet-x'] });
    const notOwner = (await api.app.inject({ method: 'GET', url: '/v1/warranty/NV2540B00032', headers: stranger })).json();
    expect(notOwner).not.toHaveProperty('owner');
    const owner = await api.auth({ name: 'owner', role: 'fleet_manager', fleet_ids: ['fleet-d'] });
    const mine = (await api.app.inject({ method: 'GET', url: '/v1/warranty/NV2540B00032', headers: owner })).json();
    expect(mine.owner).toMatchObject({ replaced_by: 'NV2640B00099', exclusions: [], liability_cap: { amount: 80, currency: 'USD' } });
  });
});

describe('clause III findings at inspection', () => {
  it('voids after a confirmed defect when a further inspection finds malware as the cause', async () => {
    const number = (await request('NV2540B00040')).json().rma_number;
    await step(number, { type: 'received' });
    expect((await step(number, { type: 'inspected', findings: ['defect_confirmed'] })).json().next_steps).toContain('inspected');
    const view = (await step(number, { type: 'inspected', findings: ['software_fault'] })).json();
    expect(view).toMatchObject({ state: 'rejected', reasons: [expect.objectContaining({ code: 'software_fault', clause: 'III. Other Causes' })] });
  });

  it('records write limits exceeded with the bench reading, which then counts as a sample', async () => {
    const number = (await request('NV2540B00041')).json().rma_number;
    await step(number, { type: 'received' });
    const missing = await step(number, { type: 'inspected', findings: ['write_limit_exceeded'] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.fields).toContainEqual(expect.objectContaining({ field: 'body.bench_reading' }));
    const view = (await step(number, { type: 'inspected', findings: ['write_limit_exceeded'], bench_reading: { host_bytes_written: 700e12 } })).json();
    expect(view).toMatchObject({ state: 'rejected', reasons: [expect.objectContaining({ code: 'write_limit_exceeded' })] });
    // The public lookup reads an in-memory index, fresh within its refresh interval.
    await vi.waitFor(async () => expect(await lookup('NV2540B00041')).toMatchObject({ status: 'void', wear: { used: 700e12 } }), {
      timeout: 20_000,
      interval: 500,
    });
  });
});

describe('clause V: refunds capped at the price paid', () => {
  const serviceable = async (serial: string) => {
    const number = (await request(serial)).json().rma_number as string;
    await step(number, { type: 'received' });
    await step(number, { type: 'inspected', findings: ['defect_confirmed'] });
    return number;
  };

  it("refuses a refund that would take a replacement chain's refunds above the first unit's price", async () => {
    // NV2640B00099 replaced NV2540B00032, bought for 80 USD (registered in the replacement test above).
    expect((await step(await serviceable('NV2640B00099'), { type: 'refunded', amount: 50, currency: 'USD' })).json().state).toBe('refunded');
    const second = await serviceable('NV2640B00099');
    const over = await step(second, { type: 'refunded', amount: 40, currency: 'USD' });
    expect(over.statusCode).toBe(409);
    expect(over.json().error.fields[0]).toMatchObject({
      field: 'body.amount',
      message: expect.stringMatching(/^liability_cap: .*90\.00 USD, above the 80\.00 USD paid/),
    });
    expect((await step(second, { type: 'refunded', amount: 30, currency: 'EUR' })).statusCode).toBe(409);
    expect((await step(second, { type: 'refunded', amount: 30, currency: 'USD' })).json().state).toBe('refunded');
  });

  it('treats an unknown price as "unknown, desk review", never as a cap of 0', async () => {
    const owner = await api.auth({ name: 'owner-50', role: 'fleet_manager', fleet_ids: ['fleet-d'] });
    const mine = (await api.app.inject({ method: 'GET', url: '/v1/warranty/NV2540B00050', headers: owner })).json();
    expect(mine.owner.liability_cap).toEqual({ amount: null, currency: 'USD' });
    const refused = await step(await serviceable('NV2540B00050'), { type: 'refunded', amount: 1, currency: 'USD' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.fields[0].message).toMatch(/^liability_cap_unknown: .*desk review/);
  });
});

describe('product registration by a retail customer', () => {
  const registration = (serial: string, purchase: string) => ({
    serial,
    model: 'WW-TF-PRO-128',
    proof_of_purchase: { reference: 'SHOP-991', purchase_date: purchase, seller: 'Corner shop' },
    contact: { name: 'Lin', email: 'lin@example.com' },
  });

  it('registers a unit bought in a shop: looked up on its purchase date and claimed', async () => {
    const serial = tfSerial(6, 'RETAIL01');
    const res = await api.app.inject({ method: 'POST', url: '/v1/registrations', payload: registration(serial, monthsAgo(2)) });
    expect(res.statusCode).toBe(201);
    expect(await lookup(serial)).toMatchObject({ status: 'active', coverage: { basis: 'purchase', start: monthsAgo(2) } });
    expect((await request(serial)).json()).toMatchObject({ decision: 'authorised' });
    const owner = await api.auth({ name: 'desk-view', role: 'support' });
    const desk = (await api.app.inject({ method: 'GET', url: `/v1/warranty/${serial}`, headers: owner })).json();
    expect(desk.owner.liability_cap).toEqual({ amount: null, currency: 'USD' });
  });

  it('never overwrites an enrolment: a conflicting registration answers 409 and goes to the desk', async () => {
    const before = await lookup(receiptUnit);
    const res = await api.app.inject({ method: 'POST', url: '/v1/registrations', payload: registration(receiptUnit, monthsAgo(3)) });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('WW_REGISTRATION_CONFLICT');
    expect(await lookup(receiptUnit)).toEqual(before);
    const conflicts = (await api.app.inject({ method: 'GET', url: '/v1/support/registrations/conflicts', headers: support })).json();
    expect(conflicts.items).toContainEqual(expect.objectContaining({ serial: receiptUnit, enrolled_fleet: 'fleet-d' }));
  });

  it('refuses a model outside the catalog or a purchase date before the unit was made, naming the field', async () => {
    const unknown = await api.app.inject({
      method: 'POST',
      url: '/v1/registrations',
      payload: { ...registration(tfSerial(6, 'RETAIL02'), monthsAgo(1)), model: 'X-1' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.fields[0].field).toBe('body.model');
    const early = await api.app.inject({ method: 'POST', url: '/v1/registrations', payload: registration(tfSerial(6, 'RETAIL02'), monthsAgo(7)) });
    expect(early.json().error.fields[0]).toMatchObject({
      field: 'body.proof_of_purchase.purchase_date',
      message: expect.stringMatching(/^purchase_before_manufacture/),
    });
  });

  it('offers the registration as a page that lands on the warranty lookup', async () => {
    const serial = tfSerial(6, 'RETAIL03');
    const form = new URLSearchParams({
      serial,
      model: 'WW-TF-PRO-128',
      reference: 'SHOP-2',
      purchase_date: monthsAgo(1),
      name: 'Lin',
      email: 'lin@example.com',
    });
    const res = await api.app.inject({
      method: 'POST',
      url: '/register',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/?serial=${serial}`);
    const page = await api.app.inject({ method: 'GET', url: `/?serial=${serial}` });
    expect(page.body).toMatch(/sole and exclusive remedy/);
    expect(page.body).toMatch(/10<sup>12<\/sup> bytes/);
  });
});
