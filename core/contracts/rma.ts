import { z } from 'zod';
import { instant, serial } from './common.ts';

/**
 * The RMA steps, then the desk's verdicts on a proof of purchase given with the claim (not steps: the RMA keeps its
 * state), `expired` (an authorisation whose unit was not received in time) and `refunded` (a monetary settlement
 * instead of repair or replacement, capped by clause V).
 */
export const rmaEventTypes = [
  'requested',
  'authorised',
  'received',
  'inspected',
  'repaired',
  'replaced',
  'rejected',
  'closed',
  'proof_verified',
  'proof_rejected',
  'expired',
  'refunded',
] as const;
export type RmaEventType = (typeof rmaEventTypes)[number];

/** Events that record a verdict on the claim's proof rather than a step of the RMA. */
export const proofVerdicts = ['proof_verified', 'proof_rejected'] as const satisfies readonly RmaEventType[];

/** Inspection findings that void a claim: the exclusions of policy clause III, in the order results list them. */
export const exclusionFindings = [
  'physical_damage',
  'liquid_damage',
  'tampered_label',
  'unauthorised_modification',
  'unofficial_accessory',
  'unintended_use',
  'unsafe_environment',
  'software_fault',
  'write_limit_exceeded',
] as const;
export type ExclusionFinding = (typeof exclusionFindings)[number];

/**
 * Every inspection finding: the exclusions, `temperature_excursion` (a review flag only, never voids by itself),
 * `defect_confirmed` (the finding that makes a claim serviceable) and `no_fault_found`.
 */
export const inspectionFindings = [...exclusionFindings, 'temperature_excursion', 'defect_confirmed', 'no_fault_found'] as const;
export type InspectionFinding = (typeof inspectionFindings)[number];

/** Contact, symptom and notes fit easily; a 900 KB blob is not a detail of an RMA. */
const maxDetailsBytes = 16 * 1024;

export const rmaNumber = z.string().regex(/^RMA-[0-9A-Z]{4,20}$/, 'RMA-followed by 4 to 20 capital letters or digits');

/** One step of an RMA's lifecycle. `event_id` is assigned by the producer so a redelivered event is recognised. */
export const rmaEvent = z
  .object({
    schema: z.literal('wearwatch.rma.v1'),
    event_id: z.uuid(),
    rma_number: rmaNumber,
    serial,
    event_type: z.enum(rmaEventTypes),
    occurred_at: instant,
    findings: z.array(z.enum(inspectionFindings)).max(16).default([]),
    reasons: z
      .array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a reason code such as tbw_exceeded'))
      .max(16)
      .default([]),
    replacement_serial: serial.optional(),
    details: z
      .record(z.string(), z.unknown())
      .default({})
      .refine((d) => Buffer.byteLength(JSON.stringify(d)) <= maxDetailsBytes, `at most ${maxDetailsBytes} bytes as JSON`),
  })
  .superRefine((event, ctx) => {
    if (event.event_type === 'replaced' && !event.replacement_serial) {
      ctx.addIssue({ code: 'custom', path: ['replacement_serial'], message: 'a replaced event names the replacement serial' });
    }
    if (event.event_type === 'inspected' && event.findings.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['findings'], message: 'an inspected event lists at least one finding' });
    }
    if (event.event_type === 'rejected' && event.reasons.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['reasons'], message: 'a rejected event names at least one reason' });
    }
  });
export type RmaEvent = z.output<typeof rmaEvent>;
