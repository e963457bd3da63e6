import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { TelemetryRow } from '../core/contracts/rows.ts';
import { toBigInt, type Uint64 } from '../core/contracts/uint64.ts';
import { insertRows, queryRows } from '../core/query.ts';
import { hasTelemetry, latestAtMs } from '../warranty/unit-facts-sql.ts';
import type { KnownReadings, PlausibilityRules } from './plausibility.ts';
import { type DoorFacts, type ReasonCode, type ScreenedSample, screenSamples, type Verdict } from './screen.ts';

/**
 * The ClickHouse side of the telemetry door (migrations 0050, 0100): what a batch's serials are known for, the samples kept
 * apart, and attributing held samples once their serial is enrolled.
 */

interface FactsRow {
  serial: string;
  spans: Array<[number, string]>;
  latest_ms: number;
  /** Null for a serial without accepted samples (the outer join finds no row). */
  host_bytes_written: Uint64 | null;
  power_on_hours: number | null;
  power_cycles: number | null;
  avg_pe_cycles: number | null;
}

/** The door's verdict on each sample of a batch, from one read of what ClickHouse knows of the batch's serials. */
export async function screenBatch(client: ClickHouseClient, samples: readonly ScreenedSample[], rules: PlausibilityRules, now: Date): Promise<Verdict[]> {
  return screenSamples(
    samples,
    await loadDoorFacts(
      client,
      samples.map((s) => s.serial),
    ),
    rules,
    now,
  );
}

/** Enrolments and accepted readings of `serials`, in one query whatever the batch size. */
async function loadDoorFacts(client: ClickHouseClient, serials: readonly string[]): Promise<DoorFacts> {
  const facts: DoorFacts = { enrolments: new Map(), known: new Map() };
  if (serials.length === 0) return facts;
  const rows = await queryRows<FactsRow>(
    client,
    `SELECT q.s AS serial, e.spans AS spans, m.latest_ms AS latest_ms, m.hbw AS host_bytes_written, m.poh AS power_on_hours,
            m.cycles AS power_cycles, m.pe AS avg_pe_cycles
     FROM (SELECT arrayJoin({serials:Array(String)}) AS s) AS q
     LEFT JOIN (SELECT serial, groupArray((toUnixTimestamp64Milli(enrolled_at), toString(fleet_id))) AS spans
                FROM enrolment_history WHERE serial IN {serials:Array(String)} GROUP BY serial) AS e ON e.serial = q.s
     LEFT JOIN (SELECT serial, ${latestAtMs('max(latest)')} AS latest_ms, max(hbw_max) AS hbw,
                       max(power_on_hours_max) AS poh, max(power_cycles_max) AS cycles, max(pe_max) AS pe
                FROM unit_facts WHERE serial IN {serials:Array(String)} AND ${hasTelemetry} GROUP BY serial) AS m ON m.serial = q.s`,
    { serials: [...new Set(serials)] },
  );
  for (const r of rows) {
    if (r.spans.length)
      facts.enrolments.set(
        r.serial,
        r.spans.map(([atMs, fleet]) => ({ atMs: Number(atMs), fleet })),
      );
    const known: KnownReadings = {
      latestAtMs: Number(r.latest_ms),
      maxima: {
        host_bytes_written: toBigInt(r.host_bytes_written) ?? 0n,
        power_on_hours: toBigInt(r.power_on_hours) ?? 0n,
        power_cycles: toBigInt(r.power_cycles) ?? 0n,
        avg_pe_cycles: toBigInt(r.avg_pe_cycles) ?? 0n,
      },
    };
    facts.known.set(r.serial, known);
  }
  return facts;
}

type QuarantineState = 'held' | 'quarantined' | 'attributed';

export interface QuarantineRow {
  serial: string;
  fleet_id: string;
  collected_at: string;
  state: QuarantineState;
  reason_code: ReasonCode | '';
  reason: string;
  sample: string;
  quarantined_at: string;
  version: number;
}

/** The quarantine row of a sample the door did not accept. */
export function quarantineRow(sample: TelemetryRow, verdict: Exclude<Verdict, { kind: 'accept' }>, now: Date, version = now.getTime()): QuarantineRow {
  return {
    serial: sample.serial,
    fleet_id: sample.fleet_id,
    collected_at: sample.collected_at,
    state: verdict.kind === 'hold' ? 'held' : 'quarantined',
    reason_code: verdict.code,
    reason: verdict.reason,
    sample: JSON.stringify(sample),
    quarantined_at: now.toISOString(),
    version,
  };
}

export const writeQuarantine = (client: ClickHouseClient, rows: readonly QuarantineRow[]): Promise<void> => insertRows(client, 'telemetry_quarantine', rows);

/**
 * Writes samples to `telemetry` (the caller's writer cuts inserts to the partition limit) and answers those
 * ClickHouse rejected for their content, with its reason.
 */
export type TelemetryWriter = (rows: TelemetryRow[]) => Promise<Array<{ row: TelemetryRow; reason: string }>>;

/**
 * Attributes the held samples of `serials` whose enrolment has landed: each is screened again as if it arrived now;
 * an accepted one is written to `telemetry` and marked attributed, one from another fleet is quarantined, one still
 * without enrolment stays held. Safe to run twice: the telemetry rows collapse and the newest quarantine state wins.
 */
export async function attributeHeld(client: ClickHouseClient, serials: readonly string[], rules: PlausibilityRules, write: TelemetryWriter, now = new Date()) {
  if (serials.length === 0) return { attributed: 0, quarantined: 0 };
  const held = await queryRows<{ sample: string; version: number }>(
    client,
    `SELECT sample, version FROM telemetry_quarantine FINAL WHERE serial IN {serials:Array(String)} AND state = 'held'`,
    { serials: [...new Set(serials)] },
  );
  if (held.length === 0) return { attributed: 0, quarantined: 0 };
  const samples = held.map((h) => JSON.parse(h.sample) as TelemetryRow);
  const verdicts = await screenBatch(client, samples, rules, now);
  const accepted = samples.filter((_, i) => verdicts[i]!.kind === 'accept');
  const unwritable = new Map((await write(accepted)).map((u) => [u.row, u.reason]));
  const updates = samples.flatMap((sample, i): QuarantineRow[] => {
    const verdict = verdicts[i]!;
    const version = Math.max(now.getTime(), Number(held[i]!.version) + 1);
    if (verdict.kind === 'hold') return [];
    if (verdict.kind !== 'accept') return [quarantineRow(sample, verdict, now, version)];
    const rejected = unwritable.get(sample);
    if (rejected !== undefined) return [quarantineRow(sample, { kind: 'quarantine', code: 'unwritable', reason: rejected }, now, version)];
    const reason = `attributed to fleet ${sample.fleet_id} once ${sample.serial} was enrolled there`;
    return [{ ...quarantineRow(sample, { kind: 'hold', code: 'unenrolled', reason }, now, version), state: 'attributed' }];
  });
  await writeQuarantine(client, updates);
  return { attributed: accepted.length - unwritable.size, quarantined: updates.length - accepted.length + unwritable.size };
}

export interface QuarantineFilter {
  /** Only these fleets' samples; undefined = all (admins). */
  fleets?: readonly string[];
  serial?: string;
  state?: QuarantineState;
  limit: number;
}

/** Samples kept apart, newest first, for review. */
export function listQuarantine(client: ClickHouseClient, filter: QuarantineFilter) {
  return queryRows<Omit<QuarantineRow, 'version' | 'sample'> & { sample: string }>(
    client,
    `SELECT serial, toString(fleet_id) AS fleet_id, collected_at, toString(state) AS state, toString(reason_code) AS reason_code, reason, sample,
            quarantined_at
     FROM telemetry_quarantine FINAL
     WHERE ({all:Bool} OR fleet_id IN {fleets:Array(String)}) AND ({serial:String} = '' OR serial = {serial:String})
       AND ({state:String} = '' OR toString(state) = {state:String})
     ORDER BY quarantined_at DESC, serial LIMIT {limit:UInt32}`,
    { all: filter.fleets === undefined, fleets: filter.fleets ?? [], serial: filter.serial ?? '', state: filter.state ?? '', limit: filter.limit },
  );
}
