import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryRow } from '../../core/contracts/rows.ts';
import { quarantineRow, writeQuarantine } from '../../telemetry/door.ts';
import { openTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
  const now = new Date('2026-06-01T00:00:00Z');
  const sample = (serial: string, fleet_id: string, collected_at: string): TelemetryRow =>
    ({ serial, fleet_id, collected_at, model: 'WW-NV4-1T', firmware: '', source: 'agent', host_bytes_written: 9e15 }) as TelemetryRow;
  await writeQuarantine(api.clickhouse.client, [
    quarantineRow(sample('NV2520Q00001', 'fleet-b', '2026-05-31T00:00:00.000Z'), { kind: 'hold', code: 'unenrolled', reason: 'serial: not enrolled' }, now),
    quarantineRow(
      sample('NV2520Q00002', 'fleet-a', '9999-01-01T00:00:00.000Z'),
      { kind: 'reject', code: 'implausible_instant', reason: 'collected_at: in the future' },
      now,
    ),
  ]);
});
afterAll(() => api?.close());

describe('GET /v1/telemetry/quarantine', () => {
  it('shows admins every kept sample and fleet managers only their fleets’ ones', async () => {
    const admin = await api.auth({ name: 'admin', role: 'admin' });
    const fleetA = await api.auth({ name: 'a', role: 'fleet_manager', fleet_ids: ['fleet-a'] });
    const all = (await api.app.inject({ method: 'GET', url: '/v1/telemetry/quarantine', headers: admin })).json();
    expect(all.samples.map((s: { serial: string; state: string }) => [s.serial, s.state]).sort()).toEqual([
      ['NV2520Q00001', 'held'],
      ['NV2520Q00002', 'quarantined'],
    ]);
    const held = (await api.app.inject({ method: 'GET', url: '/v1/telemetry/quarantine?state=held', headers: admin })).json();
    expect(held.samples).toHaveLength(1);
    expect(held.samples[0]).toMatchObject({ fleet_id: 'fleet-b', reason_code: 'unenrolled', sample: { host_bytes_written: 9e15 } });
    const own = (await api.app.inject({ method: 'GET', url: '/v1/telemetry/quarantine', headers: fleetA })).json();
    expect(own.samples.map((s: { serial: string }) => s.serial)).toEqual(['NV2520Q00002']);
    expect(own.samples[0]).toMatchObject({ collected_at: '9999-01-01T00:00:00.000Z', reason: 'collected_at: in the future' });
    const quality = await api.auth({ name: 'q', role: 'quality' });
    expect((await api.app.inject({ method: 'GET', url: '/v1/telemetry/quarantine', headers: quality })).statusCode).toBe(403);
  });
});
