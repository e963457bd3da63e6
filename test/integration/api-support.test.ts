import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedDrives, type TestApi } from '../support/api.ts';
import { readJsonMessages } from '../support/kafka.ts';

let api: TestApi;
let support: { authorization: string };
let fleet: { authorization: string };

beforeAll(async () => {
  api = await openTestApi();
  await seedDrives(api.clickhouse, [
    { serial: 'NV2520S00001', model: 'WW-NV4-1T', fleet_id: 'fleet-s' },
    { serial: 'NV2520S00002', model: 'WW-NV4-1T', fleet_id: 'fleet-s' },
    { serial: 'NV2520S00003', model: 'WW-NV4-1T', fleet_id: 'fleet-s' },
  ]);
  support = await api.auth({ name: 'desk', role: 'support' });
  fleet = await api.auth({ name: 'fm', role: 'fleet_manager', fleet_ids: ['fleet-s'] });
});
afterAll(() => api?.close());

async function openRma(serial: string): Promise<string> {
  const res = await api.app.inject({
    method: 'POST',
    url: '/v1/rma',
    payload: { serial, contact: { name: 'Grace', email: 'grace@example.com' }, symptom: 'read errors on boot', data_responsibility_acknowledged: true },
  });
  expect(res.json().decision).toBe('authorised');
  return res.json().rma_number as string;
}

const step = (number: string, body: Record<string, unknown>, headers = support) =>
  api.app.inject({ method: 'POST', url: `/v1/support/rma/${number}/events`, headers, payload: body });

describe('support desk', () => {
  it('walks an RMA through received → inspected → replaced → closed, each step an event', async () => {
    const number = await openRma('NV2520S00001');
    const queue = (await api.app.inject({ method: 'GET', url: '/v1/support/rma?state=authorised', headers: support })).json();
    expect(queue.items).toContainEqual(expect.objectContaining({ rma_number: number, serial: 'NV2520S00001', state: 'authorised' }));

    const case0 = (await api.app.inject({ method: 'GET', url: `/v1/support/rma/${number}`, headers: support })).json();
    expect(case0.history[0].details.contact.email).toBe('grace@example.com');

    expect((await step(number, { type: 'received' })).json().state).toBe('received');
    const inspected = (await step(number, { type: 'inspected', findings: ['defect_confirmed', 'temperature_excursion'], note: 'NAND failure' })).json();
    expect(inspected).toMatchObject({ state: 'inspected', next_steps: ['repaired', 'replaced', 'refunded', 'inspected'] });
    const replaced = (await step(number, { type: 'replaced', replacement_serial: 'NV2520S00099' })).json();
    expect(replaced.state).toBe('replaced');
    expect(replaced.history.at(-1)).toMatchObject({ replacement_serial: 'NV2520S00099', details: { actor: expect.stringContaining('desk') } });
    expect((await step(number, { type: 'closed' })).json()).toMatchObject({ state: 'closed', next_steps: [] });

    const events = (await readJsonMessages(api.kafka, api.topics.rma, 6)).filter((m) => m.value.rma_number === number);
    expect(events.map((e) => e.value.event_type)).toEqual(['requested', 'authorised', 'received', 'inspected', 'replaced', 'closed']);
    expect(events.every((e) => e.key === 'NV2520S00001')).toBe(true);
  });

  it('rejects the claim when inspection finds an exclusion, naming it', async () => {
    const number = await openRma('NV2520S00002');
    await step(number, { type: 'received' });
    const view = (await step(number, { type: 'inspected', findings: ['liquid_damage'] })).json();
    expect(view.state).toBe('rejected');
    expect(view.reasons).toEqual([expect.objectContaining({ code: 'liquid_damage', clause: expect.stringContaining('III') })]);
    // The customer sees the decision too.
    expect((await api.app.inject({ method: 'GET', url: `/v1/rma/${number}` })).json().state).toBe('rejected');
    // A replacement is no longer possible.
    const illegal = await step(number, { type: 'replaced', replacement_serial: 'NV2520S00098' });
    expect(illegal.statusCode).toBe(409);
    expect(illegal.json().error).toMatchObject({ code: 'WW_INVALID_TRANSITION', fields: [{ field: 'body.type' }] });
    expect(illegal.json().error.message).toMatch(/rejected cannot become replaced; next may be: closed/);
  });

  it('refuses illegal transitions and invalid steps with 409 / 400', async () => {
    const number = await openRma('NV2520S00003');
    expect((await step(number, { type: 'inspected', findings: ['defect_confirmed'] })).statusCode).toBe(409);
    const noFindings = await step(number, { type: 'inspected', findings: [] });
    expect(noFindings.statusCode).toBe(400);
    expect(noFindings.json().error.fields[0].field).toBe('body.findings');
    const noSerial = await step(number, { type: 'replaced' });
    expect(noSerial.statusCode).toBe(400);
    expect((await step(number, { type: 'teleported' })).statusCode).toBe(400);
    expect((await step('RMA-ZZZZZZZZZZ', { type: 'received' })).statusCode).toBe(404);
  });

  it('is closed to other roles', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/v1/support/rma', headers: fleet })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'GET', url: '/v1/support/rma' })).statusCode).toBe(401);
  });
});
