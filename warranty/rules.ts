import { type ExclusionFinding, exclusionFindings } from '../core/contracts/rma.ts';

/**
 * Every warranty rule, by reason code, with the policy clause it comes from (shared policy text, sections I-V) and the
 * reading applied. Evaluation results, the bulk snapshot and RMA pre-screens name rules only by these codes.
 */
/** Every status a unit can be in; the first failing rule decides which (statusByReason). */
export const warrantyStatuses = ['active', 'not_started', 'expired_time', 'expired_tbw', 'expired_pe', 'void', 'replaced', 'undetermined'] as const;
export type WarrantyStatus = (typeof warrantyStatuses)[number];

export const rules = {
  within_coverage: { clause: 'I. Warranty Principle', rule: 'covered: inside the term and below the TBW / P/E limit' },
  start_purchase: { clause: 'I. Proof of Warranty', rule: 'coverage starts at the purchase date when a valid proof of purchase exists' },
  start_manufacture: { clause: 'I. Proof of Warranty', rule: 'without proof of purchase, coverage starts at the manufacturing date encoded in the serial' },
  start_replacement: { clause: 'II. Service Term', rule: 'a replacement unit is covered from its replacement date' },
  start_undeterminable: {
    clause: 'I. Proof of Warranty',
    rule: 'no proof of purchase and the serial does not decode to a manufacturing date: coverage cannot be established',
  },
  model_unknown: { clause: 'VI. Information Transparency', rule: 'the model is not in the product catalog, so its term and TBW / P/E rating are unknown' },
  not_started: { clause: 'I. Warranty Principle', rule: 'the date is before coverage starts' },
  term_ended: { clause: 'I. Warranty Principle', rule: "the warranty term (the model's months from coverage start) has ended" },
  tbw_reached: {
    clause: 'I. Warranty Principle; III. Exceeding Write Limits',
    rule: "host bytes written reached the model's TBW rating (exactly at the rating ends coverage)",
  },
  pe_reached: { clause: 'III. Exceeding Write Limits', rule: "average P/E cycles exceeded the model's P/E rating (exactly at the rating is covered)" },
  replacement_term: { clause: 'II. Service Term', rule: "a replaced or repaired unit is covered for the longer of the original's remaining term or 90 days" },
  unit_replaced: {
    clause: 'II. Service Method',
    rule: 'the unit was replaced; coverage continues on the replacement and the replaced unit belongs to the vendor',
  },
  physical_damage: { clause: 'III. Human or Accidental Damage', rule: 'inspection found physical damage (drop, crush, fire, voltage)' },
  liquid_damage: { clause: 'III. Human or Accidental Damage', rule: 'inspection found liquid ingress' },
  tampered_label: { clause: 'III. Unauthorized Modifications', rule: 'product labels or serial numbers torn off or altered' },
  unauthorised_modification: { clause: 'III. Unauthorized Modifications', rule: 'disassembled, modified or repaired by an unauthorised party' },
  unofficial_accessory: { clause: 'III. Other Causes', rule: 'fault from unofficial accessories' },
  unintended_use: { clause: 'III. Other Causes', rule: 'use outside the intended purpose' },
  unsafe_environment: {
    clause: 'III. Unsafe Operating Environment',
    rule: 'inspection found use under non-recommended operating conditions (e.g. extreme temperature, humidity)',
  },
  software_fault: { clause: 'III. Other Causes', rule: 'the fault was caused by software conflicts or a virus / malware' },
  write_limit_exceeded: {
    clause: 'III. Exceeding Write Limits',
    rule: 'the bench reading shows host bytes written or average P/E cycles beyond the rating (recorded as a sample)',
  },
  temperature_review: {
    clause: 'III. Unsafe Operating Environment',
    rule: 'temperature outside the rated range: flagged for the inspector, does not void a claim by itself',
  },
  rma_required: { clause: 'IV. Return Process', rule: 'service needs an authorised RMA number; unauthorised shipments are refused' },
  backup_acknowledged: { clause: 'IV. Data Backup', rule: 'the customer backs up and wipes data before an RMA is authorised' },
  liability_cap: { clause: 'V. Limitation of Liability', rule: 'any settlement is capped at the price actually paid' },
} as const;

export type ReasonCode = keyof typeof rules;

export { type ExclusionFinding, exclusionFindings } from '../core/contracts/rma.ts';

// Every exclusion found at inspection is also a reason code of its own.
exclusionFindings satisfies readonly ReasonCode[];

/**
 * Order in which failing claim rules are listed; the first one failing is the unit's status reason. Bit i of
 * warranty_status.failing_mask is rule i (the migration's ALIAS column spells them out with this same list).
 */
export const failingRuleOrder = [
  'model_unknown',
  'start_undeterminable',
  ...exclusionFindings,
  'unit_replaced',
  'not_started',
  'tbw_reached',
  'pe_reached',
  'term_ended',
] as const satisfies readonly ReasonCode[];
export type FailingRule = (typeof failingRuleOrder)[number];

/** A unit's status when `reason` is the first of its failing rules (in failingRuleOrder), or when none fails. */
export const statusByReason = {
  model_unknown: 'undetermined',
  start_undeterminable: 'undetermined',
  ...(Object.fromEntries(exclusionFindings.map((f) => [f, 'void'])) as Record<ExclusionFinding, 'void'>),
  unit_replaced: 'replaced',
  not_started: 'not_started',
  tbw_reached: 'expired_tbw',
  pe_reached: 'expired_pe',
  term_ended: 'expired_time',
  within_coverage: 'active',
} as const satisfies Record<FailingRule | 'within_coverage', WarrantyStatus>;

/** Bits of warranty_status.flag_mask. */
export const flagBits = { near_warn: 1, near_critical: 2, wearout: 4, ending: 8, temperature: 16 } as const;

/** Days a replacement or repair is covered at least (clause II, Service Term): on day d, through the end of d + 90. */
export const replacementMinimumDays = 90;

/**
 * The trailing window of the write rate and the temperature review, kept per unit as telemetry arrives (migration
 * 0023): two series of periods this long, the second offset by half of it; the window is the older of the two periods
 * the newest sample falls in, so it reaches back at least half and at most all of this before the newest sample.
 */
export const trailingPeriodDays = 60;

/** Wear-out projections further out than this are reported as "not within horizon" (null). */
export const projectionHorizonDays = 36_500;

/** Replacement chains longer than this are cut (protects against a cycle in bad RMA data). */
export const maxChainDepth = 16;
