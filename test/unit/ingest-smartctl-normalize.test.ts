import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeSmartctl } from '../../core/contracts/smartctl/normalize.ts';
import { sataAttributes } from '../../core/contracts/smartctl/sata-attributes.ts';
import { fixturePath, smartctlFixtures } from '../support/ingest.ts';

const context = { fleet_id: 'fleet-a', collected_at: '2025-03-01T12:00:00+02:00' };
const load = (name: string) => JSON.parse(readFileSync(fixturePath(name), 'utf8')) as Record<string, any>;

/** What each real fixture must become, worked out by hand from the document. */
const expected: Record<string, { reason: RegExp } | Record<string, unknown>> = {
  'smart-nvme.json': {
    serial: 'BTNH93710FS91P0B',
    model: 'INTEL SSDPEKNW010T8',
    firmware: '002C',
    host_bytes_written: 7_773_431 * 512_000,
    percentage_used: 0,
    available_spare_pct: 100,
    media_errors: 0,
    power_on_hours: 2401,
    power_cycles: 266,
    unsafe_shutdowns: 43,
    temperature_c: 36,
    critical_warning: 0,
  },
  'smart-nvme-failed.json': {
    serial: 'S466NX0M776250H',
    host_bytes_written: 65_602_088 * 512_000,
    percentage_used: 3,
    available_spare_pct: 99,
    media_errors: 7,
    power_on_hours: 12_798,
    unsafe_shutdowns: 10,
    temperature_c: 35,
  },
  'smart-ata-full.json': {
    serial: 'S3YZNB0KB00864E',
    model: 'Samsung SSD 860 EVO 500GB',
    host_bytes_written: 64_777_770_148 * 512,
    avg_pe_cycles: 278,
    power_on_hours: 14_551,
    power_cycles: 13,
    unsafe_shutdowns: 4,
    temperature_c: 36,
    media_errors: 0,
  },
  'smart-ata-failed-scrutiny.json': { serial: 'S14LNEACC02756X', host_bytes_written: 10_935_822_505 * 512, avg_pe_cycles: 14, temperature_c: 33 },
  'smart-ata2.json': { serial: 'S24ZN902000L', host_bytes_written: 1_047_174_917 * 512, avg_pe_cycles: 5, temperature_c: 32 },
  'smart-ata.json': { reason: /rotating disk \(HDD, 5400 rpm\)/ },
  'smart-scsi.json': { reason: /rotating disk \(HDD, 7200 rpm\)/ },
  'info-nvme-kioxia.json': { reason: /no SMART health data/ },
  'smart-nvme2.json': { reason: /serial "yes": serial: a serial number has at least 4 characters/ },
};

describe('normalizeSmartctl on every real smartctl fixture', () => {
  it('has an expectation for every fixture file', () => {
    expect(
      readdirSync(smartctlFixtures)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(Object.keys(expected).sort());
  });

  for (const [file, want] of Object.entries(expected)) {
    it(file, () => {
      const result = normalizeSmartctl(load(file), context);
      if ('reason' in want) {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.reason).toMatch(want.reason as RegExp);
      } else {
        expect(result).toMatchObject({
          ok: true,
          sample: { ...want, schema: 'wearwatch.telemetry.v1', fleet_id: 'fleet-a', collected_at: '2025-03-01T10:00:00.000Z', source: 'smartctl' },
        });
      }
    });
  }
});

describe('normalizeSmartctl rules', () => {
  it('takes temperature from the decoded temperature.current, never the packed raw attribute 194', () => {
    const doc = load('smart-ata-full.json');
    doc.ata_smart_attributes.table.push({ id: 194, name: 'Temperature_Celsius', value: 64, raw: { value: 163_210_330_144, string: '36 (Min/Max 24/57)' } });
    doc.temperature.current = 41;
    expect(normalizeSmartctl(doc, context)).toMatchObject({ ok: true, sample: { temperature_c: 41 } });
  });

  it.each([
    ['Host_Writes_32MiB', 241, 1_000, 1_000 * 32 * 1024 ** 2],
    ['Lifetime_Writes_GiB', 241, 7, 7 * 1024 ** 3],
    ['Host_Writes_GiB', 241, 9, 9 * 1024 ** 3],
    ['Total_LBAs_Written', 246, 10, 10 * 4096],
  ])('reads %s (id %i) in its vendor unit', (name, id, raw, bytes) => {
    const doc = load('smart-ata2.json');
    doc.logical_block_size = 4096;
    doc.ata_smart_attributes.table = [{ id, name, value: 100, raw: { value: raw, string: String(raw) } }];
    delete doc.ata_device_statistics;
    expect(normalizeSmartctl(doc, context)).toMatchObject({ ok: true, sample: { host_bytes_written: bytes } });
  });

  it.each(['Percent_Lifetime_Remain', 'SSD_Life_Left', 'Media_Wearout_Indicator'])('turns %s (life remaining) into percentage used', (name) => {
    const row = sataAttributes.find((a) => a.name === name)!;
    const doc = load('smart-ata2.json');
    doc.ata_smart_attributes.table = [{ id: row.id, name, value: 83, raw: { value: 17, string: '17' } }];
    expect(normalizeSmartctl(doc, context)).toMatchObject({ ok: true, sample: { percentage_used: 17 } });
  });

  it('reads Ave_Block-Erase_Count as P/E cycles and ignores an id whose name means something else', () => {
    const doc = load('smart-ata2.json');
    doc.ata_smart_attributes.table = [
      { id: 173, name: 'Ave_Block-Erase_Count', value: 90, raw: { value: 321, string: '321' } },
      { id: 241, name: 'Some_Vendor_Thing', value: 100, raw: { value: 5, string: '5' } },
    ];
    const result = normalizeSmartctl(doc, context);
    expect(result).toMatchObject({ ok: true, sample: { avg_pe_cycles: 321 } });
    if (result.ok) expect(result.sample.host_bytes_written).toBeUndefined();
  });

  it('gives a reason for a failed read, a missing serial and a non-object', () => {
    const failed = load('smart-nvme.json');
    failed.smartctl.exit_status = 2;
    failed.smartctl.messages = [{ string: 'Smartctl open device: /dev/nvme9 failed: No such device', severity: 'error' }];
    expect(normalizeSmartctl(failed, context)).toEqual({
      ok: false,
      reason: expect.stringMatching(/could not read the device \(exit status 2: Smartctl open device/),
    });
    const noSerial = load('smart-nvme.json');
    delete noSerial.serial_number;
    expect(normalizeSmartctl(noSerial, context)).toEqual({ ok: false, reason: expect.stringMatching(/serial_number is missing/) });
    expect(normalizeSmartctl([1, 2], context)).toEqual({ ok: false, reason: expect.stringMatching(/not a smartctl JSON document/) });
  });
});
