import { describe, expect, it } from 'vitest';
import { proofVerdicts, rmaEventTypes, rmaNumber } from '../../core/contracts/rma.ts';
import { allowedNext, checkTransition, decideInspection, newRmaNumber, nextSteps } from '../../rma/lifecycle.ts';

const history = (...types: (typeof rmaEventTypes)[number][]) => types.map((event_type) => ({ event_type, findings: [] }));

describe('RMA state machine', () => {
  it('knows every event type and ends only at closed or expired (verdicts on a proof are not states)', () => {
    expect(Object.keys(nextSteps).sort()).toEqual([...rmaEventTypes].sort());
    expect(rmaEventTypes.filter((t) => nextSteps[t].length === 0 && !(proofVerdicts as readonly string[]).includes(t))).toEqual(['closed', 'expired']);
    // A verdict on the proof leaves the RMA in the state it was in.
    expect(allowedNext(history('requested', 'authorised', 'proof_verified'))).toEqual(['received', 'closed', 'expired']);
  });

  it('allows the desk steps in order and refuses skipping ahead, naming the allowed steps', () => {
    expect(checkTransition(history('requested', 'authorised'), 'received')).toEqual({ ok: true });
    const skip = checkTransition(history('requested', 'authorised'), 'replaced');
    expect(skip).toMatchObject({ ok: false, allowed: ['received', 'closed', 'expired'] });
    expect(!skip.ok && skip.message).toBe('an RMA in state authorised cannot become replaced; next may be: received, closed, expired');
    const final = checkTransition(history('requested', 'rejected', 'closed'), 'received');
    expect(!final.ok && final.message).toMatch(/it is final$/);
  });

  it('lets inspection findings decide what may follow', () => {
    const inspected = (findings: never[] | string[]) => [
      ...history('requested', 'authorised', 'received'),
      { event_type: 'inspected' as const, findings: findings as never[] },
    ];
    // A further inspection may still find an exclusion after a confirmed defect.
    expect(allowedNext(inspected(['defect_confirmed']))).toEqual(['repaired', 'replaced', 'refunded', 'inspected']);
    expect(allowedNext(inspected(['defect_confirmed', 'physical_damage']))).toEqual(['rejected']);
    expect(allowedNext(inspected(['no_fault_found']))).toEqual(['closed']);
  });

  it('voids a claim only for clause III exclusions, not for a temperature excursion', () => {
    expect(decideInspection(['tampered_label', 'liquid_damage'])).toMatchObject({ decision: 'void', reasons: ['liquid_damage', 'tampered_label'] });
    expect(decideInspection(['temperature_excursion', 'defect_confirmed'])).toMatchObject({ decision: 'serviceable', reasons: [] });
    expect(decideInspection(['temperature_excursion'])).toMatchObject({ decision: 'no_fault_found' });
  });

  it('issues unguessable RMA numbers that satisfy the contract', () => {
    const numbers = Array.from({ length: 2000 }, newRmaNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const n of numbers) {
      expect(rmaNumber.safeParse(n).success).toBe(true);
      // No 0/O or 1/I: a number read out over the phone cannot be misheard.
      expect(n.slice(4)).not.toMatch(/[01IO]/);
    }
  });
});
