import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { RmaEventType } from '../core/contracts/rma.ts';
import type { Logger } from '../core/logger.ts';
import { queryRows } from '../core/query.ts';
import { endOfDayMs } from './telemetry-as-of.ts';
import type { DriveRecord, RmaRecord, TelemetrySummary, UnitInputs } from './types.ts';
import { latestLink, type ReplacementLink, readChain, type UnitFacts, type UnitFactsRequest } from './unit-chain.ts';
import { telemetryFactsSql } from './unit-facts-sql.ts';
import { iso, type TelemetryRow, telemetrySummary } from './unit-loader.ts';

/**
 * Rows read again on every refresh, because an insert whose `ingested_at` was taken before the last refresh may have
 * become visible only after it. Inserts commit within milliseconds; the margin is generous and costs little.
 */
const overlapMs = 5_000;

/** Rows parsed between yields to the event loop, so a large refresh never holds up requests for long. */
const parseSlice = 2_000;

/**
 * The facts the warranty rules need for every enrolled unit, held in memory so the public lookup evaluates a serial
 * without a query: ClickHouse (embedded chDB runs one query at a time, ~3-30 ms each) cannot answer a thousand
 * lookups a second, while evaluateUnit on in-memory facts takes microseconds. The facts are the same the single-unit
 * loader (unit-loader.ts) reads, with the same SQL; the first refresh() loads every unit, later ones
 * only units whose rows arrived since the last refresh (by `ingested_at`). None of the facts depends on the evaluation
 * date (the rules apply it), so a new day needs no reload. A unit not in the index yet is left to the single-unit
 * loader by the caller.
 */
export class WarrantyIndex {
  private drives = new Map<string, DriveRecord>();
  private telemetry = new Map<string, TelemetrySummary>();
  private rma = new Map<string, RmaRecord[]>();
  /** Replacement serial → the 'replaced' events naming it (unit replaced, when). */
  private replacements = new Map<string, ReplacementLink[]>();
  private since: number | null = null;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly logger: Logger,
  ) {}

  get ready(): boolean {
    return this.since !== null;
  }

  get size(): number {
    return this.drives.size;
  }

  /** Brings the index up to date; returns how many units were reloaded. */
  async refresh(): Promise<number> {
    const full = this.since === null;
    const started = Date.now();
    const since = this.since === null ? 0 : this.since - overlapMs;
    const changed = (table: string) => `SELECT DISTINCT serial FROM ${table} WHERE ingested_at > fromUnixTimestamp64Milli({since:Int64}, 'UTC')`;
    const [drives, telemetry, rma] = await Promise.all([
      this.rows<Omit<DriveRecord, 'price_paid'> & { price_paid: string | number | null }>(
        `SELECT serial, model, toString(fleet_id) AS fleet_id, if(purchase_date IS NULL, NULL, toString(purchase_date)) AS purchase_date,
                proof_of_purchase, price_paid, toString(currency) AS currency
         FROM drives FINAL WHERE {full:Bool} OR serial IN (${changed('drives')})`,
        { full, since },
      ),
      this.rows<TelemetryRow & { serial: string }>(telemetryFactsSql(`{full:Bool} OR serial IN (${changed('telemetry')})`), { full, since }),
      this.rows<RmaRecord & { serial: string; at_ms: number }>(
        `SELECT serial, rma_number, toString(event_type) AS event_type, toUnixTimestamp64Milli(occurred_at) AS at_ms, findings, replacement_serial
         FROM rma_events FINAL WHERE {full:Bool} OR serial IN (${changed('rma_events')})
         ORDER BY serial, occurred_at`,
        { full, since },
      ),
    ]);
    for (const d of drives) this.drives.set(d.serial, { ...d, price_paid: d.price_paid === null ? null : Number(d.price_paid) });
    for (const t of telemetry) this.telemetry.set(t.serial, telemetrySummary(t));
    this.indexRma(rma);
    this.since = started;
    return drives.length;
  }

  /**
   * A unit's facts as the single-unit loader assembles them; undefined when the serial is not in the index, or when
   * the unit reported after `at` (its summary then is not the one as of `at`: the loader reads its history).
   */
  inputs(serial: string, at: string): UnitInputs | undefined {
    if (!this.drives.has(serial)) return undefined;
    const latest = this.telemetry.get(serial)?.latest;
    if (latest && Date.parse(latest.collected_at) >= endOfDayMs(at)) return undefined;
    return readChain(serial, at, (request) => this.facts(request));
  }

  /** The in-memory reader of the chain walk. */
  private facts({ serial, at, withTelemetry, withLink }: UnitFactsRequest): UnitFacts {
    return {
      drive: this.drives.get(serial) ?? null,
      telemetry: withTelemetry ? (this.telemetry.get(serial) ?? null) : null,
      rma: this.rma.get(serial) ?? [],
      link: withLink ? latestLink(this.replacements.get(serial) ?? [], at) : null,
    };
  }

  private indexRma(rows: (RmaRecord & { serial: string; at_ms: number })[]): void {
    const bySerial = new Map<string, RmaRecord[]>();
    for (const { serial, at_ms, ...e } of rows) {
      const list = bySerial.get(serial) ?? [];
      list.push({ ...e, event_type: e.event_type as RmaEventType, occurred_at: iso(at_ms) });
      bySerial.set(serial, list);
    }
    for (const [serial, events] of bySerial) {
      // Replace the unit's history, and its entries in the replacement links, with the reloaded events.
      for (const old of this.rma.get(serial) ?? []) {
        if (old.replacement_serial) {
          const kept = (this.replacements.get(old.replacement_serial) ?? []).filter((r) => r.serial !== serial);
          this.replacements.set(old.replacement_serial, kept);
        }
      }
      this.rma.set(serial, events);
      for (const e of events) {
        if (e.event_type === 'replaced' && e.replacement_serial) {
          this.replacements.set(e.replacement_serial, [...(this.replacements.get(e.replacement_serial) ?? []), { serial, at: e.occurred_at }]);
        }
      }
    }
  }

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    // One thread: the refresh is background work and must leave the other cores to requests and ingest.
    return queryRows<T>(this.client, query, params, { settings: { max_threads: 1 }, yieldEvery: parseSlice });
  }

  /**
   * Refreshes now and then every `intervalMs` until the returned stop function is called; a refresh still running
   * when the next is due is not overlapped. Failures are logged and retried at the next interval. stop() settles once
   * a refresh in flight has finished, so a shutdown can close ClickHouse after it rather than under it.
   */
  keepFresh(intervalMs: number): { first: Promise<void>; stop: () => Promise<void> } {
    let running: Promise<void> | undefined;
    const tick = () => {
      running ??= this.refresh()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'warranty index refresh failed; lookups fall back to ClickHouse'))
        .finally(() => (running = undefined));
      return running;
    };
    const timer = setInterval(() => void tick(), intervalMs);
    timer.unref();
    return {
      first: tick(),
      stop: async () => {
        clearInterval(timer);
        await running;
      },
    };
  }
}
