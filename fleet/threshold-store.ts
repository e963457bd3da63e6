import type { Catalog } from '../core/catalog/load.ts';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { badRequest, type FieldProblem } from '../core/errors.ts';
import { insertRows, queryRows } from '../core/query.ts';
import { isoTime } from '../core/sql.ts';
import type { ThresholdOverride, ThresholdSet, Thresholds } from '../warranty/thresholds.ts';

/** One version of a fleet's thresholds as stored: who changed it, why, and whether it removed the entry. */
export type ThresholdVersion = {
  fleet_id: string;
  model: string | null;
  version: number;
  warn_pct: number;
  critical_pct: number;
  ending_days: number;
  removed: boolean;
  changed_by: string;
  reason: string;
  changed_at: string;
};

interface StoredRow extends Omit<ThresholdVersion, 'model' | 'removed'> {
  model: string;
  removed: number;
}

const fromRow = (r: StoredRow): ThresholdVersion => ({
  ...r,
  model: r.model === '' ? null : r.model,
  version: Number(r.version),
  ending_days: Number(r.ending_days),
  removed: Number(r.removed) === 1,
});

const columns = `toString(fleet_id) AS fleet_id, toString(model) AS model, version, warn_pct, critical_pct, ending_days, removed, changed_by, reason,
  ${isoTime('changed_at')} AS changed_at`;

/** Problems with a threshold entry: percentages in (0, 100] with warn below critical, days 1-3650, a catalog model. */
function thresholdProblems(t: Thresholds, model: string | null, catalog: Catalog): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pct = (field: string, v: number) => {
    if (!(v > 0 && v <= 100)) problems.push({ field: `body.${field}`, message: 'a percentage above 0 and at most 100' });
  };
  pct('warn_pct', t.warnPct);
  pct('critical_pct', t.criticalPct);
  if (t.warnPct >= t.criticalPct) problems.push({ field: 'body.warn_pct', message: `must be below critical_pct (${t.criticalPct})` });
  if (!Number.isInteger(t.endingDays) || t.endingDays < 1 || t.endingDays > 3650) {
    problems.push({ field: 'body.ending_days', message: 'a whole number of days from 1 to 3650' });
  }
  if (model !== null && !catalog.byModel.has(model)) problems.push({ field: 'body.model', message: `${model} is not a model of the catalog` });
  return problems;
}

/**
 * Per-fleet thresholds in ClickHouse, every change kept as a version. Versions are millisecond instants, bumped past
 * the newest stored one so two changes in the same millisecond still order.
 */
export class ThresholdStore {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly catalog: Catalog,
  ) {}

  /** The entries in force, newest version of each (fleet, model), removals left out; `fleet` narrows to one fleet. */
  async current(fleet?: string): Promise<ThresholdVersion[]> {
    const rows = await queryRows<StoredRow>(
      this.client,
      `SELECT ${columns} FROM fleet_thresholds
       WHERE {all:Bool} OR fleet_id = {fleet:String}
       ORDER BY version DESC LIMIT 1 BY fleet_id, model`,
      { all: fleet === undefined, fleet: fleet ?? '' },
    );
    return rows
      .map(fromRow)
      .filter((r) => !r.removed)
      .sort((a, b) => a.fleet_id.localeCompare(b.fleet_id) || (a.model ?? '').localeCompare(b.model ?? ''));
  }

  /** Every version of a fleet's entries, newest first. */
  async history(fleet: string): Promise<ThresholdVersion[]> {
    const rows = await queryRows<StoredRow>(this.client, `SELECT ${columns} FROM fleet_thresholds WHERE fleet_id = {fleet:String} ORDER BY version DESC`, {
      fleet,
    });
    return rows.map(fromRow);
  }

  /** The set an evaluation run applies: the given defaults and every fleet's entries in force. */
  async set(defaults: Thresholds): Promise<ThresholdSet> {
    const overrides: ThresholdOverride[] = (await this.current()).map((r) => ({
      fleetId: r.fleet_id,
      model: r.model,
      warnPct: r.warn_pct,
      criticalPct: r.critical_pct,
      endingDays: r.ending_days,
    }));
    return { defaults, overrides };
  }

  /** Stores a new version of a fleet's entry (all models when model is null); rejects invalid values with named fields. */
  async put(fleet: string, model: string | null, t: Thresholds, by: string, reason: string): Promise<ThresholdVersion> {
    const problems = thresholdProblems(t, model, this.catalog);
    if (problems.length) throw badRequest(`invalid thresholds: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
    return this.write(fleet, model, { warn_pct: t.warnPct, critical_pct: t.criticalPct, ending_days: t.endingDays, removed: 0 }, by, reason);
  }

  /** Removes a fleet's entry (the fleet then falls back to its all-models entry or the defaults); kept in the history. */
  async remove(fleet: string, model: string | null, by: string, reason: string): Promise<ThresholdVersion> {
    return this.write(fleet, model, { warn_pct: 0, critical_pct: 0, ending_days: 0, removed: 1 }, by, reason);
  }

  private async write(
    fleet: string,
    model: string | null,
    values: Pick<StoredRow, 'warn_pct' | 'critical_pct' | 'ending_days' | 'removed'>,
    by: string,
    reason: string,
  ): Promise<ThresholdVersion> {
    const [last] = await queryRows<{ v: number }>(this.client, 'SELECT max(version) AS v FROM fleet_thresholds');
    const now = Date.now();
    const row = { fleet_id: fleet, model: model ?? '', version: Math.max(now, Number(last?.v ?? 0) + 1), ...values, changed_by: by, reason, changed_at: now };
    await insertRows(this.client, 'fleet_thresholds', [row]);
    return fromRow({ ...row, changed_at: new Date(now).toISOString() });
  }
}
