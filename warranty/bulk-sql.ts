import type { Catalog } from '../core/catalog/load.ts';
import { formatFingerprintOf, modelColumns, stage, withManufactureDate } from './catalog-sql.ts';
import {
  exclusionFindings,
  type FailingRule,
  failingRuleOrder,
  flagBits,
  maxChainDepth,
  projectionHorizonDays,
  replacementMinimumDays,
  statusByReason,
  trailingPeriodDays,
} from './rules.ts';
import { endOfDayMs } from './telemetry-as-of.ts';
import type { ThresholdSet } from './thresholds.ts';
import { thresholdColumns } from './thresholds-sql.ts';
import { decoded, isEnrolled, rmaByAt, telemetryColumns, unitFlags } from './unit-facts-sql.ts';

/**
 * The warranty rules of evaluate.ts written as ClickHouse SQL for the whole fleet. Each expression mirrors one step of
 * the TypeScript evaluator; the property test (test/integration/warranty-sql-agrees.test.ts) holds them together.
 * Catalog serial formats and thresholds are passed as query parameters, never spliced into the text.
 *
 * The rules are written as stacked subqueries, each adding a few columns from the previous ones. ClickHouse inlines
 * an alias wherever it is used, so one flat SELECT whose aliases build on each other grows into an expression tree that
 * takes longer to plan than the fleet takes to evaluate; a subquery's columns are computed once. Each stage in turn
 * costs plan time for every column it carries (ClickHouse 26 plans about 0.1 ms per column per stage, and the snapshot
 * carries a hundred), so a stage whose aliases only rename or look up columns shares the SELECT of the next one: the
 * snapshot's plan went from 0.11 to 0.07 s with four stages fewer.
 */
export interface BulkSql {
  query: string;
  params: Record<string, unknown>;
}

/**
 * Short-circuit evaluation is off: with it, an expression shared by several multiIf/if branches across stages is
 * re-evaluated once per branch mask, which cost ten times the whole evaluation. Every branch is therefore written to
 * be safe on any row (clamped makeDate32 arguments, accurateCastOrNull for day counts).
 */
const settings = `short_circuit_function_evaluation = 'disable', max_insert_threads = 2`;

/**
 * The snapshot's rows in the table's order. unit_facts is read in serial order, so this only merges the read streams,
 * and each insert block then arrives sorted and is written without sorting its strings: 0.77 s against 0.91 s for a
 * 1 M-unit snapshot. The evaluation benchmark's floor writes its copy the same way.
 */
export const snapshotOrder = 'ORDER BY serial';

/** How the snapshot is written; the evaluation benchmark's floor writes its copy the same way. */
export const snapshotInsertSettings = `${settings}, optimize_on_insert = 0, min_insert_block_size_rows = 500000, min_insert_block_size_bytes = 0`;

/**
 * An enrolled unit's drive columns and cached manufacturing date, from unit_facts. LowCardinality again for the strings:
 * the catalog lookup then runs once per distinct model, and the snapshot's LowCardinality columns take them as they are.
 */
const unitColumns = `serial, toLowCardinality(drive.2) AS model, toLowCardinality(drive.3) AS fleet_id,
  drive.4 AS purchase_date, drive.5 AS proof_of_purchase, drive.6 AS price_paid, toLowCardinality(drive.7) AS currency,
  ${decoded.manufactured} AS manufactured`;

/** The columns of `unitColumns` a later stage refers to by name. */
const unitColumnNames = ['serial', 'model', 'fleet_id', 'purchase_date', 'proof_of_purchase', 'price_paid', 'currency', 'manufactured'];

/**
 * An enrolled unit's `unitColumns`, its catalog model's columns (modelColumns) and the coverage it earns by itself (not
 * as a replacement): has_proof, own_start, own_base_end (first day no longer covered). One SELECT over unit_facts
 * `from` (FROM … WHERE …), with `extra` columns: each further stage costs plan time for every column it carries.
 */
function ownUnits(catalog: Catalog, params: Record<string, unknown>, from: string, extra?: string): string {
  const more = extra ? `, ${extra}` : '';
  return `(SELECT ${unitColumns}, ${modelColumns(catalog, params)},
     -- A purchase date before the unit was made is never used (NULL manufactured: nothing to compare with).
     purchase_date IS NOT NULL AND coalesce(proof_of_purchase, '') != '' AND coalesce(purchase_date >= manufactured, true) AS has_proof,
     if(has_proof, purchase_date, manufactured) AS own_start,
     -- The day after the anniversary: the starting day is not counted, so the anniversary day itself is covered.
     if(own_start IS NOT NULL AND model_known, addMonths(own_start, warranty_months) + 1, NULL) AS own_base_end${more}
   ${from})`;
}

/**
 * The enrolled units whose manufacturing date is not cached for their model's current serial format: new enrolments,
 * and all units of a product line whose format a new catalog changes. Found without FINAL: a stale unit is stale in the
 * part holding its newest enrolment, and a unit whose enrolment and decoded date sit in parts not merged yet only shows
 * up as a candidate too many. Every condition is in PREWHERE, so serials are read for the candidates alone.
 */
const staleSerials = (catalog: Catalog, params: Record<string, unknown>) =>
  `SELECT serial FROM unit_facts PREWHERE ${isEnrolled} AND ${decoded.format} != ${formatFingerprintOf(catalog, params, 'toLowCardinality(drive.2)')}`;

/**
 * Whether any unit needs decoding (decodeSerialsSql). On a daily run none does, and this look costs a tenth of planning
 * the decoding statement.
 */
export function staleSerialsSql(catalog: Catalog): BulkSql {
  const params: Record<string, unknown> = {};
  return { query: `SELECT count() AS stale FROM (${staleSerials(catalog, params)} LIMIT 1)`, params };
}

/**
 * Decodes the serials of the stale units (staleSerials) into unit_facts.decoded. A unit re-enrolled as a model with
 * another format between this step and the snapshot keeps its previous date for one run. FINAL merges just the
 * candidates' rows instead of the whole table, which costs most when samples have left fresh parts all over it.
 */
export function decodeSerialsSql(catalog: Catalog): BulkSql {
  const params: Record<string, unknown> = {};
  const units = `(SELECT serial, toLowCardinality(drive.2) AS model, ${decoded.format} AS cached FROM unit_facts FINAL
    WHERE serial IN (${staleSerials(catalog, params)}) AND ${isEnrolled})`;
  const stale = `(SELECT *, ${modelColumns(catalog, params)} FROM ${units} WHERE cached != sf_fingerprint)`;
  const query = `INSERT INTO unit_facts (serial, decoded)
SELECT serial, ${decoded.pack('sf_fingerprint', 'manufactured')} FROM ${withManufactureDate(catalog, params, stale)}
SETTINGS ${settings}`;
  return { query, params };
}

/** The last successful run, whose flags a run's flags are compared with. */
export interface PreviousRun {
  runId: number;
  /** Its evaluation date 'YYYY-MM-DD'. */
  at: string;
}

/**
 * Records in unit_facts.flags the flag bits the previous run changed, which the snapshot compares a run's flags with.
 * Only successful runs are ever `previous`, so a failed run's flags never count; recording the same run twice is a no-op.
 */
export function recordFlagsSql(previous: PreviousRun): BulkSql {
  const query = `INSERT INTO unit_facts (serial, flags)
SELECT serial, ${unitFlags.pack('run_id', 'flag_mask')} FROM warranty_status
WHERE snapshot_date = {prev_date:Date32} AND run_id = {prev_run:UInt64} AND flag_mask != flags_before`;
  return { query, params: { prev_date: previous.at, prev_run: previous.runId } };
}

/** First day no longer covered after a repair or replacement on day d: coverage runs through the end of d + 90 (clause II). */
const afterService = replacementMinimumDays + 1;

/** Repairs by `at` extend coverage through 90 days after the latest repair (clause II). */
const repairEnds = `(SELECT serial, max(toDate32(occurred_at)) + ${afterService} AS repair_end
   FROM rma_events WHERE event_type = 'repaired' AND ${rmaByAt} GROUP BY serial)`;

/**
 * Resolves replacement chains into warranty_lineage (small: one row per replacement unit). Every node of a chain is the
 * original of some replacement, so the nodes' own coverage is looked up for the links' originals, without walking the
 * chains a second time.
 */
export function lineageSql(catalog: Catalog, at: string): BulkSql {
  const params: Record<string, unknown> = { at };
  const query = `
INSERT INTO warranty_lineage
WITH RECURSIVE
  links AS (
    SELECT assumeNotNull(replacement_serial) AS child, argMax(serial, occurred_at) AS parent, toDate32(max(occurred_at)) AS day
    FROM rma_events
    WHERE event_type = 'replaced' AND replacement_serial IS NOT NULL AND ${rmaByAt}
    GROUP BY child
  ),
  chain AS (
    SELECT child AS unit, parent AS node, day, 1 AS depth FROM links
    UNION ALL
    SELECT c.unit, l.parent, l.day, c.depth + 1 FROM chain AS c INNER JOIN links AS l ON l.child = c.node
    WHERE c.depth < ${maxChainDepth}
  )
SELECT
  c.unit AS serial,
  argMin(c.node, c.depth) AS parent,
  argMin(c.day, c.depth) AS start_day,
  -- The chain's first unit (deepest node) gives the base term; a tuple keeps its NULL from being skipped.
  greatest(max(c.day) + ${afterService}, max(rep.repair_end), argMax(tuple(own.own_base_end), c.depth).1) AS end_exclusive,
  countIf(own.serial IS NOT NULL) > 0 AS paid_known,
  argMaxIf(tuple(own.price_paid), c.depth, own.serial IS NOT NULL).1 AS paid,
  argMaxIf(own.currency, c.depth, own.serial IS NOT NULL) AS currency
FROM chain AS c
LEFT JOIN ${repairEnds} AS rep ON rep.serial = c.node
LEFT JOIN ${ownUnits(catalog, params, `FROM unit_facts FINAL PREWHERE serial IN (SELECT parent FROM links) WHERE ${isEnrolled}`)} AS own ON own.serial = c.node
GROUP BY c.unit
SETTINGS ${settings}, join_use_nulls = 1`;
  return { query, params };
}

/** The snapshot's stored columns; the rest of warranty_status are ALIAS columns computed from these on read. */
const snapshotColumns = `snapshot_date, serial, fleet_id, model, kind, status, status_reason, coverage_start, coverage_basis,
  coverage_end, manufactured, replacement_of, replaced_by, wear_limit, wear_used, wear_rate_per_day, projected_wearout,
  temp_observed_min, temp_observed_max, temp_rated_min, temp_rated_max, temperature_review, failing_mask, liability_cap,
  currency, flag_mask, flags_before, run_id, evaluated_at`;

/**
 * Units are joined on a 128-bit hash of the serial: hashing and comparing a fixed 16 bytes is cheaper than a string,
 * and at 128 bits two serials of a fleet colliding is out of reach (about 10^-24 for ten million units).
 */
const unitKey = 'reinterpretAsUInt128(sipHash128(serial))';

/**
 * `{param}[index]` with a LowCardinality index, so the string is picked once per distinct index rather than copied per
 * row, and the snapshot's LowCardinality columns take it as it is.
 */
const pick = (param: string, index: string) => `{${param}:Array(String)}[toLowCardinality(toUInt8(${index}))]`;

/**
 * A unit's status reason is the first of its failing rules, else within_coverage: statusReasons[reasonAt], where
 * x XOR (x - 1) keeps the bits up to the lowest set one and its bit count is that bit's 1-based position.
 */
const statusReasons = ['within_coverage', ...failingRuleOrder] as const;
const reasonAt = 'if(failing_mask = 0, 1, 1 + bitCount(bitXor(failing_mask, failing_mask - 1)))';

const bit = (code: FailingRule) => 2 ** failingRuleOrder.indexOf(code);

/** The telemetry columns the snapshot reads per unit, from unit_facts or, for a unit that reported after `at`, asOfTelemetry. */
const telemetryNames = [
  'l_at_ms',
  'l_temp',
  'max_hbw',
  'max_pe',
  'hbw_first_ms',
  'hbw_first',
  'pe_first_ms',
  'pe_first',
  'temp_min',
  'temp_max',
  'hbw_n',
  'pe_n',
];

/**
 * The telemetry columns as of the end of day {at} for the units that sent a sample after it (none on a daily run at
 * today, bar clock skew), recomputed from their samples: unit_facts keeps only each unit's newest figures. Same
 * figures and ties as summaryAsOf (telemetry-as-of.ts): the newest sample by {at} (at the same instant one with a
 * temperature, then the highest), the highest lifetime counters, and that sample's trailing window (migration 0024).
 * A unit whose samples all come after {at} gets a row without readings. The late units are found in the telemetry
 * table's newest partitions, so the daily run reads little.
 */
const asOfTelemetry = () => {
  const end = `fromUnixTimestamp64Milli({end_ms:Int64}, 'UTC')`;
  const day = (ms: string) => `intDiv(${ms}, 86400000)`;
  const samples = `(SELECT serial, groupArrayIf(tuple(ms, hbw, pe, temp), ms < {end_ms:Int64}) AS ss,
      maxIf(hbw, ms < {end_ms:Int64}) AS max_hbw, maxIf(pe, ms < {end_ms:Int64}) AS max_pe,
      maxIf(tuple(ms, temp IS NOT NULL, coalesce(temp, 0)), ms < {end_ms:Int64}) AS newest
    FROM (SELECT serial, toInt64(greatest(toUnixTimestamp64Milli(collected_at), 0)) AS ms,
            host_bytes_written AS hbw, avg_pe_cycles AS pe, temperature_c AS temp
          FROM telemetry WHERE serial IN (SELECT serial FROM telemetry WHERE collected_at >= ${end}))
    GROUP BY serial)`;
  const s1 = stage(
    samples,
    `newest.1 AS l_at_ms, if(newest.2, toInt16(newest.3), NULL) AS l_temp,
     ${day('l_at_ms')} AS l_day, intDiv(l_day, ${trailingPeriodDays}) AS period_a, intDiv(l_day + ${trailingPeriodDays / 2}, ${trailingPeriodDays}) AS period_b,
     period_a * ${trailingPeriodDays} <= period_b * ${trailingPeriodDays} - ${trailingPeriodDays / 2} AS window_a`,
  );
  const s2 = stage(
    s1,
    `arrayFilter(s -> if(window_a, intDiv(${day('s.1')}, ${trailingPeriodDays}) = period_a,
                                   intDiv(${day('s.1')} + ${trailingPeriodDays / 2}, ${trailingPeriodDays}) = period_b), ss) AS win,
     arrayMap(s -> tuple(s.1, -toInt128(assumeNotNull(s.2))), arrayFilter(s -> s.2 IS NOT NULL, win)) AS hbw_keys,
     arrayMap(s -> tuple(s.1, -toInt64(assumeNotNull(s.3))), arrayFilter(s -> s.3 IS NOT NULL, win)) AS pe_keys,
     arrayMap(s -> assumeNotNull(s.4), arrayFilter(s -> s.4 IS NOT NULL, win)) AS temps`,
  );
  const s3 = stage(
    s2,
    `notEmpty(hbw_keys) AS hbw_n, arrayReduce('min', hbw_keys) AS hbw_key, toInt64(hbw_key.1) AS hbw_first_ms, toUInt64(-hbw_key.2) AS hbw_first,
     notEmpty(pe_keys) AS pe_n, arrayReduce('min', pe_keys) AS pe_key, toInt64(pe_key.1) AS pe_first_ms, toUInt32(-pe_key.2) AS pe_first,
     if(notEmpty(temps), toInt16(arrayMin(temps)), NULL) AS temp_min, if(notEmpty(temps), toInt16(arrayMax(temps)), NULL) AS temp_max`,
  );
  return `(SELECT ${unitKey} AS k, true AS late, ${telemetryNames.join(', ')} FROM ${s3})`;
};

/**
 * Evaluates every enrolled unit at `at` into warranty_status (`lateUnits`: some unit reported after `at`, see lateSamplesSql), flags as a bit mask next to the previous run's mask (as
 * recorded by recordFlagsSql). A unit without telemetry has unit_facts' defaults (no readings), and joins leave
 * each column's default where a unit has no RMA history or lineage (join_use_nulls = 0 saves turning every joined
 * column Nullable): NULL for the columns that are Nullable at their source (a replacement's parent, the price paid, the
 * replacement's serial), which thereby say "none" without an if per unit, and 0 for counts and masks.
 */
export function snapshotSql(catalog: Catalog, at: string, runId: number, t: ThresholdSet, previous: PreviousRun | null, lateUnits = true): BulkSql {
  const params: Record<string, unknown> = {
    at,
    end_ms: endOfDayMs(at),
    run_id: runId,
    exclusions: [...exclusionFindings],
    reasons: [...statusReasons],
    statuses: statusReasons.map((r) => statusByReason[r]),
    bases: ['replacement', '', 'purchase', 'manufacture'],
  };
  const own = ['model_known', 'kind', 'w_limit', 'temp_min_c', 'temp_max_c', 'has_proof', 'own_start', 'own_base_end'];
  const facts = `(SELECT ${[...unitColumnNames, ...own].map((c) => `u.${c} AS ${c}`).join(', ')},
    ${telemetryNames.map((c) => (lateUnits ? `if(h.late, h.${c}, u.${c}) AS ${c}` : `u.${c} AS ${c}`)).join(', ')},
    r.excl_mask AS excl_mask, r.excursion AS excursion, r.repair_end AS repair_end, r.replaced_n > 0 AS was_replaced, r.replaced_by AS replaced_by,
    g.parent IS NOT NULL AS is_replacement, g.parent AS replacement_of, g.start_day AS g_start, g.end_exclusive AS g_end,
    g.paid_known AS g_paid_known, g.paid AS g_paid, g.currency AS g_currency,
    ${previous ? 'u.flags_now' : 'toUInt8(0)'} AS flags_before,
    ${thresholdColumns(catalog, t, params)},
    if(is_replacement, g_start, own_start) AS cov_start,
    greatest(if(is_replacement, g_end, own_base_end), repair_end) AS end_excl,
    kind = 'ssd' AS is_ssd,
    -- Wear is the highest lifetime counter read by {at} (migration 0070), never one low sample.
    if(is_ssd, toFloat64(max_hbw), toFloat64(max_pe)) AS w_used,
    if(is_ssd, hbw_n, pe_n) AS first_n,
    if(is_ssd, hbw_first, pe_first) AS first_value,
    l_at_ms - if(is_ssd, hbw_first_ms, pe_first_ms) AS span_ms,
    -- least / greatest skip NULLs (NULL only when every reading is missing): no per-row array needed.
    least(temp_min, temp_max, l_temp) AS obs_min,
    greatest(temp_min, temp_max, l_temp) AS obs_max
  FROM ${ownUnits(catalog, params, `FROM unit_facts FINAL WHERE ${isEnrolled}`, `${unitKey} AS k, ${telemetryColumns}, ${unitFlags.mask} AS flags_now`)} AS u
  ${lateUnits ? `LEFT JOIN ${asOfTelemetry()} AS h ON h.k = u.k` : ''}
  LEFT JOIN (
    SELECT ${unitKey} AS k,
      groupUniqArrayArrayIf(findings, event_type = 'inspected') AS found,
      ${exclusionFindings.map((_, i) => `if(has(found, {exclusions:Array(String)}[${i + 1}]), ${bit(exclusionFindings[i]!)}, 0)`).join(' + ')} AS excl_mask,
      has(found, 'temperature_excursion') AS excursion,
      if(countIf(event_type = 'repaired') > 0, maxIf(toDate32(occurred_at), event_type = 'repaired') + ${afterService}, NULL) AS repair_end,
      countIf(event_type = 'replaced') AS replaced_n,
      if(replaced_n > 0, argMaxIf(replacement_serial, occurred_at, event_type = 'replaced'), NULL) AS replaced_by
    FROM rma_events WHERE ${rmaByAt} GROUP BY k
  ) AS r ON r.k = u.k
  LEFT JOIN (
    SELECT ${unitKey} AS k, toNullable(parent) AS parent, start_day, end_exclusive, paid_known, paid, currency
    FROM warranty_lineage
  ) AS g ON g.k = u.k)`;

  const s1 = stage(
    facts,
    `w_used / w_limit * 100 AS w_pct,
     -- Clause I: TBW ends coverage when reached, compared exactly (bytes written pass 2^53 on busy drives, where the
     -- Float64 w_used rounds); clause III: P/E excludes only when exceeded.
     if(is_ssd, max_hbw >= toUInt64(round(w_limit)), w_used > w_limit) AS w_reached,
     if(first_n AND span_ms >= 86400000 AND w_used >= first_value, (w_used - first_value) / (span_ms / 86400000), NULL) AS rate`,
  );
  const s2 = stage(
    s1,
    `floor((w_limit - w_used) / rate) AS days_to_limit,
     model_known AND obs_min IS NOT NULL AND (obs_min < temp_min_c OR obs_max > temp_max_c) AS temp_out,
     -- A NULL condition (no start, no end, no reading) counts as false.
     toUInt16(if(NOT model_known, ${bit('model_unknown')}, 0) + if(cov_start IS NULL, ${bit('start_undeterminable')}, 0) + excl_mask
       + if(was_replaced, ${bit('unit_replaced')}, 0)
       + if({at:Date32} < cov_start, ${bit('not_started')}, 0)
       + if(w_reached, if(is_ssd, ${bit('tbw_reached')}, ${bit('pe_reached')}), 0)
       + if({at:Date32} >= end_excl, ${bit('term_ended')}, 0)) AS failing_mask`,
  );
  const s3 = stage(
    s2,
    `if(w_used < w_limit AND rate > 0 AND days_to_limit <= ${projectionHorizonDays},
        toDate32(fromUnixTimestamp64Milli(l_at_ms, 'UTC')) + accurateCastOrNull(days_to_limit, 'Int32'), NULL) AS projected,
     ${pick('reasons', reasonAt)} AS status_reason,
     ${pick('statuses', reasonAt)} AS status,
     -- A replacement is capped at its chain's first price (NULL when unknown), else at its own.
     if(is_replacement AND g_paid_known, g_paid, price_paid) AS cap_amount,
     if(is_replacement AND g_paid_known, g_currency, currency) AS cap_currency`,
  );
  const final = `SELECT
  {at:Date32} AS snapshot_date, serial, fleet_id, model, kind, status, status_reason,
  cov_start AS coverage_start,
  ${pick('bases', 'multiIf(is_replacement, 1, cov_start IS NULL, 2, has_proof, 3, 4)')} AS coverage_basis,
  end_excl - 1 AS coverage_end,
  manufactured,
  replacement_of,
  replaced_by,
  w_limit AS wear_limit,
  w_used AS wear_used,
  rate AS wear_rate_per_day,
  projected AS projected_wearout,
  obs_min AS temp_observed_min,
  obs_max AS temp_observed_max,
  temp_min_c AS temp_rated_min,
  temp_max_c AS temp_rated_max,
  temp_out OR excursion AS temperature_review,
  failing_mask,
  cap_amount AS liability_cap,
  cap_currency AS currency,
  -- A NULL condition (no reading, no coverage end) counts as false; an active unit's coverage ends after {at}, so it
  -- has at most th_ending days left exactly when it ends by {at} + th_ending. Thresholds are the unit's fleet's (thresholdColumns).
  toUInt8(
    if(status = 'replaced', 0,
       multiIf(w_pct >= th_critical, ${flagBits.near_critical}, w_pct >= th_warn, ${flagBits.near_warn}, 0)
       + if(temp_out, ${flagBits.temperature}, 0))
    + if(status = 'active',
         if(projected < end_excl, ${flagBits.wearout}, 0) + if(end_excl <= addDays({at:Date32}, th_ending), ${flagBits.ending}, 0),
         0)) AS flag_mask,
  flags_before,
  {run_id:UInt64} AS run_id,
  now64(3) AS evaluated_at
FROM ${s3}`;
  // A run yields one row per serial, so the insert-time deduplication of ReplacingMergeTree would only cost a pass.
  // Blocks of half a million rows let both insert threads sort and write parts: with the default of about a million,
  // one thread wrote a 1 M-unit snapshot alone (0.45 s against 0.56 s for the insert).
  const query = `INSERT INTO warranty_status (${snapshotColumns})
${final}
${snapshotOrder}
SETTINGS ${snapshotInsertSettings}`;
  return { query, params };
}

/**
 * Records in warranty_flag_events the flags a run raised (new, or at another level) or cleared since the previous
 * run; only units whose flag bits changed are expanded.
 */
export function flagChangesSql(at: string, runId: number): BulkSql {
  const query = `
INSERT INTO warranty_flag_events (run_id, serial, fleet_id, flag, level, action, at, value, threshold)
SELECT run_id, serial, fleet_id, flag, if(level != '', level, previous_level), if(level != '', 'raised', 'cleared'), now64(3), value, threshold
FROM warranty_flag_slots
WHERE snapshot_date = {at:Date32} AND run_id = {run:UInt64} AND flag_mask != flags_before AND level != previous_level
-- The view's joins bring one run's settings: a runtime filter built from them costs more than it saves.
SETTINGS enable_join_runtime_filters = 0`;
  return { query, params: { at, run: runId } };
}

/**
 * Whether any unit sent a sample after the end of day {at}: only then does the snapshot read histories (asOfTelemetry).
 * The telemetry table's monthly partitions and their time index keep this to the newest parts on a daily run.
 */
export function lateSamplesSql(at: string): BulkSql {
  return {
    query: `SELECT count() > 0 AS late FROM telemetry WHERE collected_at >= fromUnixTimestamp64Milli({end_ms:Int64}, 'UTC')`,
    params: { end_ms: endOfDayMs(at) },
  };
}

/** Units evaluated and flags raised by a run (the near-limit bits are one flag at one of two levels). */
export function runCountsSql(at: string, runId: number): BulkSql {
  const near = flagBits.near_warn | flagBits.near_critical;
  const others = flagBits.wearout | flagBits.ending | flagBits.temperature;
  const query = `SELECT count() AS units, sum(bitAnd(flag_mask, ${near}) != 0) + sum(bitCount(bitAnd(flag_mask, ${others}))) AS flags
FROM warranty_status WHERE snapshot_date = {at:Date32} AND run_id = {run:UInt64}`;
  return { query, params: { at, run: runId } };
}
