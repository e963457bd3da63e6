import type { InspectionFinding, RmaEventType } from '../core/contracts/rma.ts';
import type { Rng } from '../core/random.ts';
import type { DriveSpec } from './fleet.ts';

/** Why a claim ended without service, by the warranty rules' reason codes, plus "nothing wrong with it". */
export const refusalReasons = ['term_ended', 'tbw_reached', 'pe_reached', 'physical_damage', 'liquid_damage', 'tampered_label', 'no_fault_found'] as const;
type RefusalReason = (typeof refusalReasons)[number];
export type ClaimOutcome = 'replaced' | 'repaired' | RefusalReason;

export interface ClaimStep {
  day: number;
  second: number;
  event_type: RmaEventType;
  findings: InspectionFinding[];
  reasons: string[];
  details: Record<string, unknown>;
}

export interface ClaimPlan {
  rma_number: string;
  outcome: ClaimOutcome;
  steps: ClaimStep[];
}

const exclusionFindings = ['physical_damage', 'liquid_damage', 'tampered_label'] as const;

/**
 * The lifecycle of one claim, decided when it is filed. Exclusions the depot can prove without the unit (the date and
 * the telemetry's TBW / P/E use) refuse the claim before authorisation; the rest are authorised, shipped, inspected,
 * and end replaced, repaired or refused for what the inspector found. Delays between steps are drawn from `rng`.
 */
export function planClaim(input: {
  drive: DriveSpec;
  requested: number;
  /** Share of the TBW / P/E rating used, from the unit's last telemetry sample. */
  wear: number;
  failed: boolean;
  excursions: number;
  rng: Rng;
}): ClaimPlan {
  const { drive, requested, rng } = input;
  const steps: ClaimStep[] = [];
  let day = requested;
  const step = (event_type: RmaEventType, after: number, extra: Partial<ClaimStep> = {}) => {
    day += after;
    const previous = steps.at(-1);
    // Office hours; a step on the same day as the previous one comes after it.
    const second = previous && after === 0 ? Math.min(previous.second + 60 + rng.int(3600), 86_399) : 8 * 3600 + rng.int(10 * 3600);
    steps.push({ day, second, event_type, findings: [], reasons: [], details: {}, ...extra });
  };
  const rma_number = `RMA-${Array.from({ length: 10 }, () => ALPHABET[rng.int(36)]).join('')}`;
  step('requested', 0, {
    reasons: [input.failed ? 'drive_failed' : 'suspected_fault'],
    details: { source: 'simulator', symptom: rng.weighted(symptoms, () => 1), fleet_id: drive.fleet.fleet_id },
  });

  const provable: RefusalReason[] = [];
  if (requested > drive.coverage_end) provable.push('term_ended');
  if (input.wear >= 1) provable.push(drive.model.kind === 'ssd' ? 'tbw_reached' : 'pe_reached');
  if (provable.length) {
    step('rejected', 1 + rng.int(3), { reasons: provable });
    step('closed', 0, { details: { outcome: provable[0] } });
    return { rma_number, outcome: provable[0]!, steps };
  }

  step('authorised', 1 + rng.int(2), { details: { data_backup_acknowledged: true } });
  step('received', 2 + Math.round(rng.lognormal(4, 0.5)));
  const mishandled = exclusionFindings.filter((finding) => rng.chance(drive.fleet.mishandling[finding]));
  if (mishandled.length) {
    step('inspected', 1 + rng.int(4), { findings: [...mishandled] });
    step('rejected', 1, { reasons: [...mishandled] });
    step('closed', 0, { details: { outcome: mishandled[0] } });
    return { rma_number, outcome: mishandled[0]!, steps };
  }
  if (!input.failed) {
    step('inspected', 1 + rng.int(4), { findings: ['no_fault_found'] });
    step('closed', 1 + rng.int(3), { details: { outcome: 'no_fault_found' } });
    return { rma_number, outcome: 'no_fault_found', steps };
  }
  const findings: InspectionFinding[] = input.excursions > 0 ? ['defect_confirmed', 'temperature_excursion'] : ['defect_confirmed'];
  step('inspected', 1 + rng.int(4), { findings, details: input.excursions > 0 ? { excursion_days: input.excursions } : {} });
  // TF cards cannot be repaired; SSDs sometimes can (controller or firmware fault).
  const outcome = drive.model.kind === 'ssd' && rng.chance(0.15) ? 'repaired' : 'replaced';
  step(outcome, 2 + rng.int(5));
  step('closed', 1 + rng.int(3), { details: { outcome } });
  return { rma_number, outcome, steps };
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const symptoms = ['not_detected', 'read_only', 'io_errors', 'slow', 'data_corruption', 'intermittent'] as const;
