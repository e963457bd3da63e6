import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRma } from '../../core/contracts/rows.ts';
import { openTestApi, seedDrives, seedTelemetry, type TestApi } from '../support/api.ts';
import { readJsonMessages } from '../support/kafka.ts';

let api: TestApi;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

beforeAll(async () => {
  api = await openTestApi();
  await seedDrives(api.clickhouse, [
    // Manufactured in ISO week 20 of 2025 (Monday 2025-05-12), no proof of purchase: coverage starts there.
    { serial: 'NV2520A00001', model: 'WW-NV4-1T', fleet_id: 'fleet-a' },
    { serial: 'NV2520A00002', model: 'WW-NV4-512', fleet_id: 'fleet-a', purchase_date: '2025-06-01', proof_of_purchase: 'INV-1', price_paid: 59.99 },
    { serial: 'NV2520A00003', model: 'WW-NV4-1T', fleet_id: 'fleet-a' },
  ]);
  await seedTelemetry(api.clickhouse, [
    { serial: 'NV2520A00001', fleet_id: 'fleet-a', model: 'WW-NV4-1T', collected_at: daysAgo(20), host_bytes_written: 100e12 },
    { serial: 'NV2520A00001', fleet_id: 'fleet-a', model: 'WW-NV4-1T', collected_at: daysAgo(0), host_bytes_written: 120e12 },
    { serial: 'NV2520A00002', fleet_id: 'fleet-a', model: 'WW-NV4-512', collected_at: daysAgo(1), host_bytes_written: 310e12 },
  ]);
});
afterAll(() => api?.close());

const rmaBody = (serial: string) => ({
  serial,
  contact: { name: 'Ada Lovelace', email: 'ada@example.com' },
  symptom: 'drive disappears from the BIOS after a few minutes',
  data_responsibility_acknowledged: true,
});

describe('GET /v1/warranty/{serial}', () => {
  it('answers coverage, its basis, and TBW used and remaining, without owner details', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/warranty/NV2520A00001' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('active');
    expect(body.coverage).toMatchObject({ start: '2025-05-12', basis: 'manufacture', end: '2028-05-12' });
    expect(body.wear).toMatchObject({ metric: 'tbw', limit: 600e12, used: 120e12, remaining: 480e12, used_pct: 20 });
    // 20 TB in 20 days: 1 TB/day leaves 480 days of rated life.
    expect(body.wear.remaining_life_days).toBeGreaterThan(470);
    expect(body.wear.remaining_life_days).toBeLessThan(490);
    expect(JSON.stringify(body)).not.toMatch(/fleet|liability|price|INV-/);
  });

  it('names TBW exhaustion as the reason coverage ended', async () => {
    const body = (await api.app.inject({ method: 'GET', url: '/v1/warranty/NV2520A00002' })).json();
    expect(body.status).toBe('expired_tbw');
    expect(body.coverage.basis).toBe('purchase');
    expect(body.claim.eligible).toBe(false);
    expect(body.claim.failing.map((f: { code: string }) => f.code)).toContain('tbw_reached');
  });

  it('answers 404 for an unknown serial and 400 naming the field for a malformed one', async () => {
    const missing = await api.app.inject({ method: 'GET', url: '/v1/warranty/NV2520ZZZZZZ' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('WW_NOT_FOUND');
    const bad = await api.app.inject({ method: 'GET', url: '/v1/warranty/a%20b' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('WW_VALIDATION');
    expect(bad.json().error.fields).toContainEqual({ field: 'params.serial', message: 'letters, digits, dot, dash or underscore only' });
  });
});

describe('GET /v1/models', () => {
  it('lists every catalog model with its TBW or P/E rating and warranty term', async () => {
    const { models } = (await api.app.inject({ method: 'GET', url: '/v1/models' })).json();
    expect(models.length).toBeGreaterThanOrEqual(11);
    expect(models.find((m: { model: string }) => m.model === 'WW-NV4-1T')).toMatchObject({ kind: 'ssd', tbw_tb: 600, pe_cycles: null, warranty_months: 36 });
    expect(models.find((m: { model: string }) => m.model === 'WW-TF-PRO-128')).toMatchObject({ kind: 'tf', tbw_tb: null, pe_cycles: 3000 });
  });
});

describe('RMA requests', () => {
  it('authorises an eligible unit, emits requested + authorised, and is readable at once', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/rma', payload: rmaBody('NV2520A00001') });
    expect(res.statusCode).toBe(201);
    const decision = res.json();
    expect(decision.decision).toBe('authorised');
    expect(decision.rma_number).toMatch(/^RMA-[0-9A-Z]{10}$/);
    expect(decision.shipping.mailing_address.length).toBeGreaterThan(1);
    expect(decision.shipping.packaging.join(' ')).toMatch(/RMA number/);

    const status = (await api.app.inject({ method: 'GET', url: decision.status_url })).json();
    expect(status.state).toBe('authorised');
    expect(status.events.map((e: { type: string }) => e.type)).toEqual(['requested', 'authorised']);
    expect(JSON.stringify(status)).not.toContain('ada@example.com');

    const messages = await readJsonMessages(api.kafka, api.topics.rma, 2);
    expect(messages.map((m) => [m.key, m.value.event_type])).toEqual([
      ['NV2520A00001', 'requested'],
      ['NV2520A00001', 'authorised'],
    ]);
    // When ingest delivers the same events, they collapse onto the rows written directly.
    const rows = messages.map((m) => decodeRma(Buffer.from(JSON.stringify(m.value))));
    await api.clickhouse.client.insert({ table: 'rma_events', format: 'JSONEachRow', values: rows.map((r) => (r.ok ? r.row : null)).filter(Boolean) });
    const again = (await api.app.inject({ method: 'GET', url: decision.status_url })).json();
    expect(again.events).toHaveLength(2);
  });

  it('decides a second request on its own while one is open for the unit (never blocked by another requester)', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/rma', payload: rmaBody('NV2520A00001') });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ decision: 'authorised', reasons: [] });
  });

  it('refuses a unit past its TBW rating with the named rule', async () => {
    const decision = (await api.app.inject({ method: 'POST', url: '/v1/rma', payload: rmaBody('NV2520A00002') })).json();
    expect(decision.decision).toBe('rejected');
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'tbw_reached', clause: expect.stringContaining('III') }));
    const status = (await api.app.inject({ method: 'GET', url: decision.status_url })).json();
    expect(status.state).toBe('rejected');
    expect(status.reasons.map((r: { code: string }) => r.code)).toContain('tbw_reached');
  });

  it('requires the data acknowledgement and a valid contact, naming each field', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/rma',
      payload: { ...rmaBody('NV2520A00003'), data_responsibility_acknowledged: false, contact: { name: 'x', email: 'not-mail' } },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.data_responsibility_acknowledged', 'body.contact.email']));
  });

  it('answers 404 for an unknown serial or RMA number, 400 for a malformed number', async () => {
    expect((await api.app.inject({ method: 'POST', url: '/v1/rma', payload: rmaBody('NV2520NOTHER') })).statusCode).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: '/v1/rma/RMA-ZZZZZZZZZZ' })).statusCode).toBe(404);
    const bad = await api.app.inject({ method: 'GET', url: '/v1/rma/12345' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields[0].field).toBe('params.number');
  });
});

describe('operations endpoints', () => {
  it('serves OpenAPI 3 generated from the route schemas, and a docs page', async () => {
    const spec = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/warranty/{serial}', '/v1/rma', '/v1/fleets/{fleetId}/drives', '/v1/telemetry']));
    expect(spec.paths['/v1/rma'].post.requestBody.content['application/json'].schema).toBeDefined();
    const docs = await api.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('/v1/support/rma/{number}/events');
  });

  it('reports readiness and Prometheus metrics with per-route counters', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    expect((await api.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const metrics = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/wearwatch_api_requests_total\{route="\/v1\/warranty\/:serial",method="GET",status="200"\} \d+/);
    expect(metrics.body).toContain('# TYPE wearwatch_ingest_consumed_total counter');
  });

  it('answers unknown routes and unsupported bodies with the JSON error format', async () => {
    const none = await api.app.inject({ method: 'GET', url: '/v1/nothing' });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('WW_NOT_FOUND');
    const broken = await api.app.inject({ method: 'POST', url: '/v1/rma', headers: { 'content-type': 'application/json' }, payload: '{"serial":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('WW_BAD_REQUEST');
  });
});
