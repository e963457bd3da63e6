import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { serial } from '../core/contracts/common.ts';
import { type InspectionFinding, inspectionFindings, type RmaEvent, type RmaEventType, rmaEvent, rmaEventTypes } from '../core/contracts/rma.ts';
import { notFound, WearwatchError } from '../core/errors.ts';
import { rules } from '../warranty/rules.ts';
import type { WarrantyService } from '../warranty/service.ts';
import { allowedNext, checkTransition, decideInspection, newRmaNumber, type SupportStep } from './lifecycle.ts';
import type { RmaStore, StoredRmaEvent } from './store.ts';

export const rmaRequest = z
  .object({
    serial,
    contact: z.object({
      name: z.string().trim().min(1, 'your name is required').max(100),
      email: z.email('a valid e-mail address').max(200),
      phone: z.string().trim().max(40).optional(),
    }),
    proof_of_purchase: z.string().trim().max(128).optional().describe('invoice or receipt number'),
    symptom: z.string().trim().min(5, 'describe the fault in at least 5 characters').max(2000),
    data_responsibility_acknowledged: z.literal(true, {
      error: 'confirm that backing up and removing your data before sending the unit is your responsibility',
    }),
  })
  .meta({ id: 'RmaRequest' });
export type RmaRequest = z.output<typeof rmaRequest>;

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
  rma_already_open: 'this unit already has an open RMA; follow that one instead of opening another',
};

function explainReason(code: string): ReasonInfo {
  const rule = (rules as Record<string, { clause: string; rule: string }>)[code];
  if (rule) return { code, rule: rule.rule, clause: rule.clause };
  return { code, rule: workflowReasons[code] ?? code.replaceAll('_', ' '), clause: null };
}

export const supportStep = z.discriminatedUnion('type', [
  z.object({ type: z.literal('received'), note: z.string().max(2000).optional() }),
  z.object({ type: z.literal('inspected'), findings: z.array(z.enum(inspectionFindings)).min(1).max(16), note: z.string().max(2000).optional() }),
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
]) satisfies z.ZodType<{ type: SupportStep }>;
export type SupportStepRequest = z.output<typeof supportStep>;

/** States in which an RMA is still being worked on; a unit may have one such RMA at a time. */
const openStates: readonly RmaEventType[] = ['requested', 'authorised', 'received', 'inspected', 'repaired', 'replaced'];

export interface RmaView {
  rma_number: string;
  serial: string;
  state: RmaEventType;
  opened_at: string;
  updated_at: string;
  next_steps: RmaEventType[];
  reasons: ReasonInfo[];
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
  ) {}

  /** Pre-screens and records a request; an eligible unit is authorised, any other is rejected with the rules that fail. */
  async submit(request: RmaRequest, channel: 'api' | 'web', now = new Date()) {
    const evaluation = await this.warranty.evaluate(request.serial);
    if (!evaluation) {
      throw new WearwatchError('WW_NOT_FOUND', `serial ${request.serial} is not a registered unit`, undefined, {
        fields: [{ field: 'body.serial', message: 'no registered unit has this serial number; check the label' }],
      });
    }
    // Events come oldest first, so the last one written per RMA is its state.
    const stateByRma = new Map<string, RmaEventType>();
    for (const e of await this.store.forSerial(request.serial)) stateByRma.set(e.rma_number, e.event_type);
    const openRma = [...stateByRma].find(([, state]) => openStates.includes(state))?.[0] ?? null;
    const reasons = [...evaluation.claim.failing.map((f) => f.code as string), ...(openRma ? ['rma_already_open'] : [])];
    const rmaNumber = newRmaNumber();
    const requested = this.event(rmaNumber, request.serial, 'requested', now, {
      details: {
        channel,
        contact: request.contact,
        proof_of_purchase: request.proof_of_purchase ?? null,
        symptom: request.symptom,
        data_responsibility_acknowledged: true,
      },
    });
    // One millisecond later, so the decision sorts after the request it answers.
    const decidedAt = new Date(now.getTime() + 1);
    const decision = reasons.length
      ? this.event(rmaNumber, request.serial, 'rejected', decidedAt, { reasons, details: { open_rma: openRma } })
      : this.event(rmaNumber, request.serial, 'authorised', decidedAt, {
          details: { coverage_end: evaluation.coverage.end, status: evaluation.status },
        });
    await this.store.record([requested, decision]);
    return { rma_number: rmaNumber, serial: request.serial, decision: decision.event_type as 'authorised' | 'rejected', reasons: reasons.map(explainReason) };
  }

  async view(rmaNumber: string): Promise<RmaView & { history: StoredRmaEvent[] }> {
    const history = await this.store.history(rmaNumber);
    if (history.length === 0) throw notFound(`RMA ${rmaNumber}`);
    const last = history.at(-1)!;
    const rejected = history.filter((e) => e.event_type === 'rejected').at(-1);
    return {
      rma_number: rmaNumber,
      serial: history[0]!.serial,
      state: last.event_type,
      opened_at: history[0]!.occurred_at,
      updated_at: last.occurred_at,
      next_steps: [...allowedNext(history)],
      reasons: (rejected?.reasons ?? []).map(explainReason),
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

  /** Records one support step after checking it is legal now; an inspection whose findings void the claim also rejects it. */
  async advance(rmaNumber: string, step: SupportStepRequest, actor: string, now = new Date()) {
    const history = await this.store.history(rmaNumber);
    if (history.length === 0) throw notFound(`RMA ${rmaNumber}`);
    const check = checkTransition(history, step.type);
    if (!check.ok) throw new WearwatchError('WW_INVALID_TRANSITION', check.message, undefined, { fields: [{ field: 'body.type', message: check.message }] });
    const unit = history[0]!.serial;
    const details = { actor, ...(step.note ? { note: step.note } : {}) };
    const events: RmaEvent[] = [
      this.event(rmaNumber, unit, step.type, now, {
        details,
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
    await this.store.record(events);
    return this.view(rmaNumber);
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
