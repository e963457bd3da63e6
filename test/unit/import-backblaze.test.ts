import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rmaEvent, telemetrySample } from '../../core/contracts/index.ts';
import { type BackblazeRecord, FAILED_WARNING, readBackblazeCsv } from '../../ingest/importers/backblaze.ts';
import { splitCsvLine } from '../../ingest/importers/csv.ts';
import { projectRoot } from '../support/cli.ts';

const fixture = join(projectRoot, 'test', 'fixtures', 'backblaze', '2024-06-drive-stats-sample.csv');

async function readAll(file: string, rma = false): Promise<BackblazeRecord[]> {
  const records: BackblazeRecord[] = [];
  for await (const record of readBackblazeCsv(file, { fleet_id: 'backblaze', rma })) records.push(record);
  return records;
}

const samplesOf = (records: BackblazeRecord[]) => records.flatMap((r) => (r.kind === 'sample' ? [r] : []));

describe('Backblaze drive-stats import', () => {
  it('turns each row into a telemetry sample with SMART attributes in our units', async () => {
    const samples = samplesOf(await readAll(fixture));
    expect(samples).toHaveLength(12);
    for (const { sample } of samples) expect(telemetrySample.safeParse(sample).success).toBe(true);
    const seagate = samples.find((s) => s.sample.serial === 'ZA1FLE1P' && s.sample.collected_at.startsWith('2024-06-28'))!.sample;
    expect(seagate).toMatchObject({
      collected_at: '2024-06-28T00:00:00.000Z',
      model: 'ST8000NM0055',
      power_on_hours: 54321,
      power_cycles: 12,
      temperature_c: 30,
      host_bytes_written: 61412345678 * 512,
      unsafe_shutdowns: 1450,
      media_errors: 0,
      source: 'backblaze',
    });
    const hgst = samples.find((s) => s.sample.serial === '8HJ5Y7KH')!.sample;
    expect(hgst.temperature_c).toBe(29);
    expect(hgst.host_bytes_written).toBeUndefined();
    const ssd = samples.find((s) => s.sample.serial === '7QT032NR')!.sample;
    expect(ssd).toMatchObject({ unsafe_shutdowns: 21, avg_pe_cycles: 57, percentage_used: 2 });
  });

  it('marks the failure day as critical and, when asked, opens one RMA per failure with a stable id', async () => {
    const records = await readAll(fixture, true);
    const failed = samplesOf(records).filter((r) => r.failed);
    expect(failed.map((r) => [r.sample.serial, r.sample.collected_at])).toEqual([['ZLW18P9K', '2024-06-30T00:00:00.000Z']]);
    expect(failed[0]!.sample.critical_warning).toBe(FAILED_WARNING);
    expect(
      samplesOf(records)
        .filter((r) => !r.failed)
        .every((r) => r.sample.critical_warning === undefined),
    ).toBe(true);
    const claim = rmaEvent.parse(failed[0]!.rma);
    expect(claim).toMatchObject({
      serial: 'ZLW18P9K',
      event_type: 'requested',
      reasons: ['drive_failed'],
      details: { source: 'backblaze', failed_on: '2024-06-30' },
    });
    const again = samplesOf(await readAll(fixture, true)).find((r) => r.failed)!;
    expect(again.rma!.event_id).toBe(claim.event_id);
    expect(samplesOf(await readAll(fixture, false)).find((r) => r.failed)!.rma).toBeUndefined();
  });

  it('reports unusable rows by line and reason and keeps going', async () => {
    const rejected = (await readAll(fixture)).filter((r) => r.kind === 'rejected');
    expect(rejected).toEqual([
      { kind: 'rejected', line: 14, reason: 'serial_number: a serial number has at least 4 characters' },
      { kind: 'rejected', line: 15, reason: 'smart_9_raw: "n/a" is not a number' },
    ]);
  });

  it('refuses a file that is not drive-stats, naming the missing columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wearwatch-bb-'));
    const file = join(dir, 'other.csv');
    writeFileSync(file, 'date,serial,model\n2024-01-01,ABCD1234,X\n');
    await expect(readAll(file)).rejects.toThrow(/lacks serial_number, capacity_bytes, failure/);
    await expect(readAll(join(dir, 'missing.csv'))).rejects.toThrow(/cannot read .*missing\.csv: ENOENT/);
  });

  it('splits quoted CSV fields', () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",')).toEqual(['a', 'b,c', 'say "hi"', '']);
  });
});
