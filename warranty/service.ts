import { z } from 'zod';
import { addMonths, dayFromIso } from '../core/calendar.ts';
import type { Catalog } from '../core/catalog/load.ts';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { ProofOfPurchase } from '../core/contracts/proof.ts';
import { evaluateUnit } from './evaluate.ts';
import { evaluateSerial } from './queries.ts';
import { rules, warrantyStatuses } from './rules.ts';
import type { WarrantyEvaluation } from './types.ts';
import type { WarrantyIndex } from './unit-index.ts';
import { loadUnitInputs } from './unit-loader.ts';

/** A count that may pass 2^53 (bytes written): a number, or its exact decimal string beyond. */
const exactCount = z.union([z.number(), z.string().regex(/^\d+$/)]).describe('exact; a decimal string when above 2^53 - 1');

/** Today's calendar date in UTC, the day the rules evaluate at. */
export const todayUtc = (now = new Date()): string => now.toISOString().slice(0, 10);

/** One serial's warranty, by the rules in warranty/rules.ts; undefined when the serial was never enrolled. */
export class WarrantyService {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly catalog: Catalog,
    private readonly index?: WarrantyIndex,
  ) {}

  /**
   * Exactly as of `at`, read from ClickHouse: for decisions (RMA pre-screening) and staff views. `proof` replaces the
   * enrolment's evidence (see evaluateSerial).
   */
  async evaluate(serial: string, at = todayUtc(), proof?: ProofOfPurchase | null): Promise<WarrantyEvaluation | undefined> {
    return (await evaluateSerial(this.client, this.catalog, serial, at, proof)) ?? undefined;
  }

  /** The serial and the units it replaced, newest first (its replacement chain as of `at`). */
  async chain(serial: string, at = todayUtc()): Promise<string[]> {
    const serials: string[] = [];
    for (let unit = await loadUnitInputs(this.client, serial, at); unit; unit = unit.replacementOf?.original ?? null) serials.push(unit.serial);
    return serials.length ? serials : [serial];
  }

  /**
   * For the public lookup: from the in-memory index (as fresh as its last refresh, a few seconds), falling back to
   * ClickHouse for a serial the index does not hold yet.
   */
  async lookup(serial: string, at = todayUtc()): Promise<WarrantyEvaluation | undefined> {
    const inputs = this.index?.inputs(serial, at);
    return inputs ? evaluateUnit(inputs, at, this.catalog) : this.evaluate(serial, at);
  }
}

const ruleRef = z.object({ code: z.string(), rule: z.string(), clause: z.string() });

/**
 * What anyone holding a serial may see: status, clause, coverage, wear remaining and claim eligibility. Nothing about
 * the owner or the unit's service history: no fleet, no price paid (the liability cap), no proof-of-purchase
 * reference, no findings, no replacement serials (those go to the owner only, see ownerWarranty).
 */
export const publicWarranty = z
  .object({
    serial: z.string(),
    model: z.string().nullable(),
    kind: z.enum(['ssd', 'tf']).nullable(),
    evaluated_on: z.string().describe('the date (UTC) the policy was applied at'),
    status: z.enum(warrantyStatuses),
    status_reason: ruleRef,
    coverage: z.object({
      start: z.string().nullable(),
      basis: z.enum(['purchase', 'manufacture', 'replacement']).nullable().describe('what the start date is based on'),
      end: z.string().nullable().describe('last covered day, inclusive'),
      days_left: z.number().nullable(),
      manufactured: z.string().nullable(),
    }),
    wear: z
      .object({
        metric: z.enum(['tbw', 'pe']),
        unit: z.enum(['bytes', 'cycles']),
        limit: z.number(),
        used: exactCount.nullable(),
        remaining: exactCount.nullable(),
        used_pct: z.number().nullable(),
        remaining_pct: z.number().nullable(),
        measured_at: z.string().nullable(),
        projected_wearout: z.string().nullable().describe('date the rating is projected to be reached at the recent write rate'),
        remaining_life_days: z.number().nullable(),
        remaining_life: z.string().nullable().describe('the same in years and months; "beyond 10 years" past that'),
      })
      .nullable(),
    replacement: z
      .object({ rule: z.string() })
      .nullable()
      .describe("set when this unit is a replacement: covered for the longer of the original's remaining term or 90 days"),
    claim: z.object({ eligible: z.boolean(), failing: z.array(ruleRef), requirements: z.array(ruleRef) }),
  })
  .meta({ id: 'WarrantyStatus' });
export type PublicWarranty = z.output<typeof publicWarranty>;

export function toPublicWarranty(e: WarrantyEvaluation): PublicWarranty {
  return {
    serial: e.serial,
    model: e.model,
    kind: e.kind,
    evaluated_on: e.at,
    status: e.status,
    status_reason: e.status_reason,
    coverage: {
      start: e.coverage.start,
      basis: e.coverage.basis,
      end: e.coverage.end,
      days_left: e.coverage.days_left,
      manufactured: e.coverage.manufactured,
    },
    wear: e.wear && {
      metric: e.wear.metric,
      unit: e.wear.unit,
      limit: e.wear.limit,
      used: e.wear.used,
      remaining: e.wear.remaining,
      used_pct: e.wear.used_pct === null ? null : round(e.wear.used_pct),
      remaining_pct: e.wear.remaining_pct === null ? null : round(e.wear.remaining_pct),
      measured_at: e.wear.measured_at,
      projected_wearout: e.wear.projected_wearout,
      remaining_life_days: e.wear.remaining_life_days,
      remaining_life: lifeInWords(e.at, e.wear.remaining_life_days),
    },
    replacement: e.coverage.replacement_of ? { rule: rules.replacement_term.rule } : null,
    claim: { eligible: e.claim.eligible, failing: e.claim.failing, requirements: e.claim.requirements },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Beyond this, remaining life reads "beyond 10 years": a projection that far out is no promise. */
const lifeHorizonMonths = 120;

/**
 * Remaining life from `at` ('YYYY-MM-DD') in whole calendar years and months ("2 years 3 months", "less than a
 * month"), or "beyond 10 years"; null when there is no estimate.
 */
export function lifeInWords(at: string, days: number | null): string | null {
  if (days === null) return null;
  const start = dayFromIso(at);
  const end = start + days;
  if (end > addMonths(start, lifeHorizonMonths)) return 'beyond 10 years';
  let months = 0;
  while (addMonths(start, months + 1) <= end) months++;
  const years = Math.floor(months / 12);
  const rest = months % 12;
  const parts = [years ? `${years} year${years > 1 ? 's' : ''}` : '', rest ? `${rest} month${rest > 1 ? 's' : ''}` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : 'less than a month';
}

/** What the owner (a key that sees the unit's fleet) also sees: findings, replacement serials and the RMA history. */
export const ownerWarranty = z
  .object({
    replacement_of: z.string().nullable(),
    replaced_by: z.string().nullable(),
    exclusions: z.array(z.string()).describe('clause III findings recorded at inspection'),
    liability_cap: z.object({ amount: z.number().nullable().describe('null: the price paid is not known, desk review'), currency: z.string() }).nullable(),
  })
  .meta({ id: 'WarrantyOwnerView' });

export const toOwnerWarranty = (e: WarrantyEvaluation): z.output<typeof ownerWarranty> => ({
  replacement_of: e.coverage.replacement_of,
  replaced_by: e.coverage.replaced_by,
  exclusions: e.exclusions,
  liability_cap: e.claim.liability_cap,
});
