import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Uint64 } from '../core/contracts/uint64.ts';
import { queryFirst, queryRows } from '../core/query.ts';
import { isoTime } from '../core/sql.ts';
import { type Thresholds, thresholdsFrom } from '../warranty/thresholds.ts';

/** Wear level of a drive against the configured near-limit thresholds (percent of TBW or P/E used). */
export const wearLevels = ['ok', 'warn', 'critical', 'unknown'] as const;
type WearLevel = (typeof wearLevels)[number];

export interface DriveFilter {
  model?: string;
  /** Only drives at or past the warning threshold of this metric. */
  near?: 'tbw' | 'pe';
  level?: WearLevel;
  /** Warranty status of the latest bulk evaluation (active, expired_tbw, …). */
  status?: string;
  /** Only drives with this flag raised by the latest evaluation. */
  flag?: string;
  /** Serial contains this text (any case). */
  q?: string;
  limit: number;
  offset: number;
}

export interface DriveRow {
  serial: string;
  model: string;
  kind: 'ssd' | 'tf' | null;
  purchase_date: string | null;
  enrolled_at: string;
  last_seen: string | null;
  firmware: string | null;
  host_bytes_written: Uint64 | null;
  avg_pe_cycles: number | null;
  temperature_c: number | null;
  temp_out_of_range: boolean;
  wear_pct: number | null;
  wear_level: WearLevel;
  flags: string[];
  warranty_status: string | null;
  coverage_end: string | null;
  evaluated_on: string | null;
}

/**
 * One drive per row: its enrolment, latest telemetry, catalog ratings and its warranty status from the latest bulk
 * evaluation (warranty/bulk-sql.ts writes `warranty_status` per snapshot date). Wear is host bytes written against TBW for an
 * SSD and average P/E cycles against the P/E rating for a TF card. Reads use FINAL so redelivered rows
 * never count twice.
 */
const fleetDrives = `
  SELECT d.serial AS serial, d.model AS model, if(c.model IS NULL, NULL, toString(c.kind)) AS kind,
         if(d.purchase_date IS NULL, NULL, toString(d.purchase_date)) AS purchase_date,
         ${isoTime('d.enrolled_at')} AS enrolled_at,
         if(l.serial IS NULL, NULL, ${isoTime('l.collected_at')}) AS last_seen,
         l.firmware AS firmware, l.host_bytes_written AS host_bytes_written, l.avg_pe_cycles AS avg_pe_cycles,
         l.temperature_c AS temperature_c,
         coalesce(l.temperature_c < c.temp_min_c OR l.temperature_c > c.temp_max_c, false) AS temp_out_of_range,
         round(if(toString(c.kind) = 'ssd', l.host_bytes_written / (c.tbw_tb * 1e12), l.avg_pe_cycles / c.pe_cycles) * 100, 2) AS wear_pct,
         -- An evaluated drive's level is the one its fleet's thresholds gave it (the flag bits); before its first
         -- evaluation the configured defaults decide.
         multiIf(wear_pct IS NULL, 'unknown',
                 w.serial IS NOT NULL, multiIf(bitTest(w.flag_mask, 1), 'critical', bitTest(w.flag_mask, 0), 'warn', 'ok'),
                 wear_pct >= {critical:Float64}, 'critical', wear_pct >= {warn:Float64}, 'warn', 'ok') AS wear_level,
         if(w.serial IS NULL, [], arrayFilter(x -> x != '', [
           if(bitAnd(w.flag_mask, 3) != 0, if(kind = 'tf', 'near_pe', 'near_tbw'), ''),
           if(bitTest(w.flag_mask, 2), 'wearout_before_coverage_end', ''),
           if(bitTest(w.flag_mask, 3), 'warranty_ending', ''),
           if(bitTest(w.flag_mask, 4), 'temperature_out_of_range', '')])) AS flags,
         w.status AS warranty_status, if(w.coverage_end IS NULL, NULL, toString(w.coverage_end)) AS coverage_end,
         if(w.serial IS NULL, NULL, toString(w.snapshot_date)) AS evaluated_on
  FROM (SELECT * FROM drives FINAL WHERE fleet_id = {fleet:String}) AS d
  LEFT JOIN (SELECT * FROM telemetry_latest FINAL WHERE serial IN (SELECT serial FROM drives FINAL WHERE fleet_id = {fleet:String})) AS l
    ON l.serial = d.serial
  LEFT JOIN (SELECT * FROM catalog_models FINAL) AS c ON c.model = d.model
  LEFT JOIN (SELECT serial, snapshot_date, toString(status) AS status, coverage_end, flag_mask FROM warranty_status FINAL
             WHERE fleet_id = {fleet:String} AND snapshot_date = (SELECT max(snapshot_date) FROM warranty_status)) AS w
    ON w.serial = d.serial`;

const settings = { join_use_nulls: 1 } as const;

/** Fleet queries with the configured near-limit thresholds. */
export const fleetQueriesFor = (client: ClickHouseClient, config: Parameters<typeof thresholdsFrom>[0]) => new FleetQueries(client, thresholdsFrom(config));

export class FleetQueries {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly thresholds: Thresholds,
  ) {}

  private params(fleet: string) {
    return { fleet, warn: this.thresholds.warnPct, critical: this.thresholds.criticalPct };
  }

  /** The fleets that have enrolled drives, with their sizes; `only` narrows to a key's fleets. */
  async fleets(only?: string[]): Promise<{ fleet_id: string; drives: number }[]> {
    return queryRows<{ fleet_id: string; drives: number }>(
      this.client,
      `SELECT toString(fleet_id) AS fleet_id, count() AS drives FROM drives FINAL
       WHERE {all:Bool} OR fleet_id IN {only:Array(String)} GROUP BY fleet_id ORDER BY fleet_id`,
      { all: only === undefined, only: only ?? [] },
    );
  }

  async drives(fleet: string, filter: DriveFilter): Promise<{ total: number; drives: DriveRow[] }> {
    const where = `WHERE ({model:String} = '' OR model = {model:String})
                     AND ({near:String} = '' OR (kind = if({near:String} = 'tbw', 'ssd', 'tf') AND wear_pct >= {warn:Float64}))
                     AND ({level:String} = '' OR wear_level = {level:String})
                     AND ({status:String} = '' OR warranty_status = {status:String})
                     AND ({flag:String} = '' OR has(flags, {flag:String}))
                     AND ({q:String} = '' OR positionCaseInsensitive(serial, {q:String}) > 0)`;
    const query_params = {
      ...this.params(fleet),
      model: filter.model ?? '',
      near: filter.near ?? '',
      level: filter.level ?? '',
      status: filter.status ?? '',
      flag: filter.flag ?? '',
      q: filter.q ?? '',
      limit: filter.limit,
      offset: filter.offset,
    };
    const [drives, total] = await Promise.all([
      queryRows<DriveRow>(
        this.client,
        `SELECT * FROM (${fleetDrives}) ${where} ORDER BY wear_pct DESC NULLS LAST, serial LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
        query_params,
        { settings },
      ),
      queryFirst<{ n: number }>(this.client, `SELECT count() AS n FROM (${fleetDrives}) ${where}`, query_params, { settings }),
    ]);
    return { drives, total: Number(total?.n ?? 0) };
  }

  /** Whether the serial is enrolled in this fleet (the tenant check for every per-drive route). */
  async driveInFleet(fleet: string, serial: string): Promise<boolean> {
    const row = await queryFirst<{ n: number }>(
      this.client,
      `SELECT count() AS n FROM drives FINAL WHERE serial = {serial:String} AND fleet_id = {fleet:String}`,
      { fleet, serial },
    );
    return Number(row?.n ?? 0) > 0;
  }

  /** Fleet id each of the serials is enrolled in (absent = not enrolled). */
  async enrolledFleets(serials: string[]): Promise<Map<string, string>> {
    if (serials.length === 0) return new Map();
    const rows = await queryRows<{ serial: string; fleet_id: string }>(
      this.client,
      `SELECT serial, toString(fleet_id) AS fleet_id FROM drives FINAL WHERE serial IN {serials:Array(String)}`,
      { serials },
    );
    return new Map(rows.map((r) => [r.serial, r.fleet_id]));
  }

  async summary(fleet: string) {
    const [totals, models, warranty] = await Promise.all([
      queryFirst<{
        drives: number;
        reporting: number;
        warn: number;
        critical: number;
        avg_wear_pct: number | null;
        max_wear_pct: number | null;
        temp_out_of_range: number;
        warranty_ending: number;
        evaluated_on: string | null;
      }>(
        this.client,
        `SELECT count() AS drives, countIf(last_seen IS NOT NULL) AS reporting,
                       countIf(wear_level = 'warn') AS warn, countIf(wear_level = 'critical') AS critical,
                       round(avg(wear_pct), 2) AS avg_wear_pct, round(max(wear_pct), 2) AS max_wear_pct,
                       countIf(temp_out_of_range) AS temp_out_of_range,
                       countIf(warranty_status = 'active' AND parseDateTimeBestEffortOrNull(coverage_end) <= now() + toIntervalDay({ending:UInt32})) AS warranty_ending,
                       max(evaluated_on) AS evaluated_on
                FROM (${fleetDrives})`,
        { ...this.params(fleet), ending: this.thresholds.endingDays },
        { settings },
      ),
      queryRows<{ model: string; drives: number; avg_wear_pct: number | null; near_limit: number }>(
        this.client,
        `SELECT model, count() AS drives, round(avg(wear_pct), 2) AS avg_wear_pct,
                       countIf(wear_level IN ('warn', 'critical')) AS near_limit
                FROM (${fleetDrives}) GROUP BY model ORDER BY drives DESC, model`,
        this.params(fleet),
        { settings },
      ),
      queryRows<{ status: string; drives: number }>(
        this.client,
        `SELECT ifNull(warranty_status, 'not_evaluated') AS status, count() AS drives
                FROM (${fleetDrives}) GROUP BY status ORDER BY drives DESC, status`,
        this.params(fleet),
        { settings },
      ),
    ]);
    return { totals: totals!, models, warranty };
  }

  async telemetry(fleet: string, serial: string, range: { from?: string; to?: string; limit: number }) {
    return queryRows<Record<string, unknown>>(
      this.client,
      `SELECT ${isoTime('collected_at')} AS collected_at, model, firmware,
                     host_bytes_written, nand_bytes_written, avg_pe_cycles, percentage_used, available_spare_pct,
                     media_errors, power_on_hours, power_cycles, unsafe_shutdowns, temperature_c, critical_warning, source
              FROM telemetry AS t FINAL
              WHERE t.serial = {serial:String} AND t.fleet_id = {fleet:String}
                AND t.collected_at >= parseDateTime64BestEffort({from:String}, 3) AND t.collected_at <= parseDateTime64BestEffort({to:String}, 3)
              ORDER BY t.collected_at DESC LIMIT {limit:UInt32}`,
      { fleet, serial, from: range.from ?? '1970-01-01T00:00:00Z', to: range.to ?? '2200-01-01T00:00:00Z', limit: range.limit },
    );
  }
}
