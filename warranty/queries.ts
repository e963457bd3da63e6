import type { Catalog } from '../core/catalog/load.ts';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { ProofOfPurchase } from '../core/contracts/proof.ts';
import { queryRows } from '../core/query.ts';
import { evaluateUnit } from './evaluate.ts';
import type { WarrantyEvaluation } from './types.ts';
import { loadUnitInputs } from './unit-loader.ts';

/**
 * Loads one serial's facts and evaluates it at `at` ('YYYY-MM-DD'); null for a serial never enrolled. `proof` decides
 * on other evidence than the enrolment's: a proof given with a claim, or null to decide without any proof (from the
 * manufacturing date).
 */
export async function evaluateSerial(
  client: ClickHouseClient,
  catalog: Catalog,
  serial: string,
  at: string,
  proof?: ProofOfPurchase | null,
): Promise<WarrantyEvaluation | null> {
  const inputs = await loadUnitInputs(client, serial, at);
  if (!inputs) return null;
  const drive =
    inputs.drive && proof !== undefined
      ? { ...inputs.drive, purchase_date: proof?.purchase_date ?? null, proof_of_purchase: proof?.reference ?? null }
      : inputs.drive;
  return evaluateUnit({ ...inputs, drive }, at, catalog);
}

export interface CurrentFlag {
  serial: string;
  fleet_id: string;
  flag: string;
  level: string;
  value: number;
  threshold: number;
  snapshot_date: string;
}

/** The flags raised by the latest successful evaluation run, for one fleet or (fleet omitted) all fleets. */
export async function currentFlags(client: ClickHouseClient, options: { fleetId?: string; flag?: string; limit?: number } = {}): Promise<CurrentFlag[]> {
  // The run's date narrows the read to one day of the snapshot (its sort key) before the run id is checked.
  return queryRows<CurrentFlag>(
    client,
    `WITH (SELECT argMaxIf((run_id, snapshot_date), run_id, outcome = 'ok') FROM scheduler_runs FINAL WHERE job = 'warranty') AS last
            SELECT serial, fleet_id, flag, level, value, threshold, toString(snapshot_date) AS snapshot_date
            FROM warranty_flags
            WHERE warranty_flags.snapshot_date = last.2 AND run_id = last.1
              AND ({fleet:Nullable(String)} IS NULL OR fleet_id = {fleet:Nullable(String)})
              AND ({flag:Nullable(String)} IS NULL OR flag = {flag:Nullable(String)})
            ORDER BY fleet_id, serial, flag
            LIMIT {limit:UInt32}`,
    { fleet: options.fleetId ?? null, flag: options.flag ?? null, limit: options.limit ?? 10_000 },
  );
}
