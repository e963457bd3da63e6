import { randomUUID } from 'node:crypto';
import { dayFromIso, isoFromDay } from '../../core/calendar.ts';
import { loadCatalog, writeCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { insertRows } from '../../core/query.ts';
import { Rng } from '../../core/random.ts';

/**
 * A controlled fleet written straight into the tables, so analytics results can be asserted exactly. Two firmware
 * versions of one SSD model; a known number of drives per firmware fail (a confirmed-defect claim) on a known day.
 */
export const fleetPlan = {
  model: 'WW-NV4-1T',
  fleet: 'acme',
  start: '2025-01-01',
  /** samples every `everyDays` days, `samples` of them: exposure must still count every day in between */
  everyDays: 10,
  samples: 10,
  firmware: [
    { firmware: 'FW-GOOD', drives: 100, failures: 1 },
    { firmware: 'FW-BAD', drives: 100, failures: 10 },
  ],
  /** failing drives open their claim this many days after the first sample */
  failAfterDays: 45,
  /** one healthy-firmware drive reports a critical warning on this sample index instead of filing a claim */
  criticalWarningSample: 5,
} as const;

export const day0 = dayFromIso(fleetPlan.start);

export const serialOf = (firmware: string, i: number) => `NV24${firmware === 'FW-BAD' ? '47' : '48'}${String(i).padStart(6, '0')}`;

function rmaRow(serial: string, rma: string, type: string, day: number, extra: Record<string, unknown> = {}) {
  return {
    event_id: randomUUID(),
    rma_number: rma,
    serial,
    event_type: type,
    occurred_at: `${isoFromDay(day)} 09:00:00`,
    findings: [],
    reasons: [],
    replacement_serial: null,
    details: '{}',
    ...extra,
  };
}

/** Writes the plan; `twice` inserts every telemetry and RMA row a second time, as a redelivery would. */
export async function writeFleet(ch: ClickHouse, options: { twice?: boolean } = {}) {
  await writeCatalog(ch.client, loadCatalog());
  const drives: object[] = [];
  const telemetry: object[] = [];
  const rma: object[] = [];
  let rmaSeq = 0;
  for (const group of fleetPlan.firmware) {
    for (let i = 0; i < group.drives; i++) {
      const serial = serialOf(group.firmware, i);
      drives.push({
        serial,
        model: fleetPlan.model,
        fleet_id: fleetPlan.fleet,
        purchase_date: '2024-12-01',
        proof_of_purchase: 'INV-1',
        price_paid: 100,
        currency: 'EUR',
        enrolled_at: '2024-12-01 00:00:00',
      });
      const fails = i < group.failures;
      const critical = group.firmware === 'FW-GOOD' && i === group.drives - 1;
      for (let s = 0; s < fleetPlan.samples; s++) {
        telemetry.push({
          serial,
          fleet_id: fleetPlan.fleet,
          collected_at: `${isoFromDay(day0 + s * fleetPlan.everyDays)} 12:00:00`,
          model: fleetPlan.model,
          firmware: group.firmware,
          host_bytes_written: (i + 1) * 3e12 + s * 1e12,
          temperature_c: 35 + (i % 30),
          unsafe_shutdowns: i % 20,
          critical_warning: critical && s === fleetPlan.criticalWarningSample ? 4 : 0,
          source: 'test',
        });
      }
      if (fails) {
        const rmaNumber = `RMA-${String(++rmaSeq).padStart(6, '0')}`;
        const opened = day0 + fleetPlan.failAfterDays;
        rma.push(rmaRow(serial, rmaNumber, 'requested', opened));
        rma.push(rmaRow(serial, rmaNumber, 'inspected', opened + 5, { findings: ['defect_confirmed'] }));
        rma.push(rmaRow(serial, rmaNumber, 'replaced', opened + 7, { replacement_serial: `${serial.slice(0, 6)}R${i}` }));
      }
    }
  }
  // A claim rejected for physical damage: a claim, but not a product failure.
  const damaged = serialOf('FW-GOOD', 50);
  rma.push(rmaRow(damaged, 'RMA-DMG001', 'requested', day0 + 20));
  rma.push(rmaRow(damaged, 'RMA-DMG001', 'inspected', day0 + 25, { findings: ['physical_damage'] }));
  rma.push(rmaRow(damaged, 'RMA-DMG001', 'rejected', day0 + 26, { reasons: ['physical_damage'] }));

  await insertRows(ch.client, 'drives', drives);
  for (let copy = 0; copy < (options.twice ? 2 : 1); copy++) {
    await insertRows(ch.client, 'telemetry', telemetry);
    await insertRows(ch.client, 'rma_events', rma);
  }
}

/** Drive-days the plan produces: a healthy drive is in service from its first to its last sample's day (inclusive);
 * a drive whose claim opens between samples until that day; a drive failing on a sample's day through that day. */
export function plannedDriveDays(firmware: string): { driveDays: number; failures: number } {
  const group = fleetPlan.firmware.find((g) => g.firmware === firmware)!;
  const healthyDays = (fleetPlan.samples - 1) * fleetPlan.everyDays + 1;
  const criticalAt = fleetPlan.criticalWarningSample * fleetPlan.everyDays;
  const critical = firmware === 'FW-GOOD' ? 1 : 0;
  const healthy = group.drives - group.failures - critical;
  return {
    driveDays: healthy * healthyDays + group.failures * fleetPlan.failAfterDays + critical * (criticalAt + 1),
    failures: group.failures + critical,
  };
}

/**
 * A claim history with a known hazard by month of life (higher in the first three months: infant mortality), for
 * backtests: `units` drives enrolled at purchase, one telemetry sample each month of service and one on the last day, claims
 * drawn month by month from the hazard with a fixed seed.
 */
const claimHazard = (ageMonth: number) => (ageMonth < 3 ? 0.012 : 0.004);

export async function writeClaimHistory(ch: ClickHouse, options: { units: number; seed: number; start: string; end: string }) {
  await writeCatalog(ch.client, loadCatalog());
  const rng = new Rng(options.seed);
  const start = dayFromIso(options.start);
  const end = dayFromIso(options.end);
  const drives: object[] = [];
  const telemetry: object[] = [];
  const rma: object[] = [];
  for (let i = 0; i < options.units; i++) {
    const serial = `SA2501${String(i).padStart(6, '0')}`;
    const purchased = start + rng.int(end - start - 60);
    drives.push({
      serial,
      model: 'WW-SA3-512',
      fleet_id: 'backtest',
      purchase_date: isoFromDay(purchased),
      proof_of_purchase: `INV-${i}`,
      price_paid: 80,
      currency: 'EUR',
      enrolled_at: `${isoFromDay(purchased)} 00:00:00`,
    });
    for (let age = 0; purchased + age * 30 < end; age++) {
      const monthDay = purchased + age * 30;
      telemetry.push({
        serial,
        fleet_id: 'backtest',
        collected_at: `${isoFromDay(monthDay)} 06:00:00`,
        model: 'WW-SA3-512',
        firmware: 'SA1',
        host_bytes_written: age * 2e12,
        source: 'test',
      });
      const claimDay = monthDay + rng.int(30);
      if (rng.chance(claimHazard(age)) && claimDay < end) rma.push(rmaRow(serial, `RMA-${i}X${age}`, 'requested', claimDay));
    }
    // Every unit still reports on the last day, so the last month is complete.
    telemetry.push({ serial, fleet_id: 'backtest', collected_at: `${isoFromDay(end - 1)} 06:00:00`, model: 'WW-SA3-512', firmware: 'SA1', source: 'test' });
  }
  await insertRows(ch.client, 'drives', drives);
  await insertRows(ch.client, 'telemetry', telemetry);
  await insertRows(ch.client, 'rma_events', rma);
  return { claims: rma.length };
}
