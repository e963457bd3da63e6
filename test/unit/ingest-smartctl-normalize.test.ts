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
  // Written out by hand from each document (sources in test/fixtures/smartctl/SOURCES.md): NVMe data units × 512,000;
  // SATA vendor attributes in their unit (GiB on Kingston 241/233, 32 MiB on Intel 241); SAS write gigabytes × 10^9.
  'nvme-intel-dc-p3700-16pb.json': {
    serial: 'REDACTED',
    model: 'INTEL SSDPEDMD016T4',
    host_bytes_written: '16579274242048000',
    percentage_used: 41,
    available_spare_pct: 99,
    power_on_hours: 57_288,
    power_cycles: 27,
    unsafe_shutdowns: 0,
    temperature_c: 21,
  },
  'nvme-crucial-p2.json': { model: 'CT250P2SSD8', host_bytes_written: 513_484_800_000, power_on_hours: 10_147, unsafe_shutdowns: 5, temperature_c: 26 },
  'nvme-samsung-970-evo-plus.json': { host_bytes_written: 1_008_363_008_000, power_on_hours: 3149, unsafe_shutdowns: 12, temperature_c: 35 },
  'nvme-micron-7450.json': { model: 'Micron_7450_MTFDKCC3T2TFS', host_bytes_written: 639_015_936_000, power_on_hours: 2884, unsafe_shutdowns: 30 },
  'sata-kingston-sa400-exit4.json': {
    serial: '50026B73815A7309',
    model: 'KINGSTON SA400S37240G',
    host_bytes_written: 2_327_872_274_432,
    nand_bytes_written: 1_259_499_159_552,
    percentage_used: 3,
    avg_pe_cycles: 35,
    unsafe_shutdowns: 8,
    media_errors: 0,
    power_on_hours: 23_892,
    power_cycles: 10,
    temperature_c: 23,
    smartctl_exit_status: 4,
    smartctl_warning: expect.stringMatching(/^bit 2: a SMART or other command to the disk failed.*; Warning: This result is based on an Attribute check\.$/),
  },
  'sata-intel-s3520-dell.json': {
    model: 'SSDSCKJB240G7R',
    host_bytes_written: 4_345_064_062_976,
    percentage_used: 0,
    unsafe_shutdowns: 167,
    power_on_hours: 21_213,
    power_cycles: 186,
    temperature_c: 47,
  },
  'sas-ssd-samsung-mzilt960.json': {
    serial: 'S5G1NC0W102239',
    model: 'SAMSUNG MZILT960HBHQ/007',
    firmware: 'GXA0',
    host_bytes_written: 6_082_745_000_000,
    percentage_used: 0,
    grown_defects: 0,
    media_errors: 0,
    power_on_hours: 3862,
    temperature_c: 35,
  },
  'sas-hdd-toshiba-al13sxb.json': { reason: /rotating disk \(HDD, 15000 rpm\)/ },
  'sas-hdd-seagate-st4000nm0043.json': { reason: /rotating disk \(HDD, 7200 rpm\)/ },
  'scsi-samsung-870-no-model.json': { reason: /model_name is missing for serial S6PPNJ0RB04XXX/ },
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

  it.each([
    [1, /exit status 1: the command line did not parse/],
    [2, /exit status 2: the device could not be opened/],
    [3, /exit status 3: the command line did not parse; the device could not be opened/],
  ])('refuses exit status %i (bits 0-1: no drive was read)', (status, reason) => {
    const doc = load('smart-nvme.json');
    doc.smartctl.exit_status = status;
    expect(normalizeSmartctl(doc, context)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it.each([
    [4, /^bit 2: /],
    [8, /^bit 3: SMART status: DISK FAILING$/],
    [16, /^bit 4: prefail attributes/],
    [32, /^bit 5: usage or prefail/],
    [64, /^bit 6: the device error log/],
    [128, /^bit 7: the device self-test log/],
    [4 | 8 | 64, /^bit 2: .*; bit 3: .*; bit 6: /],
  ])('keeps the sample under exit status %i and stores the bits as evidence', (status, warning) => {
    const doc = load('smart-nvme.json');
    doc.smartctl.exit_status = status;
    expect(normalizeSmartctl(doc, context)).toMatchObject({
      ok: true,
      sample: { host_bytes_written: 7_773_431 * 512_000, smartctl_exit_status: status, smartctl_warning: expect.stringMatching(warning) },
    });
  });

  it('leaves exit status and warning off a clean read', () => {
    const result = normalizeSmartctl(load('smart-nvme.json'), context);
    expect(result.ok && 'smartctl_exit_status' in result.sample).toBe(false);
    expect(result.ok && 'smartctl_warning' in result.sample).toBe(false);
  });

  it('keeps counters beyond 2^53 exact: NVMe data units given as a number or as a decimal string', () => {
    const doc = load('smart-nvme.json');
    doc.nvme_smart_health_information_log.data_units_written = '36028797018963';
    doc.nvme_smart_health_information_log.media_errors = '18446744073709551615';
    expect(normalizeSmartctl(doc, context)).toMatchObject({
      ok: true,
      sample: { host_bytes_written: '18446744073709056000', media_errors: '18446744073709551615' },
    });
    doc.nvme_smart_health_information_log.data_units_written = 36_028_797_018_964;
    expect(normalizeSmartctl(doc, context)).toEqual({
      ok: false,
      reason: expect.stringMatching(/host_bytes_written: expected a whole number from 0 to 18446744073709551615/),
    });
  });

  it('reads SAS write gigabytes (10^9 bytes, three decimals) exactly and sums uncorrected errors over read, write, verify', () => {
    const doc = load('sas-ssd-samsung-mzilt960.json');
    doc.scsi_error_counter_log.write.gigabytes_processed = '16579274.242';
    doc.scsi_error_counter_log.read.total_uncorrected_errors = 2;
    doc.scsi_error_counter_log.verify.total_uncorrected_errors = 5;
    doc.scsi_grown_defect_list = 12;
    expect(normalizeSmartctl(doc, context)).toMatchObject({
      ok: true,
      sample: { host_bytes_written: '16579274242000000', media_errors: 7, grown_defects: 12 },
    });
  });

  it('refuses a SCSI drive that gives neither a rotation rate nor an endurance indicator', () => {
    const doc = load('sas-ssd-samsung-mzilt960.json');
    delete doc.rotation_rate;
    delete doc.scsi_percentage_used_endurance_indicator;
    expect(normalizeSmartctl(doc, context)).toEqual({ ok: false, reason: expect.stringMatching(/cannot tell it is an SSD/) });
  });

  it('reads attribute 241 Total_LBAs_Written in 32 MiB units only on Intel model families', () => {
    const doc = load('sata-intel-s3520-dell.json');
    doc.ata_smart_attributes.table = doc.ata_smart_attributes.table.filter((r: { id: number }) => r.id === 241);
    expect(normalizeSmartctl(doc, context)).toMatchObject({ ok: true, sample: { host_bytes_written: 129_493 * 32 * 1024 ** 2 } });
    doc.model_family = 'Samsung based SSDs';
    expect(normalizeSmartctl(doc, context)).toMatchObject({ ok: true, sample: { host_bytes_written: 129_493 * 512 } });
  });

  it('gives a reason for a failed read, a missing serial and a non-object', () => {
    const failed = load('smart-nvme.json');
    failed.smartctl.exit_status = 2;
    failed.smartctl.messages = [{ string: 'Smartctl open device: /dev/nvme9 failed: No such device', severity: 'error' }];
    expect(normalizeSmartctl(failed, context)).toEqual({
      ok: false,
      reason: expect.stringMatching(/could not read the device \(exit status 2: the device could not be opened; Smartctl open device/),
    });
    const noSerial = load('smart-nvme.json');
    delete noSerial.serial_number;
    expect(normalizeSmartctl(noSerial, context)).toEqual({ ok: false, reason: expect.stringMatching(/serial_number is missing/) });
    expect(normalizeSmartctl([1, 2], context)).toEqual({ ok: false, reason: expect.stringMatching(/not a smartctl JSON document/) });
  });
});
