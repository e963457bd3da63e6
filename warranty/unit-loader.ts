import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { RmaEventType } from '../core/contracts/rma.ts';
import type { Uint64 } from '../core/contracts/uint64.ts';
import { queryRows } from '../core/query.ts';
import { endOfDayMs, summaryAsOf } from './telemetry-as-of.ts';
import type { DriveRecord, RmaRecord, TelemetrySummary, UnitInputs } from './types.ts';
import { readChainAsync, type UnitFacts, type UnitFactsRequest } from './unit-chain.ts';
import { rmaByAt, telemetryFactsSql } from './unit-facts-sql.ts';

/** An instant read from ClickHouse as epoch milliseconds, as ISO 8601. */
export const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

async function loadDrive(client: ClickHouseClient, serial: string): Promise<DriveRecord | null> {
  const [drive] = await queryRows<Omit<DriveRecord, 'price_paid'> & { price_paid: string | number | null }>(
    client,
    `SELECT serial, model, fleet_id, purchase_date, proof_of_purchase, price_paid, currency
     FROM drives FINAL WHERE serial = {serial:String}`,
    { serial },
  );
  return drive ? { ...drive, price_paid: drive.price_paid === null ? null : Number(drive.price_paid) } : null;
}

/** A row of telemetryFactsSql (sql.ts); telemetrySummary converts it to the evaluator's summary. */
export interface TelemetryRow {
  l_at_ms: number;
  l_hbw: Uint64 | null;
  l_pe: number | null;
  l_temp: number | null;
  max_hbw: Uint64 | null;
  max_pe: number | null;
  /** 1 when the window holds a reading of the counter. */
  hbw_n: number;
  hbw_first_ms: number;
  hbw_first: number;
  pe_n: number;
  pe_first_ms: number;
  pe_first: number;
  temp_min: number | null;
  temp_max: number | null;
}

export function telemetrySummary(t: TelemetryRow): TelemetrySummary {
  return {
    latest: { collected_at: iso(t.l_at_ms), host_bytes_written: t.l_hbw, avg_pe_cycles: t.l_pe, temperature_c: t.l_temp },
    max_hbw: t.max_hbw,
    max_pe: t.max_pe,
    trailing_hbw: t.hbw_n ? { at: iso(t.hbw_first_ms), value: Number(t.hbw_first) } : null,
    trailing_pe: t.pe_n ? { at: iso(t.pe_first_ms), value: Number(t.pe_first) } : null,
    temp_min: t.temp_min,
    temp_max: t.temp_max,
  };
}

/**
 * The unit's telemetry as of the end of day `at`: its unit_facts summary when its newest sample is at or before that
 * day (always, for today), else recomputed from the samples it sent until then.
 */
async function loadTelemetry(client: ClickHouseClient, serial: string, at: string): Promise<TelemetrySummary | null> {
  const [t] = await queryRows<TelemetryRow>(client, telemetryFactsSql('serial = {serial:String}'), { serial });
  if (!t) return null;
  const endMs = endOfDayMs(at);
  if (Number(t.l_at_ms) < endMs) return telemetrySummary(t);
  const samples = await queryRows<{ at_ms: number; host_bytes_written: Uint64 | null; avg_pe_cycles: number | null; temperature_c: number | null }>(
    client,
    `SELECT toUnixTimestamp64Milli(collected_at) AS at_ms, host_bytes_written, avg_pe_cycles, temperature_c
     FROM telemetry WHERE serial = {serial:String} AND collected_at < fromUnixTimestamp64Milli({end:Int64}, 'UTC')`,
    { serial, end: endMs },
  );
  return summaryAsOf(
    samples.map((s) => ({ ...s, at_ms: Number(s.at_ms) })),
    endMs,
  );
}

async function loadRma(client: ClickHouseClient, serial: string): Promise<RmaRecord[]> {
  const events = await queryRows<{ rma_number: string; event_type: RmaEventType; at_ms: number; findings: string[]; replacement_serial: string | null }>(
    client,
    `SELECT rma_number, event_type, toUnixTimestamp64Milli(occurred_at) AS at_ms, findings, replacement_serial
     FROM rma_events FINAL WHERE serial = {serial:String} ORDER BY occurred_at`,
    { serial },
  );
  return events.map(({ at_ms, ...e }) => ({ ...e, occurred_at: iso(at_ms) }));
}

/** The unit this serial replaced (latest 'replaced' event naming it by `at`), if any. */
async function loadLink(client: ClickHouseClient, serial: string, at: string) {
  const [link] = await queryRows<{ serial: string; at_ms: number }>(
    client,
    `SELECT serial, toUnixTimestamp64Milli(occurred_at) AS at_ms FROM rma_events
     WHERE event_type = 'replaced' AND replacement_serial = {serial:String} AND ${rmaByAt}
     ORDER BY occurred_at DESC, serial DESC LIMIT 1`,
    { serial, at },
  );
  return link ?? null;
}

/** The ClickHouse reader of the chain walk: one unit's facts, its four reads in parallel. */
async function loadFacts(client: ClickHouseClient, { serial, at, withTelemetry, withLink }: UnitFactsRequest): Promise<UnitFacts> {
  const [drive, telemetry, rma, link] = await Promise.all([
    loadDrive(client, serial),
    withTelemetry ? loadTelemetry(client, serial, at) : Promise.resolve(null),
    loadRma(client, serial),
    withLink ? loadLink(client, serial, at) : Promise.resolve(null),
  ]);
  return { drive, telemetry, rma, link: link && { serial: link.serial, at: iso(link.at_ms) } };
}

/**
 * Everything evaluateUnit needs about one serial at date `at` ('YYYY-MM-DD'), read with query parameters: the latest
 * enrolment, the telemetry summary as of that day (newest sample, highest counters, trailing window), RMA history, and the chain of units it replaced.
 * Returns null for a serial that was never enrolled.
 */
export async function loadUnitInputs(client: ClickHouseClient, serial: string, at: string): Promise<UnitInputs | null> {
  const inputs = await readChainAsync(serial, at, (request) => loadFacts(client, request));
  return inputs.drive ? inputs : null;
}
