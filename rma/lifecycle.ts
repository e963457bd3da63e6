import { randomInt } from 'node:crypto';
import { type InspectionFinding, proofVerdicts, type RmaEventType } from '../core/contracts/rma.ts';
import { type ExclusionFinding, exclusionFindings } from '../warranty/rules.ts';

/**
 * The RMA state machine: an RMA's state is its latest event, and each state allows the next steps below. `requested`
 * is followed at once by the pre-screening's `authorised` or `rejected`; the rest are the support desk's steps.
 * `closed` after `authorised` covers a customer who never ships the unit.
 */
export const nextSteps: Record<RmaEventType, readonly RmaEventType[]> = {
  requested: ['authorised', 'rejected'],
  authorised: ['received', 'closed', 'expired'],
  received: ['inspected'],
  inspected: ['repaired', 'replaced', 'rejected', 'closed'],
  repaired: ['closed'],
  replaced: ['closed'],
  refunded: ['closed'],
  rejected: ['closed'],
  closed: [],
  expired: [],
  // Verdicts on a proof are not states (stateOf skips them); listed for completeness of the table.
  proof_verified: [],
  proof_rejected: [],
};

/** The RMA's state: its latest event that is a step, not a verdict on the proof. */
export const stateOf = <E extends { event_type: RmaEventType }>(history: readonly E[]): E | undefined =>
  history.filter((e) => !(proofVerdicts as readonly RmaEventType[]).includes(e.event_type)).at(-1);

/** Steps the support desk records through the API; `requested`/`authorised` only come from the pre-screening. */
const supportSteps = ['received', 'inspected', 'repaired', 'replaced', 'refunded', 'rejected', 'closed', 'proof_verified', 'proof_rejected'] as const;
export type SupportStep = (typeof supportSteps)[number];

export type InspectionDecision =
  | { decision: 'void'; reasons: ExclusionFinding[]; allowed: readonly RmaEventType[] }
  | { decision: 'serviceable'; reasons: []; allowed: readonly RmaEventType[] }
  | { decision: 'no_fault_found'; reasons: []; allowed: readonly RmaEventType[] };

/**
 * What inspection findings decide: an exclusion of clause III voids the claim (a temperature excursion is a review
 * flag only); a confirmed defect allows repair or replacement; otherwise there is nothing to service.
 */
export function decideInspection(findings: readonly InspectionFinding[]): InspectionDecision {
  // Reason codes are the rule codes of warranty/rules.ts, which names each exclusion by its finding.
  const reasons = exclusionFindings.filter((f) => findings.includes(f));
  if (reasons.length > 0) return { decision: 'void', reasons, allowed: ['rejected'] };
  // A closer look may still find a cause the policy excludes, so a further inspection can follow a confirmed defect.
  if (findings.includes('defect_confirmed')) return { decision: 'serviceable', reasons: [], allowed: ['repaired', 'replaced', 'refunded', 'inspected'] };
  return { decision: 'no_fault_found', reasons: [], allowed: ['closed'] };
}

export interface RecordedEvent {
  event_type: RmaEventType;
  findings: InspectionFinding[];
}

/** The steps allowed after an RMA's history: the state table, narrowed by the inspection decision once inspected. */
export function allowedNext(history: readonly RecordedEvent[]): readonly RmaEventType[] {
  const last = stateOf(history);
  if (!last) return [];
  if (last.event_type === 'inspected') return decideInspection(last.findings).allowed;
  return nextSteps[last.event_type];
}

export type TransitionCheck = { ok: true } | { ok: false; message: string; allowed: readonly RmaEventType[] };

export function checkTransition(history: readonly RecordedEvent[], step: RmaEventType): TransitionCheck {
  const allowed = allowedNext(history);
  if (allowed.includes(step)) return { ok: true };
  const state = stateOf(history)?.event_type ?? 'none';
  return {
    ok: false,
    allowed,
    message: `an RMA in state ${state} cannot become ${step}; ${allowed.length ? `next may be: ${allowed.join(', ')}` : 'it is final'}`,
  };
}

/** Letters and digits without 0/O and 1/I, so a number read over the phone is unambiguous. */
const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A new RMA number: 10 random characters (50 bits), so numbers cannot be guessed from one another. */
export function newRmaNumber(): string {
  let out = 'RMA-';
  for (let i = 0; i < 10; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
