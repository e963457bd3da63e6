import { join } from 'node:path';
import { projectRoot } from './cli.ts';

/** Real `smartctl --json` outputs of NVMe, SATA SSD, HDD and SAS drives. */
export const smartctlFixtures = join(projectRoot, 'test', 'fixtures', 'smartctl');
export const fixturePath = (name: string) => join(smartctlFixtures, name);

/** A valid normalised telemetry sample; `i` varies the collection time (one sample per minute) and counters. */
export function telemetryEvent(serial: string, i: number) {
  return {
    schema: 'wearwatch.telemetry.v1',
    serial,
    fleet_id: 'fleet-a',
    collected_at: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
    model: 'WW-NV1-1T',
    firmware: '1.0.3',
    host_bytes_written: 1_000_000_000 + i * 4096,
    percentage_used: i % 100,
    power_on_hours: 100 + i,
    temperature_c: 40,
    source: 'simulator',
  };
}
