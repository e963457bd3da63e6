import { addMonths, type Day, dayFromIso, dayOfInstant, isoFromDay } from '../core/calendar.ts';
import { type Catalog, type CatalogModel, decodeSerial, findModel } from '../core/catalog/load.ts';
import type { RmaEventType } from '../core/contracts/rma.ts';
import { fromBigInt, type Uint64 } from '../core/contracts/uint64.ts';
import type { WarrantyStatus } from './rules.ts';
import {
  exclusionFindings,
  type FailingRule,
  maxChainDepth,
  projectionHorizonDays,
  type ReasonCode,
  replacementMinimumDays,
  rules,
  statusByReason,
} from './rules.ts';
import type { CoverageBasis, RmaRecord, RuleRef, TelemetrySummary, UnitInputs, WarrantyEvaluation, WearFigures } from './types.ts';

const ref = (code: ReasonCode): RuleRef => ({ code, ...rules[code] });
const msPerDay = 86_400_000;

/** Latest of the known days; null when none is known. */
const latestOf = (...days: (Day | null)[]): Day | null =>
  days.reduce<Day | null>((best, d) => (d === null ? best : best === null || d > best ? d : best), null);

const eventsUntil = (inputs: UnitInputs, at: Day, type: RmaEventType) => inputs.rma.filter((e) => e.event_type === type && dayOfInstant(e.occurred_at) <= at);

interface Coverage {
  start: Day | null;
  basis: CoverageBasis | null;
  /** First day no longer covered: the day after the anniversary, or after d + 90 for a repair / replacement on day d. */
  endExclusive: Day | null;
  manufactured: Day | null;
  decodeError: string | null;
  /** Price paid for the unit the coverage was bought with (the first of a replacement chain). */
  paid: { amount: number | null; currency: string } | null;
}

/** Link of a replacement to its original, if the replacement happened by `at`. */
const activeLink = (inputs: UnitInputs, at: Day) =>
  inputs.replacementOf && dayOfInstant(inputs.replacementOf.replaced_at) <= at ? inputs.replacementOf : null;

function coverage(inputs: UnitInputs, at: Day, catalog: Catalog, depth = 0): Coverage {
  const model = inputs.drive ? findModel(catalog, inputs.drive.model) : undefined;
  const link = depth < maxChainDepth ? activeLink(inputs, at) : null;
  const repairsEnd = latestOf(...eventsUntil(inputs, at, 'repaired').map((e) => dayOfInstant(e.occurred_at) + replacementMinimumDays + 1));
  const decoded = inputs.drive && model ? decodeSerial(catalog, inputs.serial, model.product_line) : null;
  const manufactured = decoded?.ok ? dayFromIso(decoded.manufactured) : null;
  const decodeError = !inputs.drive ? null : !model ? `model ${inputs.drive.model} is not in the catalog` : decoded!.ok ? null : decoded!.reason;
  const ownPaid = inputs.drive ? { amount: inputs.drive.price_paid, currency: inputs.drive.currency } : null;

  if (link) {
    // Clause II: the longer of the original's remaining coverage or 90 days from the replacement; chains repeat the rule.
    const replacedDay = dayOfInstant(link.replaced_at);
    const original = coverage(link.original, at, catalog, depth + 1);
    return {
      start: replacedDay,
      basis: 'replacement',
      endExclusive: latestOf(original.endExclusive, replacedDay + replacementMinimumDays + 1, repairsEnd),
      manufactured,
      decodeError,
      paid: original.paid ?? ownPaid,
    };
  }
  const drive = inputs.drive;
  // A purchase date before the unit was made is never used (the serial's date is then the start).
  const proof =
    drive !== null &&
    drive.purchase_date !== null &&
    (drive.proof_of_purchase ?? '') !== '' &&
    (manufactured === null || dayFromIso(drive.purchase_date) >= manufactured);
  const start = proof ? dayFromIso(drive.purchase_date!) : manufactured;
  // The starting day is not counted: the term ends at the end of the anniversary day, so the day after is the first uncovered.
  const baseEnd = start !== null && model ? addMonths(start, model.warranty_months) + 1 : null;
  return {
    start,
    basis: start === null ? null : proof ? 'purchase' : 'manufacture',
    endExclusive: latestOf(baseEnd, repairsEnd),
    manufactured,
    decodeError,
    paid: ownPaid,
  };
}

/**
 * Whether wear ends coverage: clause I ends it when host bytes written *reach* the TBW rating; clause III excludes a TF
 * card whose average P/E cycles *exceed* its rating, so a card exactly at its rating is still covered.
 */
const wearLimitCrossed = (metric: 'tbw' | 'pe', used: Uint64, limit: number): boolean =>
  metric === 'tbw' ? BigInt(used) >= BigInt(Math.round(limit)) : BigInt(used) > BigInt(Math.round(limit));

/** A model's wear limit: host bytes written for an SSD (TBW rating), average P/E cycles for a TF card. */
export const wearLimit = (model: CatalogModel): number => (model.kind === 'ssd' ? model.tbw_tb! * 1e12 : model.pe_cycles!);

function wear(model: CatalogModel, telemetry: TelemetrySummary | null, at: Day): WearFigures {
  const ssd = model.kind === 'ssd';
  const limit = wearLimit(model);
  const latest = telemetry?.latest ?? null;
  const used = latest ? ((ssd ? telemetry?.max_hbw : telemetry?.max_pe) ?? null) : null;
  const first = ssd ? telemetry?.trailing_hbw : telemetry?.trailing_pe;
  const base = { metric: ssd ? 'tbw' : 'pe', unit: ssd ? 'bytes' : 'cycles', limit } as const;
  if (used === null || latest === null) {
    return {
      ...base,
      used: null,
      remaining: null,
      used_pct: null,
      remaining_pct: null,
      measured_at: null,
      rate_per_day: null,
      projected_wearout: null,
      remaining_life_days: null,
    };
  }
  // Reached or not is decided on exact integers; percentages and rates are measures, doubles are fine for them.
  const usedExact = BigInt(used);
  const limitExact = BigInt(Math.round(limit));
  const usedPct = (Number(used) / limit) * 100;
  const spanMs = first ? Date.parse(latest.collected_at) - Date.parse(first.at) : 0;
  const rate = first && spanMs >= msPerDay && usedExact >= BigInt(first.value) ? (Number(used) - first.value) / (spanMs / msPerDay) : null;
  let projected: Day | null = null;
  let life: number | null = null;
  if (usedExact >= limitExact) {
    life = 0;
  } else if (rate !== null && rate > 0) {
    const days = Math.floor(Number(limitExact - usedExact) / rate);
    if (days <= projectionHorizonDays) {
      projected = dayOfInstant(latest.collected_at) + days;
      life = Math.max(0, projected - at);
    }
  }
  return {
    ...base,
    used,
    remaining: fromBigInt(limitExact > usedExact ? limitExact - usedExact : 0n),
    used_pct: usedPct,
    remaining_pct: Math.max(0, 100 - usedPct),
    measured_at: latest.collected_at,
    rate_per_day: rate,
    projected_wearout: projected === null ? null : isoFromDay(projected),
    remaining_life_days: life,
  };
}

function temperature(model: CatalogModel | undefined, telemetry: TelemetrySummary | null, inspectionExcursion: boolean) {
  const readings = [telemetry?.temp_min ?? null, telemetry?.temp_max ?? null, telemetry?.latest?.temperature_c ?? null].filter((t): t is number => t !== null);
  const observedMin = readings.length ? Math.min(...readings) : null;
  const observedMax = readings.length ? Math.max(...readings) : null;
  const outOfRange = model !== undefined && observedMin !== null && (observedMin < model.temp_min_c || observedMax! > model.temp_max_c);
  return {
    rated_min: model?.temp_min_c ?? null,
    rated_max: model?.temp_max_c ?? null,
    observed_min: observedMin,
    observed_max: observedMax,
    out_of_range: outOfRange,
    inspection_excursion: inspectionExcursion,
    review: outOfRange || inspectionExcursion,
  };
}

/**
 * Applies the warranty policy to one unit at a calendar date ('YYYY-MM-DD'). Pure: all facts come in `inputs`.
 * Status precedence when several rules apply: undetermined, void, replaced, not started, expired by wear, expired by time.
 */
export function evaluateUnit(inputs: UnitInputs, atDate: string, catalog: Catalog): WarrantyEvaluation {
  const at = dayFromIso(atDate);
  const drive = inputs.drive;
  const model = drive ? findModel(catalog, drive.model) : undefined;
  const cov = coverage(inputs, at, catalog);
  const inspected = eventsUntil(inputs, at, 'inspected').flatMap((e) => e.findings);
  const exclusions = exclusionFindings.filter((f) => inspected.includes(f));
  const replacedBy = eventsUntil(inputs, at, 'replaced').reduce<RmaRecord | null>(
    (last, e) => (last === null || Date.parse(e.occurred_at) > Date.parse(last.occurred_at) ? e : last),
    null,
  );
  const w = model ? wear(model, inputs.telemetry, at) : null;
  const wearReached = w !== null && w.used !== null && wearLimitCrossed(w.metric, w.used, w.limit);
  const wearCode: FailingRule = model?.kind === 'tf' ? 'pe_reached' : 'tbw_reached';

  const failing: FailingRule[] = [];
  if (!model) failing.push('model_unknown');
  if (cov.start === null) failing.push('start_undeterminable');
  failing.push(...exclusions);
  if (replacedBy) failing.push('unit_replaced');
  if (cov.start !== null && at < cov.start) failing.push('not_started');
  if (wearReached) failing.push(wearCode);
  if (cov.endExclusive !== null && at >= cov.endExclusive) failing.push('term_ended');

  const reason = failing[0] ?? 'within_coverage';
  const status: WarrantyStatus = statusByReason[reason];

  return {
    serial: inputs.serial,
    at: atDate,
    model: drive?.model ?? null,
    fleet_id: drive?.fleet_id ?? null,
    kind: model?.kind ?? null,
    status,
    status_reason: ref(reason),
    coverage: {
      start: cov.start === null ? null : isoFromDay(cov.start),
      basis: cov.basis,
      end: cov.endExclusive === null ? null : isoFromDay(cov.endExclusive - 1),
      days_left: cov.endExclusive === null ? null : Math.max(0, cov.endExclusive - at),
      manufactured: cov.manufactured === null ? null : isoFromDay(cov.manufactured),
      serial_decode_error: cov.decodeError,
      replacement_of: activeLink(inputs, at)?.original_serial ?? null,
      replaced_by: replacedBy?.replacement_serial ?? null,
    },
    wear: w,
    temperature: temperature(model, inputs.telemetry, inspected.includes('temperature_excursion')),
    exclusions,
    claim: {
      eligible: failing.length === 0,
      failing: failing.map(ref),
      requirements: [ref('rma_required'), ref('backup_acknowledged')],
      liability_cap: cov.paid,
    },
  };
}
