import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { evaluateUnit } from '../../warranty/evaluate.ts';
import { evaluateSerial } from '../../warranty/queries.ts';
import { todayUtc } from '../../warranty/service.ts';
import { WarrantyIndex } from '../../warranty/unit-index.ts';
import { seedDrives, seedTelemetry } from '../support/api.ts';
import { openTestClickHouse } from '../support/clickhouse.ts';

let clickhouse: ClickHouse;
const catalog = loadCatalog();
const logger = createLogger(loadConfig({ WEARWATCH_LOG_LEVEL: 'error' }));
const today = todayUtc();
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

async function rmaEvent(serial: string, rma: string, type: string, at: string, extra: { findings?: string[]; replacement_serial?: string } = {}) {
  await clickhouse.client.insert({
    table: 'rma_events',
    format: 'JSONEachRow',
    values: [
      {
        event_id: randomUUID(),
        rma_number: rma,
        serial,
        event_type: type,
        occurred_at: at,
        findings: extra.findings ?? [],
        reasons: [],
        replacement_serial: extra.replacement_serial ?? null,
        details: '{}',
      },
    ],
  });
}

const serials = ['NV2401I00001', 'NV2401I00002', 'NV2401I00003', 'NV2401I00004', 'TF2402-0000000I', 'NV2401I00005', 'NV2401I00006'];

beforeAll(async () => {
  clickhouse = await openTestClickHouse();
  await seedDrives(clickhouse, [
    { serial: serials[0]!, model: 'WW-NV4-1T', fleet_id: 'f' },
    { serial: serials[1]!, model: 'WW-NV4-512', fleet_id: 'f', purchase_date: '2024-03-01', proof_of_purchase: 'INV', price_paid: 80 },
    { serial: serials[2]!, model: 'WW-NV4-1T', fleet_id: 'f' },
    { serial: serials[3]!, model: 'WW-NV4-1T', fleet_id: 'f' },
    { serial: serials[4]!, model: 'WW-TF-STD-64', fleet_id: 'f' },
    { serial: serials[5]!, model: 'WW-NV4-1T', fleet_id: 'f' },
    { serial: serials[6]!, model: 'WW-NOT-IN-CATALOG', fleet_id: 'f' },
  ]);
  await seedTelemetry(clickhouse, [
    { serial: serials[0]!, fleet_id: 'f', model: 'WW-NV4-1T', collected_at: daysAgo(90), host_bytes_written: 10e12, temperature_c: 30 },
    { serial: serials[0]!, fleet_id: 'f', model: 'WW-NV4-1T', collected_at: daysAgo(20), host_bytes_written: 50e12, temperature_c: 75 },
    { serial: serials[0]!, fleet_id: 'f', model: 'WW-NV4-1T', collected_at: daysAgo(1), host_bytes_written: 70e12, temperature_c: 40 },
    { serial: serials[1]!, fleet_id: 'f', model: 'WW-NV4-512', collected_at: daysAgo(2), host_bytes_written: 301e12 },
    { serial: serials[4]!, fleet_id: 'f', model: 'WW-TF-STD-64', collected_at: daysAgo(10), avg_pe_cycles: 400 },
    { serial: serials[4]!, fleet_id: 'f', model: 'WW-TF-STD-64', collected_at: daysAgo(3), avg_pe_cycles: 430 },
  ]);
  // serial 2 was replaced by serial 3, which was later replaced by serial 5; serial 0 was repaired once.
  await rmaEvent(serials[2]!, 'RMA-AAAA0001', 'replaced', daysAgo(200), { replacement_serial: serials[3]! });
  await rmaEvent(serials[3]!, 'RMA-AAAA0002', 'replaced', daysAgo(30), { replacement_serial: serials[5]! });
  await rmaEvent(serials[0]!, 'RMA-AAAA0003', 'repaired', daysAgo(50));
  await rmaEvent(serials[1]!, 'RMA-AAAA0004', 'inspected', daysAgo(5), { findings: ['liquid_damage'] });
});
afterAll(() => clickhouse?.close());

async function expectSameAsLoader(index: WarrantyIndex) {
  for (const serial of serials) {
    const fromIndex = evaluateUnit(index.inputs(serial, today)!, today, catalog);
    expect(fromIndex, serial).toEqual(await evaluateSerial(clickhouse.client, catalog, serial, today));
  }
}

describe('warranty index', () => {
  it('evaluates every unit exactly as the single-unit loader does', async () => {
    const index = new WarrantyIndex(clickhouse.client, logger);
    expect(await index.refresh()).toBe(serials.length);
    await expectSameAsLoader(index);
    expect(index.inputs('NV2401NOPE01', today)).toBeUndefined();
  });

  it('takes in new telemetry, enrolments and RMA events on the next refresh', async () => {
    const index = new WarrantyIndex(clickhouse.client, logger);
    await index.refresh();
    await seedTelemetry(clickhouse, [{ serial: serials[0]!, fleet_id: 'f', model: 'WW-NV4-1T', collected_at: daysAgo(0), host_bytes_written: 75e12 }]);
    await seedDrives(clickhouse, [{ serial: 'NV2401I00099', model: 'WW-NV4-2T', fleet_id: 'f' }]);
    await rmaEvent(serials[5]!, 'RMA-AAAA0005', 'inspected', daysAgo(0), { findings: ['tampered_label'] });
    await index.refresh();
    expect(index.inputs(serials[0]!, today)!.telemetry!.latest!.host_bytes_written).toBe(75e12);
    expect(evaluateUnit(index.inputs(serials[5]!, today)!, today, catalog).status).toBe('void');
    expect(index.size).toBe(serials.length + 1);
    await expectSameAsLoader(index);
  });
});
