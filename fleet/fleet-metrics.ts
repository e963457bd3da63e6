import type { ClickHouseClient } from '../core/clickhouse.ts';
import { queryRows } from '../core/query.ts';
import { flagBits } from '../warranty/rules.ts';

/** Per fleet and model: drives by wear level and flag of the latest successful evaluation, worst wear, silent drives. */
export interface FleetModelFigures {
  fleet_id: string;
  model: string;
  drives: number;
  /** Near-limit level by the fleet's own thresholds (the flag bits), unknown without a wear reading. */
  ok: number;
  warn: number;
  critical: number;
  unknown: number;
  worst_wear_pct: number | null;
  /** The wear flag's name for this model: near_tbw for an SSD, near_pe for a TF card. */
  near_flag: 'near_tbw' | 'near_pe';
  wearout_before_coverage_end: number;
  warranty_ending: number;
  temperature_out_of_range: number;
}

/**
 * Figures of the latest successful run's snapshot, grouped by fleet and model: the label sets stay bounded by the
 * number of fleets times models, never one series per drive.
 */
export async function fleetModelFigures(client: ClickHouseClient): Promise<FleetModelFigures[]> {
  const rows = await queryRows<FleetModelFigures>(
    client,
    `WITH (SELECT argMaxIf((run_id, snapshot_date), run_id, outcome = 'ok') FROM scheduler_runs FINAL WHERE job = 'warranty') AS last
     SELECT toString(fleet_id) AS fleet_id, toString(model) AS model, count() AS drives,
            countIf(bitTest(flag_mask, 1)) AS critical, countIf(bitTest(flag_mask, 0) AND NOT bitTest(flag_mask, 1)) AS warn,
            countIf(wear_used_pct IS NULL) AS unknown, drives - critical - warn - unknown AS ok,
            max(wear_used_pct) AS worst_wear_pct, if(any(kind) = 'tf', 'near_pe', 'near_tbw') AS near_flag,
            countIf(bitAnd(flag_mask, ${flagBits.wearout}) != 0) AS wearout_before_coverage_end,
            countIf(bitAnd(flag_mask, ${flagBits.ending}) != 0) AS warranty_ending,
            countIf(bitAnd(flag_mask, ${flagBits.temperature}) != 0) AS temperature_out_of_range
     FROM warranty_status WHERE snapshot_date = last.2 AND run_id = last.1
     GROUP BY fleet_id, model ORDER BY fleet_id, model`,
  );
  return rows.map((r) => ({
    ...r,
    drives: Number(r.drives),
    ok: Number(r.ok),
    warn: Number(r.warn),
    critical: Number(r.critical),
    unknown: Number(r.unknown),
    wearout_before_coverage_end: Number(r.wearout_before_coverage_end),
    warranty_ending: Number(r.warranty_ending),
    temperature_out_of_range: Number(r.temperature_out_of_range),
  }));
}

/** Enrolled drives per fleet and model whose newest sample is older than `staleHours` (or that never reported). */
export async function silentDrives(client: ClickHouseClient, staleHours: number): Promise<{ fleet_id: string; model: string; silent: number }[]> {
  const rows = await queryRows<{ fleet_id: string; model: string; silent: number }>(
    client,
    `SELECT toString(d.fleet_id) AS fleet_id, toString(d.model) AS model,
            countIf(l.serial = '' OR l.collected_at < now64(3) - toIntervalHour({hours:UInt32})) AS silent
     FROM (SELECT serial, fleet_id, model FROM drives FINAL) AS d
     LEFT JOIN (SELECT serial, collected_at FROM telemetry_latest FINAL) AS l ON l.serial = d.serial
     GROUP BY fleet_id, model ORDER BY fleet_id, model
     SETTINGS join_use_nulls = 0`,
    { hours: staleHours },
  );
  return rows.map((r) => ({ ...r, silent: Number(r.silent) }));
}
