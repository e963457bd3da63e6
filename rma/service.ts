import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { serial } from '../core/contracts/common.ts';
import { checkPurchaseDate, type ProofOfPurchase, proofDateReasons, proofOfPurchase } from '../core/contracts/proof.ts';
import { type InspectionFinding, inspectionFindings, type RmaEvent, type RmaEventType, rmaEvent, rmaEventTypes } from '../core/contracts/rma.ts';
import { notFound, WearwatchError } from '../core/errors.ts';
import { rules } from '../warranty/rules.ts';
import { todayUtc, type WarrantyService } from '../warranty/service.ts';
import { allowedNext, checkTransition, decideInspection, newRmaNumber, type SupportStep, stateOf } from './lifecycle.ts';
import type { RmaStore, StoredRmaEvent } from './store.ts';

export const rmaRequest = z
  .object({
    serial,
    contact: z.object({
      name: z.string().trim().min(1, 'your name is required').max(100),
      email: z.email('a valid e-mail address').max(200),
      phone: z.string().trim().max(40).optional(),
    }),
    proof_of_purchase: proofOfPurchase
      .optional()
      .describe('invoice or receipt: the claim is decided on its purchase date provisionally, until the desk verifies it'),
    symptom: z.string().trim().min(5, 'describe the fault in at least 5 characters').max(2000),
    data_responsibility_acknowledged: z.literal(true, {
      error: 'confirm that backing up and removing your data before sending the unit is your responsibility',
    }),
  })
  .meta({ id: 'RmaRequest' });
export type RmaRequest = z.output<typeof rmaRequest>;

/** Wear read from a returned unit at the bench (write limits exceeded, clause III). */
const benchReading = z
  .object({
    host_bytes_written: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    avg_pe_cycles: z.number().int().nonnegative().max(1_000_000).optional(),
  })
  .refine((r) => r.host_bytes_written !== undefined || r.avg_pe_cycles !== undefined, 'give host_bytes_written or avg_pe_cycles');
type BenchReading = z.output<typeof benchReading>;

export const reasonInfo = z.object({ code: z.string(), rule: z.string(), clause: z.string().nullable() });
export type ReasonInfo = z.output<typeof reasonInfo>;

/** Where an RMA stands: the fields the customer's status, the desk's queue and the desk's case view share. */
export const rmaStanding = z.object({
  rma_number: z.string(),
  serial: z.string(),
  state: z.enum(rmaEventTypes),
  opened_at: z.string(),
  updated_at: z.string(),
});

/** The standing with what may happen next and why the RMA stands where it does. */
export const rmaProgress = rmaStanding.extend({ next_steps: z.array(z.enum(rmaEventTypes)), reasons: z.array(reasonInfo) });

/** Reasons the RMA workflow adds to the warranty rules' own codes. */
const workflowReasons: Record<string, string> = {
  proof_rejected: 'the desk rejected the proof of purchase given with the claim; the claim was decided again from the manufacturing date',
  liability_cap_unknown: 'the price paid for the unit is not known, so no refund can be capped; desk review: record the price first',
  authorisation_expired: 'the unit was not received within the days an authorisation is valid; request a new RMA',
  ...proofDateReasons,
};

function explainReason(code: string): ReasonInfo {
  const rule = (rules as Record<string, { clause: string; rule: string }>)[code];
  if (rule) return { code, rule: rule.rule, clause: rule.clause };
  return { code, rule: workflowReasons[code] ?? code.replaceAll('_', ' '), clause: null };
}

export const supportStep = z.discriminatedUnion('type', [
  z.object({ type: z.literal('received'), note: z.string().max(2000).optional() }),
  z
    .object({
      type: z.literal('inspected'),
      findings: z.array(z.enum(inspectionFindings)).min(1).max(16),
      bench_reading: benchReading.optional().describe('wear read at the bench; required with write_limit_exceeded, and then counts as a sample'),
      note: z.string().max(2000).optional(),
    })
    .superRefine((step, ctx) => {
      if (step.findings.includes('write_limit_exceeded') && !step.bench_reading) {
        ctx.addIssue({
          code: 'custom',
          path: ['bench_reading'],
          message: 'write_limit_exceeded needs the bench reading of host bytes written or average P/E cycles',
        });
      }
    }),
  z.object({ type: z.literal('repaired'), note: z.string().max(2000).optional() }),
  z.object({ type: z.literal('replaced'), replacement_serial: serial, note: z.string().max(2000).optional() }),
  z.object({
    type: z.literal('rejected'),
    reasons: z
      .array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a reason code such as tbw_reached'))
      .min(1)
      .max(16),
    note: z.string().max(2000).optional(),
  }),
  z.object({ type: z.literal('closed'), note: z.string().max(2000).optional() }),
  z.object({
    type: z.literal('refunded'),
    amount: z.number().positive().max(1_000_000_000).multipleOf(0.01, 'at most two decimals'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
    note: z.string().max(2000).optional(),
  }),
  z.object({ type: z.literal('proof_verified'), note: z.string().max(2000).optional() }),
  z.object({
    type: z.literal('proof_rejected'),
    reason: z.string().trim().min(3, 'say why the proof is rejected').max(500),
    note: z.string().max(2000).optional(),
  }),
]) satisfies z.ZodType<{ type: SupportStep }>;
export type SupportStepRequest = z.output<typeof supportStep>;

/** States in which an RMA is still being worked on; further requests for the unit are linked to these, never blocked. */
const openStates: readonly RmaEventType[] = ['requested', 'authorised', 'received', 'inspected', 'repaired', 'replaced'];

/** Where a proof given with a claim stands: pending until the desk records its verdict. */
export const proofStanding = z.object({
  status: z.enum(['pending_verification', 'verified', 'rejected']),
  reason: z.string().nullable(),
});
type ProofStanding = z.output<typeof proofStanding>;

/** What the customer does or waits for in each state. */
const nextStepText: Record<RmaEventType, string> = {
  requested: 'the request is being pre-screened',
  authorised: 'ship the unit with the RMA number on the box to the mailing address; the authorisation expires if it is not received in time',
  received: 'the unit has arrived and waits for inspection',
  inspected: 'the unit was inspected; the desk decides on repair, replacement or refusal',
  repaired: 'the repaired unit is on its way back',
  replaced: 'a replacement unit is on its way',
  refunded: 'the refund is on its way',
  rejected: 'the claim was refused for the reasons given; nothing more to do',
  closed: 'the RMA is closed',
  expired: 'the authorisation lapsed; request a new RMA to send the unit',
  proof_verified: '',
  proof_rejected: '',
};

/** A replacement serial becomes a unit the vendor knows (model, owner and the chain's price of the original). */
interface UnitRegistration {
  serial: string;
  model: string;
  fleet_id: string;
  price_paid: number | null;
  currency: string;
}

export interface RmaOptions {
  /** Days an authorisation waits for the unit (RMA_AUTHORISATION_DAYS). */
  authorisationDays: number;
  /** Public requests accepted per serial per UTC day (RMA_REQUESTS_PER_SERIAL_PER_DAY). */
  requestsPerSerialPerDay: number;
  /** Enrols a replacement serial; skipped when the serial is enrolled already. */
  registerUnit: (unit: UnitRegistration) => Promise<void>;
  /** Records wear read at the bench as a telemetry sample of the unit (source `bench`). */
  recordBenchReading: (unit: { serial: string; model: string; fleet_id: string }, reading: BenchReading, at: Date) => Promise<void>;
}

const dayMs = 86_400_000;

export interface RmaView {
  rma_number: string;
  serial: string;
  state: RmaEventType;
  opened_at: string;
  updated_at: string;
  next_steps: RmaEventType[];
  next_step: string;
  reasons: ReasonInfo[];
  proof: ProofStanding | null;
  /** Other RMAs of the unit that were open when this one was requested (the desk sees them linked). */
  linked_rmas: string[];
  events: { type: RmaEventType; at: string; findings: InspectionFinding[]; reasons: string[]; replacement_serial: string | null }[];
}

/**
 * The RMA workflow: pre-screening a request with the warranty rules, then the support desk's steps, each checked
 * against the state machine and emitted as an event.
 */
export class RmaService {
  constructor(
    private readonly store: RmaStore,
    private readonly warranty: WarrantyService,
    private readonly options: RmaOptions,
  ) {}

  /**
   * Pre-screens and records a request; an eligible unit is authorised, any other is rejected with the rules that fail.
   * A proof of purchase given with the request decides it on its purchase date, provisionally (the desk verifies it);
   * a purchase date after today or before the unit was made is refused and never used. Another open RMA for the unit
   * never blocks a request (a stranger may have opened it): the new one is linked to it for the desk.
   */
  async submit(request: RmaRequest, channel: 'api' | 'web', now = new Date()) {
    const today = todayUtc(now);
    const enrolled = await this.warranty.evaluate(request.serial, today);
    if (!enrolled) {
      throw new WearwatchError('WW_NOT_FOUND', `serial ${request.serial} is not a registered unit`, undefined, {
        fields: [{ field: 'body.serial', message: 'no registered unit has this serial number; check the label, or register the product first' }],
      });
    }
    const proof = request.proof_of_purchase ?? null;
    if (proof) {
      const refused = checkPurchaseDate(proof.purchase_date, today, enrolled.coverage.manufactured);
      if (refused) {
        const message = `${refused}: ${proofDateReasons[refused]}`;
        throw new WearwatchError('WW_VALIDATION', `proof_of_purchase.purchase_date: ${message}`, undefined, {
          fields: [{ field: 'body.proof_of_purchase.purchase_date', message }],
        });
      }
    }
    const past = await this.store.forSerial(request.serial);
    const requestedToday = past.filter((e) => e.event_type === 'requested' && e.occurred_at.slice(0, 10) === today).length;
    if (requestedToday >= this.options.requestsPerSerialPerDay) {
      throw new WearwatchError('WW_RATE_LIMITED', `serial ${request.serial} had ${requestedToday} RMA requests today; try again tomorrow`, undefined, {
        fields: [{ field: 'body.serial', message: `at most ${this.options.requestsPerSerialPerDay} RMA requests per serial number per day` }],
      });
    }
    const evaluation = proof ? ((await this.warranty.evaluate(request.serial, today, proof)) ?? enrolled) : enrolled;
    const byRma = new Map<string, StoredRmaEvent[]>();
    for (const e of past) byRma.set(e.rma_number, [...(byRma.get(e.rma_number) ?? []), e]);
    const linked = [...byRma].filter(([, events]) => openStates.includes(stateOf(events)?.event_type ?? 'closed')).map(([number]) => number);
    const reasons = evaluation.claim.failing.map((f) => f.code as string);
    const rmaNumber = newRmaNumber();
    const statusToken = randomBytes(24).toString('base64url');
    const requested = this.event(rmaNumber, request.serial, 'requested', now, {
      details: {
        channel,
        contact: request.contact,
        proof: proof ? { ...proof, status: 'pending_verification' } : null,
        symptom: request.symptom,
        data_responsibility_acknowledged: true,
        linked_rmas: linked,
        status_token: statusToken,
      },
    });
    // One millisecond later, so the decision sorts after the request it answers.
    const decidedAt = new Date(now.getTime() + 1);
    const decision = reasons.length
      ? this.event(rmaNumber, request.serial, 'rejected', decidedAt, { reasons, details: { decided_on: proof ? 'claimed_proof' : 'enrolment' } })
      : this.event(rmaNumber, request.serial, 'authorised', decidedAt, {
          details: {
            coverage_end: evaluation.coverage.end,
            status: evaluation.status,
            decided_on: proof ? 'claimed_proof' : 'enrolment',
            expires_on: new Date(decidedAt.getTime() + this.options.authorisationDays * dayMs).toISOString().slice(0, 10),
          },
        });
    await this.store.record([requested, decision]);
    return {
      rma_number: rmaNumber,
      serial: request.serial,
      decision: decision.event_type as 'authorised' | 'rejected',
      reasons: reasons.map(explainReason),
      proof: proof ? { status: 'pending_verification' as const, reason: null } : null,
      status_token: statusToken,
    };
  }

  /** Whether `token` is the RMA's private status token (compared in constant time). */
  async tokenMatches(rmaNumber: string, token: string): Promise<boolean> {
    const history = await this.store.history(rmaNumber);
    const expected = history[0]?.details.status_token;
    if (typeof expected !== 'string' || expected.length !== token.length) return false;
    return timingSafeEqual(Buffer.from(expected), Buffer.from(token));
  }

  async view(rmaNumber: string, now = new Date()): Promise<RmaView & { history: StoredRmaEvent[] }> {
    const history = await this.current(rmaNumber, now);
    const state = stateOf(history)!;
    const last = history.at(-1)!;
    const rejected = history.filter((e) => e.event_type === 'rejected').at(-1);
    const expired = state.event_type === 'expired' ? ['authorisation_expired'] : [];
    return {
      rma_number: rmaNumber,
      serial: history[0]!.serial,
      state: state.event_type,
      opened_at: history[0]!.occurred_at,
      updated_at: last.occurred_at,
      next_steps: [...allowedNext(history)],
      next_step: nextStepText[state.event_type],
      reasons: [...(rejected?.reasons ?? []), ...expired].map(explainReason),
      proof: proofOf(history),
      linked_rmas: (history[0]!.details.linked_rmas as string[] | undefined) ?? [],
      events: history.map((e) => ({
        type: e.event_type,
        at: e.occurred_at,
        findings: e.findings,
        reasons: e.reasons,
        replacement_serial: e.replacement_serial,
      })),
      history,
    };
  }

  /**
   * Records one support step after checking it is legal now; an inspection whose findings void the claim also rejects
   * it. A verdict on the claim's proof leaves the state as it is, unless a rejected proof makes the claim ineligible
   * from the manufacturing date: the RMA is then rejected. A replacement serial is registered as a unit at once.
   */
  async advance(rmaNumber: string, step: SupportStepRequest, actor: string, now = new Date()) {
    const history = await this.current(rmaNumber, now);
    const unit = history[0]!.serial;
    const details = { actor, ...(step.note ? { note: step.note } : {}) };
    if (step.type === 'proof_verified' || step.type === 'proof_rejected') {
      await this.store.record(await this.proofVerdict(history, step, details, now));
      return this.view(rmaNumber, now);
    }
    const check = checkTransition(history, step.type);
    if (!check.ok) throw new WearwatchError('WW_INVALID_TRANSITION', check.message, undefined, { fields: [{ field: 'body.type', message: check.message }] });
    const refund = step.type === 'refunded' ? await this.checkRefund(unit, step.amount, step.currency, now) : null;
    const events: RmaEvent[] = [
      this.event(rmaNumber, unit, step.type, now, {
        details: refund ? { ...details, ...refund } : details,
        findings: step.type === 'inspected' ? step.findings : [],
        reasons: step.type === 'rejected' ? step.reasons : [],
        replacement_serial: step.type === 'replaced' ? step.replacement_serial : undefined,
      }),
    ];
    if (step.type === 'inspected') {
      const decision = decideInspection(step.findings);
      if (decision.decision === 'void') {
        events.push(
          this.event(rmaNumber, unit, 'rejected', new Date(now.getTime() + 1), { reasons: decision.reasons, details: { actor, decided_by: 'inspection' } }),
        );
      }
    }
    if (step.type === 'replaced') await this.registerReplacement(unit, step.replacement_serial, now);
    if (step.type === 'inspected' && step.bench_reading) {
      const e = await this.warranty.evaluate(unit, todayUtc(now));
      if (e?.model && e.fleet_id) await this.options.recordBenchReading({ serial: unit, model: e.model, fleet_id: e.fleet_id }, step.bench_reading, now);
    }
    await this.store.record(events);
    return this.view(rmaNumber, now);
  }

  /** Records `expired` on every authorised RMA whose unit was not received in time (before the desk lists its queue). */
  async expireLapsed(now = new Date()): Promise<number> {
    const cutoff = now.getTime() - this.options.authorisationDays * dayMs;
    const lapsed = (await this.store.queue(['authorised'], 10_000, 0)).filter((r) => Date.parse(r.updated_at) <= cutoff);
    for (const r of lapsed) await this.current(r.rma_number, now);
    return lapsed.length;
  }

  /**
   * The RMA's history with a lapsed authorisation recorded as `expired` first: an authorised RMA whose unit was not
   * received within the authorisation days cannot be received any more.
   */
  private async current(rmaNumber: string, now: Date): Promise<StoredRmaEvent[]> {
    const history = await this.store.history(rmaNumber);
    if (history.length === 0) throw notFound(`RMA ${rmaNumber}`);
    const state = stateOf(history)!;
    if (state.event_type !== 'authorised' || now.getTime() - Date.parse(state.occurred_at) < this.options.authorisationDays * dayMs) return history;
    const lapsedAt = new Date(Date.parse(state.occurred_at) + this.options.authorisationDays * dayMs);
    await this.store.record([
      this.event(rmaNumber, history[0]!.serial, 'expired', lapsedAt, { reasons: ['authorisation_expired'], details: { days: this.options.authorisationDays } }),
    ]);
    return this.store.history(rmaNumber);
  }

  private async proofVerdict(
    history: StoredRmaEvent[],
    step: Extract<SupportStepRequest, { type: 'proof_verified' | 'proof_rejected' }>,
    details: Record<string, unknown>,
    now: Date,
  ): Promise<RmaEvent[]> {
    const { rma_number: rmaNumber, serial: unit } = history[0]!;
    const standing = proofOf(history);
    const refuse = (message: string) => new WearwatchError('WW_INVALID_TRANSITION', message, undefined, { fields: [{ field: 'body.type', message }] });
    if (!standing) throw refuse('this RMA was requested without a proof of purchase; there is nothing to verify');
    if (standing.status !== 'pending_verification') throw refuse(`the proof of purchase was already ${standing.status}`);
    if (step.type === 'proof_verified') return [this.event(rmaNumber, unit, 'proof_verified', now, { details })];
    const verdict = this.event(rmaNumber, unit, 'proof_rejected', now, { reasons: ['proof_rejected'], details: { ...details, reason: step.reason } });
    // Decided again as of the claim's day, without the rejected proof: coverage then starts at manufacture.
    const claimDay = history[0]!.occurred_at.slice(0, 10);
    const evaluation = await this.warranty.evaluate(unit, claimDay, null);
    const state = stateOf(history)!.event_type;
    if (!evaluation || evaluation.claim.eligible || !['requested', 'authorised', 'received', 'inspected'].includes(state)) return [verdict];
    const reasons = [...evaluation.claim.failing.map((f) => f.code as string), 'proof_rejected'];
    return [verdict, this.event(rmaNumber, unit, 'rejected', new Date(now.getTime() + 1), { reasons, details: { ...details, decided_by: 'proof_rejected' } })];
  }

  /**
   * Clause V: the refunds of a replacement chain, this one included, may not exceed the price paid for its first unit,
   * in that currency. An unknown price refuses every refund until the desk has it (never a cap of 0).
   */
  private async checkRefund(unit: string, amount: number, currency: string, now: Date) {
    const today = todayUtc(now);
    const cap = (await this.warranty.evaluate(unit, today))?.claim.liability_cap ?? null;
    const refuse = (code: string, message: string) =>
      new WearwatchError('WW_INVALID_TRANSITION', `${code}: ${message}`, undefined, { fields: [{ field: 'body.amount', message: `${code}: ${message}` }] });
    if (cap === null || cap.amount === null) throw refuse('liability_cap_unknown', workflowReasons.liability_cap_unknown!);
    if (currency !== cap.currency) throw refuse('liability_cap', `refunds are paid in ${cap.currency}, the currency of the price paid`);
    const chain = await this.warranty.chain(unit, today);
    const cents = (await Promise.all(chain.map((s) => this.store.forSerial(s))))
      .flat()
      .filter((e) => e.event_type === 'refunded')
      .reduce((sum, e) => sum + Math.round(Number(e.details.amount ?? 0) * 100), Math.round(amount * 100));
    // In cents, so 0.1 + 0.2 never exceeds 0.3.
    if (cents > Math.round(cap.amount * 100)) {
      throw refuse(
        'liability_cap',
        `refunds of this unit's chain would total ${(cents / 100).toFixed(2)} ${currency}, above the ${cap.amount.toFixed(2)} ${currency} paid`,
      );
    }
    return { amount, currency, cap: cap.amount };
  }

  /** Enrols a replacement serial as the original's model, owner and chain price, unless it is enrolled already. */
  private async registerReplacement(original: string, replacement: string, now: Date): Promise<void> {
    if (await this.warranty.evaluate(replacement, todayUtc(now))) return;
    const e = await this.warranty.evaluate(original, todayUtc(now));
    if (!e?.model || !e.fleet_id) return;
    const cap = e.claim.liability_cap;
    await this.options.registerUnit({
      serial: replacement,
      model: e.model,
      fleet_id: e.fleet_id,
      price_paid: cap?.amount ?? null,
      currency: cap?.currency ?? 'USD',
    });
  }

  private event(
    rmaNumber: string,
    unit: string,
    type: RmaEventType,
    at: Date,
    extra: { findings?: InspectionFinding[]; reasons?: string[]; replacement_serial?: string; details?: Record<string, unknown> },
  ): RmaEvent {
    // Parsed through the contract so anything emitted is exactly what ingest accepts.
    return rmaEvent.parse({
      schema: 'wearwatch.rma.v1',
      event_id: randomUUID(),
      rma_number: rmaNumber,
      serial: unit,
      event_type: type,
      occurred_at: at.toISOString(),
      findings: extra.findings ?? [],
      reasons: extra.reasons ?? [],
      ...(extra.replacement_serial ? { replacement_serial: extra.replacement_serial } : {}),
      details: extra.details ?? {},
    });
  }
}

/** The proof given with the request and the desk's verdict on it; null when the request came without one. */
function proofOf(history: readonly StoredRmaEvent[]): ProofStanding | null {
  const given = history[0]?.details.proof as ProofOfPurchase | null | undefined;
  if (!given) return null;
  const verdict = history.filter((e) => e.event_type === 'proof_verified' || e.event_type === 'proof_rejected').at(-1);
  if (!verdict) return { status: 'pending_verification', reason: null };
  return verdict.event_type === 'proof_verified'
    ? { status: 'verified', reason: null }
    : { status: 'rejected', reason: typeof verdict.details.reason === 'string' ? verdict.details.reason : null };
}
