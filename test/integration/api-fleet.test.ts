import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../core/catalog/load.ts';
import { runWarrantyJob } from '../../jobs/warranty-evaluation.ts';
import { todayUtc } from '../../warranty/service.ts';
import { openTestApi, seedDrives, seedTelemetry, type TestApi } from '../support/api.ts';
import { fixturePath } from '../support/ingest.ts';
import { readJsonMessages } from '../support/kafka.ts';

let api: TestApi;
let fleetA: { authorization: string };
let fleetB: { authorization: string };
let quality: { authorization: string };
let support: { authorization: string };
let admin: { authorization: string };
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

beforeAll(async () => {
  api = await openTestApi();
  await seedDrives(api.clickhouse, [
    { serial: 'NV2520A00001', model: 'WW-NV4-1T', fleet_id: 'fleet-a' },
    { serial: 'NV2520A00002', model: 'WW-NV4-512', fleet_id: 'fleet-a' },
    { serial: 'TF2503-0000000A', model: 'WW-TF-STD-64', fleet_id: 'fleet-a' },
    { serial: 'NV2520B00001', model: 'WW-NV4-1T', fleet_id: 'fleet-b' },
  ]);
  await seedTelemetry(api.clickhouse, [
    { serial: 'NV2520A00001', fleet_id: 'fleet-a', model: 'WW-NV4-1T', collected_at: daysAgo(2), host_bytes_written: 50e12, temperature_c: 41 },
    { serial: 'NV2520A00001', fleet_id: 'fleet-a', model: 'WW-NV4-1T', collected_at: daysAgo(1), host_bytes_written: 60e12, temperature_c: 42 },
    // 270 of 300 TB: 90 %, past the 80 % warning and below the 95 % critical threshold.
    { serial: 'NV2520A00002', fleet_id: 'fleet-a', model: 'WW-NV4-512', collected_at: daysAgo(1), host_bytes_written: 270e12, temperature_c: 80 },
    // 990 of 1000 P/E cycles: critical.
    { serial: 'TF2503-0000000A', fleet_id: 'fleet-a', model: 'WW-TF-STD-64', collected_at: daysAgo(1), avg_pe_cycles: 990 },
    { serial: 'NV2520B00001', fleet_id: 'fleet-b', model: 'WW-NV4-1T', collected_at: daysAgo(1), host_bytes_written: 610e12 },
  ]);
  await runWarrantyJob({ client: api.clickhouse.client, catalog: loadCatalog(), at: todayUtc(), thresholds: { warnPct: 80, criticalPct: 95, endingDays: 90 } });
  [fleetA, fleetB, quality, support, admin] = await Promise.all([
    api.auth({ name: 'a', role: 'fleet_manager', fleet_ids: ['fleet-a'] }),
    api.auth({ name: 'b', role: 'fleet_manager', fleet_ids: ['fleet-b'] }),
    api.auth({ name: 'q', role: 'quality' }),
    api.auth({ name: 's', role: 'support' }),
    api.auth({ name: 'root', role: 'admin' }),
  ]);
}, 120_000);
afterAll(() => api?.close());

const get = (url: string, headers: Record<string, string> = {}) => api.app.inject({ method: 'GET', url, headers });

describe('API keys', () => {
  it('answers 401 without a key, with a malformed or unknown key, and 403 for the wrong role', async () => {
    expect((await get('/v1/fleets/fleet-a/drives')).json().error.code).toBe('WW_UNAUTHORIZED');
    expect((await get('/v1/fleets/fleet-a/drives', { authorization: 'Bearer nonsense' })).statusCode).toBe(401);
    const forged = fleetA.authorization.slice(0, -4) + 'AAAA';
    expect((await get('/v1/fleets/fleet-a/drives', { authorization: forged })).statusCode).toBe(401);
    const wrongRole = await get('/v1/fleets/fleet-a/drives', support);
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json().error.code).toBe('WW_FORBIDDEN');
  });

  it('stops accepting a key once it is revoked', async () => {
    const { key, stored } = await api.keys.create({ name: 'temp', role: 'quality' });
    expect((await get('/v1/fleets', { authorization: `Bearer ${key}` })).statusCode).toBe(200);
    const rows = await (
      await api.clickhouse.client.query({
        query: 'SELECT secret_hash FROM api_keys WHERE key_id = {id:String}',
        query_params: { id: stored.keyId },
        format: 'JSONEachRow',
      })
    ).json<{ secret_hash: string }>();
    expect(rows[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    // The secret is base64url and may itself hold underscores: it is everything after the id.
    const secret = /^wwk_[0-9a-f]{16}_(.+)$/.exec(key)![1]!;
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(await api.keys.revoke(stored.keyId)).toBe(true);
    expect((await get('/v1/fleets', { authorization: `Bearer ${key}` })).statusCode).toBe(401);
  });

  it('lets admins create, list and revoke keys over HTTP', async () => {
    const created = await api.app.inject({ method: 'POST', url: '/v1/admin/keys', headers: admin, payload: { name: 'desk', role: 'support' } });
    expect(created.statusCode).toBe(201);
    const { key, info } = created.json();
    expect(key).toMatch(/^wwk_[0-9a-f]{16}_/);
    expect((await get('/v1/admin/keys', admin)).json().keys.map((k: { key_id: string }) => k.key_id)).toContain(info.key_id);
    expect((await api.app.inject({ method: 'DELETE', url: `/v1/admin/keys/${info.key_id}`, headers: admin })).statusCode).toBe(200);
    expect((await get('/v1/support/rma', { authorization: `Bearer ${key}` })).statusCode).toBe(401);
    const invalid = await api.app.inject({ method: 'POST', url: '/v1/admin/keys', headers: admin, payload: { name: 'x', role: 'fleet_manager' } });
    expect(invalid.json().error.fields).toContainEqual({ field: 'body.fleet_ids', message: 'a fleet_manager key names at least one fleet' });
    expect((await get('/v1/admin/keys', fleetA)).statusCode).toBe(403);
  });
});

describe('tenant isolation', () => {
  const fleetBUrls = [
    '/v1/fleets/fleet-b/summary',
    '/v1/fleets/fleet-b/drives',
    '/v1/fleets/fleet-b/drives/NV2520B00001',
    '/v1/fleets/fleet-b/drives/NV2520B00001/telemetry',
    // Fleet B's drive through fleet A's own path.
    '/v1/fleets/fleet-a/drives/NV2520B00001',
    '/v1/fleets/fleet-a/drives/NV2520B00001/telemetry',
  ];

  it.each(fleetBUrls)('fleet A key gets 404 with no data for %s', async (url) => {
    const res = await get(url, fleetA);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('WW_NOT_FOUND');
    expect(res.body).not.toContain('610');
  });

  it('the same URLs answer for fleet B itself', async () => {
    for (const url of fleetBUrls.slice(0, 4)) expect((await get(url, fleetB)).statusCode, url).toBe(200);
  });

  it('fleet A cannot enrol fleet B’s drive, nor post telemetry for it or for fleet B', async () => {
    const enrol = await api.app.inject({
      method: 'POST',
      url: '/v1/fleets/fleet-a/enrollments',
      headers: fleetA,
      payload: { drives: [{ serial: 'NV2520B00001', model: 'WW-NV4-1T', price_paid: 1 }] },
    });
    expect(enrol.json()).toMatchObject({ accepted: 0, rejected: 1 });
    const enrolB = await api.app.inject({
      method: 'POST',
      url: '/v1/fleets/fleet-b/enrollments',
      headers: fleetA,
      payload: { drives: [{ serial: 'NV2520C00001', model: 'WW-NV4-1T', price_paid: 1 }] },
    });
    expect(enrolB.statusCode).toBe(404);
    const sample = { schema: 'wearwatch.telemetry.v1', collected_at: daysAgo(0), model: 'WW-NV4-1T', host_bytes_written: 1 };
    const telemetry = await api.app.inject({
      method: 'POST',
      url: '/v1/telemetry',
      headers: fleetA,
      payload: {
        items: [
          { ...sample, serial: 'NV2520B00001', fleet_id: 'fleet-a' },
          { ...sample, serial: 'NV2520X00001', fleet_id: 'fleet-b' },
        ],
      },
    });
    expect(telemetry.json()).toMatchObject({ accepted: 0, rejected: 2 });
  });

  it('lists only the key’s fleets; quality sees all', async () => {
    expect((await get('/v1/fleets', fleetA)).json().fleets).toEqual([{ fleet_id: 'fleet-a', drives: 3 }]);
    expect((await get('/v1/fleets', quality)).json().fleets.map((f: { fleet_id: string }) => f.fleet_id)).toEqual(['fleet-a', 'fleet-b']);
  });
});

describe('fleet views', () => {
  it('lists drives most worn first with wear levels and the bulk warranty status', async () => {
    const body = (await get('/v1/fleets/fleet-a/drives', fleetA)).json();
    expect(body.total).toBe(3);
    expect(body.drives.map((d: { serial: string; wear_level: string }) => [d.serial, d.wear_level])).toEqual([
      ['TF2503-0000000A', 'critical'],
      ['NV2520A00002', 'warn'],
      ['NV2520A00001', 'ok'],
    ]);
    expect(body.drives[1]).toMatchObject({ wear_pct: 90, warranty_status: 'active', temp_out_of_range: true });
  });

  it('filters by near TBW, near P/E, model, level and warranty status', async () => {
    const serials = async (query: string) => (await get(`/v1/fleets/fleet-a/drives?${query}`, fleetA)).json().drives.map((d: { serial: string }) => d.serial);
    expect(await serials('near=tbw')).toEqual(['NV2520A00002']);
    expect(await serials('near=pe')).toEqual(['TF2503-0000000A']);
    expect(await serials('model=WW-NV4-1T')).toEqual(['NV2520A00001']);
    expect(await serials('level=critical')).toEqual(['TF2503-0000000A']);
    expect(await serials('status=active&limit=2')).toHaveLength(2);
    expect((await get('/v1/fleets/fleet-b/drives?status=expired_tbw', fleetB)).json().drives).toHaveLength(1);
    const bad = await get('/v1/fleets/fleet-a/drives?near=tb&limit=0', fleetA);
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.fields.map((f: { field: string }) => f.field)
        .sort(),
    ).toEqual(['query.limit', 'query.near']);
  });

  it('summarises the fleet', async () => {
    const body = (await get('/v1/fleets/fleet-a/summary', quality)).json();
    expect(body.totals).toMatchObject({ drives: 3, reporting: 3, warn: 1, critical: 1, temp_out_of_range: 1 });
    expect(body.models).toContainEqual(expect.objectContaining({ model: 'WW-NV4-512', drives: 1, near_limit: 1 }));
    expect(body.warranty).toEqual([{ status: 'active', drives: 3 }]);
  });

  it('lists the flags the latest evaluation raised, for that fleet only', async () => {
    const body = (await get('/v1/fleets/fleet-a/flags', fleetA)).json();
    expect(body.fleet_id).toBe('fleet-a');
    const near = body.flags.filter((f: { flag: string }) => f.flag.startsWith('near_'));
    expect(near.map((f: { serial: string; flag: string; level: string; threshold: number }) => [f.serial, f.flag, f.level, f.threshold]).sort()).toEqual([
      ['NV2520A00002', 'near_tbw', 'warn', 80],
      ['TF2503-0000000A', 'near_pe', 'critical', 95],
    ]);
    expect(near.find((f: { serial: string }) => f.serial === 'NV2520A00002').value).toBeCloseTo(90, 6);
    expect(body.flags.map((f: { serial: string }) => f.serial)).not.toContain('NV2520B00001');
    const onlyPe = (await get('/v1/fleets/fleet-a/flags?flag=near_pe', quality)).json();
    expect(onlyPe.flags.map((f: { serial: string }) => f.serial)).toEqual(['TF2503-0000000A']);
    expect((await get('/v1/fleets/fleet-a/flags', fleetB)).statusCode).toBe(404);
    expect((await get('/v1/fleets/fleet-a/flags?flag=nearly', fleetA)).json().error.fields[0].field).toBe('query.flag');
  });

  it('shows one drive’s evaluation and telemetry history', async () => {
    const drive = (await get('/v1/fleets/fleet-a/drives/NV2520A00001', fleetA)).json();
    expect(drive.warranty).toMatchObject({ status: 'active', fleet_id: 'fleet-a', claim: { liability_cap: { amount: 100, currency: 'USD' } } });
    const history = (await get('/v1/fleets/fleet-a/drives/NV2520A00001/telemetry', fleetA)).json();
    expect(history.samples.map((s: { host_bytes_written: number }) => s.host_bytes_written)).toEqual([60e12, 50e12]);
    const ranged = (await get(`/v1/fleets/fleet-a/drives/NV2520A00001/telemetry?from=${encodeURIComponent(daysAgo(1.5))}`, fleetA)).json();
    expect(ranged.samples).toHaveLength(1);
  });
});

describe('bulk enrolment', () => {
  it('accepts JSON drives, rejects bad ones with reasons, and produces the accepted to Kafka', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/fleets/fleet-a/enrollments',
      headers: fleetA,
      payload: {
        drives: [
          { serial: 'NV2521A00010', model: 'WW-NV4-2T', price_paid: 199.99, purchase_date: '2025-06-01', proof_of_purchase: 'INV-9' },
          { serial: 'NV2521A00011', model: 'WW-NV4-2T', price_paid: -1 },
          'not an object',
        ],
      },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 1, rejected: 2 });
    expect(body.items[1]).toMatchObject({ serial: 'NV2521A00011', status: 'rejected' });
    expect(body.items[1].reasons[0]).toMatch(/^price_paid:/);
    const [message] = await readJsonMessages(api.kafka, api.topics.enrollment, 1);
    expect(message).toMatchObject({ key: 'NV2521A00010', value: { schema: 'wearwatch.enrollment.v1', fleet_id: 'fleet-a', price_paid: 199.99 } });
  });

  it('accepts CSV with a header line, quoted fields included', async () => {
    const csv = 'serial,model,price_paid,proof_of_purchase\r\nNV2521A00020,WW-SA3-1T,89.5,"INV-1, shop ""B"""\nNV2521A00021,WW-SA3-1T,abc,\n';
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/fleets/fleet-a/enrollments',
      headers: { ...fleetA, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 1 });
    const messages = await readJsonMessages(api.kafka, api.topics.enrollment, 2);
    // Partitions interleave: find the message by its key.
    expect(messages.find((m) => m.key === 'NV2521A00020')?.value).toMatchObject({ proof_of_purchase: 'INV-1, shop "B"', price_paid: 89.5 });
    const badHeader = await api.app.inject({
      method: 'POST',
      url: '/v1/fleets/fleet-a/enrollments',
      headers: { ...fleetA, 'content-type': 'text/csv' },
      payload: 'serial,colour\nX,Y',
    });
    expect(badHeader.statusCode).toBe(400);
    expect(badHeader.json().error.message).toMatch(/unknown column\(s\) colour/);
  });
});

describe('telemetry gateway', () => {
  it('produces valid samples and smartctl documents keyed by serial and explains each rejection', async () => {
    const smartctl = JSON.parse(readFileSync(fixturePath('smart-nvme.json'), 'utf8'));
    const hdd = JSON.parse(readFileSync(fixturePath('smart-ata.json'), 'utf8'));
    const at = daysAgo(0);
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/telemetry',
      headers: fleetA,
      payload: {
        items: [
          { schema: 'wearwatch.telemetry.v1', serial: 'NV2520A00001', fleet_id: 'fleet-a', collected_at: at, model: 'WW-NV4-1T', host_bytes_written: 61e12 },
          { schema: 'wearwatch.telemetry.smartctl.v1', fleet_id: 'fleet-a', collected_at: at, smartctl },
          { schema: 'wearwatch.telemetry.smartctl.v1', fleet_id: 'fleet-a', collected_at: at, smartctl: hdd },
          { schema: 'wearwatch.telemetry.v1', serial: 'NV2520A00001', fleet_id: 'fleet-a', collected_at: 'yesterday', model: 'WW-NV4-1T' },
          42,
        ],
      },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    // The smartctl document's serial is not enrolled: its sample is held until it is, and says so.
    expect(body).toMatchObject({ accepted: 1, held: 1, quarantined: 0, rejected: 3 });
    expect(body.items[1]).toMatchObject({ status: 'held', reasons: [expect.stringMatching(/^serial: BTNH93710FS91P0B is not enrolled/)] });
    expect(body.items[2].reasons[0]).toMatch(/^smartctl: /);
    expect(body.items[3].reasons[0]).toMatch(/^collected_at: /);
    const messages = await readJsonMessages(api.kafka, api.topics.telemetry, 2);
    expect(messages.find((m) => m.key === 'NV2520A00001')?.value).toMatchObject({ source: 'gateway', host_bytes_written: 61e12 });
    expect(body.items[1].serial).toBe('BTNH93710FS91P0B');
    expect(messages.find((m) => m.key === 'BTNH93710FS91P0B')?.value.schema).toBe('wearwatch.telemetry.smartctl.v1');
  });

  it('answers a rollback as quarantined and a far-future sample as rejected, with the reasons', async () => {
    const base = { schema: 'wearwatch.telemetry.v1', serial: 'NV2520A00001', fleet_id: 'fleet-a', model: 'WW-NV4-1T' };
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/telemetry',
      headers: fleetA,
      payload: {
        items: [
          { ...base, collected_at: new Date().toISOString(), host_bytes_written: 1e12 },
          { ...base, collected_at: '9999-01-01T00:00:00Z', host_bytes_written: 9e15 },
        ],
      },
    });
    expect(res.json()).toMatchObject({ accepted: 0, quarantined: 1, rejected: 1 });
    expect(res.json().items[0].reasons[0]).toMatch(/^host_bytes_written: 1000000000000 is below the unit's known maximum/);
    expect(res.json().items[1].reasons[0]).toMatch(/^collected_at: 9999-01-01T00:00:00.000Z is more than 24 h in the future/);
  });

  it('refuses an empty batch and keys of other roles', async () => {
    expect((await api.app.inject({ method: 'POST', url: '/v1/telemetry', headers: fleetA, payload: { items: [] } })).json().error.fields[0].field).toBe(
      'body.items',
    );
    expect((await api.app.inject({ method: 'POST', url: '/v1/telemetry', headers: quality, payload: { items: [1] } })).statusCode).toBe(403);
  });
});
