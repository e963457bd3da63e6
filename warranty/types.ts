import type { RmaEventType } from '../core/contracts/rma.ts';
import type { Uint64 } from '../core/contracts/uint64.ts';
import type { ExclusionFinding, ReasonCode, WarrantyStatus } from './rules.ts';

/** The inputs and results of the warranty rules: what the unit evaluator, the bulk SQL and the API share. */

/** A unit as enrolled (the latest enrolment of its serial). */
export interface DriveRecord {
  serial: string;
  model: string;
  fleet_id: string;
  purchase_date: string | null;
  proof_of_purchase: string | null;
  /** null: not known (clause V cap "unknown, desk review"). */
  price_paid: number | null;
  currency: string;
}

/** The earliest sample in the trailing window that carries a counter: where the trailing write rate is measured from. */
export interface WearPoint {
  at: string;
  value: number;
}

/**
 * A unit's telemetry as of the evaluation date: only samples at or before that day count (telemetry-as-of.ts), so a
 * decision can be reproduced for any day.
 */
export interface TelemetrySummary {
  /** The unit's newest sample. */
  latest: { collected_at: string; host_bytes_written: Uint64 | null; avg_pe_cycles: number | null; temperature_c: number | null } | null;
  /** The highest lifetime counters of all samples: wear never goes down because one sample reads low. */
  max_hbw: Uint64 | null;
  max_pe: number | null;
  /** Earliest host-bytes-written and P/E readings inside the trailing window (see trailingPeriodDays). */
  trailing_hbw: WearPoint | null;
  trailing_pe: WearPoint | null;
  /** Temperature extremes seen inside the trailing window. */
  temp_min: number | null;
  temp_max: number | null;
}

export interface RmaRecord {
  rma_number: string;
  event_type: RmaEventType;
  occurred_at: string;
  findings: string[];
  replacement_serial: string | null;
}

/** Everything the rules need about one unit; `replacementOf` links a replacement to the unit it replaced, recursively. */
export interface UnitInputs {
  serial: string;
  drive: DriveRecord | null;
  telemetry: TelemetrySummary | null;
  rma: RmaRecord[];
  replacementOf: { original_serial: string; replaced_at: string; original: UnitInputs } | null;
}

export type CoverageBasis = 'purchase' | 'manufacture' | 'replacement';

export interface WearFigures {
  metric: 'tbw' | 'pe';
  unit: 'bytes' | 'cycles';
  limit: number;
  /** Exact counters (decimal strings beyond 2^53): a busy drive's bytes written pass what a double holds. */
  used: Uint64 | null;
  remaining: Uint64 | null;
  used_pct: number | null;
  remaining_pct: number | null;
  measured_at: string | null;
  rate_per_day: number | null;
  projected_wearout: string | null;
  remaining_life_days: number | null;
}

export interface RuleRef {
  code: ReasonCode;
  clause: string;
  rule: string;
}

export interface WarrantyEvaluation {
  serial: string;
  at: string;
  model: string | null;
  fleet_id: string | null;
  kind: 'ssd' | 'tf' | null;
  status: WarrantyStatus;
  status_reason: RuleRef;
  coverage: {
    start: string | null;
    basis: CoverageBasis | null;
    /** Last covered day (inclusive). */
    end: string | null;
    days_left: number | null;
    manufactured: string | null;
    serial_decode_error: string | null;
    replacement_of: string | null;
    replaced_by: string | null;
  };
  wear: WearFigures | null;
  temperature: {
    rated_min: number | null;
    rated_max: number | null;
    observed_min: number | null;
    observed_max: number | null;
    out_of_range: boolean;
    inspection_excursion: boolean;
    review: boolean;
  };
  exclusions: ExclusionFinding[];
  /** liability_cap: the price paid for the chain's first unit (amount null: not known, desk review); null without an enrolment. */
  claim: { eligible: boolean; failing: RuleRef[]; requirements: RuleRef[]; liability_cap: { amount: number | null; currency: string } | null };
}
