import type { AlertEvent, AlertFlag } from '../core/contracts/alert.ts';
import type { Thresholds } from './thresholds.ts';
import type { WarrantyEvaluation } from './types.ts';

type FlagLevel = AlertEvent['level'];

export interface RaisedFlag {
  flag: AlertFlag;
  level: FlagLevel;
  value: number;
  threshold: number;
}

/**
 * Near-limit flags of one evaluated unit (the bulk SQL computes the same list): wear at warn / critical % of TBW or P/E,
 * wear-out projected before coverage ends, coverage ending within the configured days, temperature outside the rated
 * range (a review flag only). A replaced unit is no longer in service and raises none.
 */
export function flagsFor(e: WarrantyEvaluation, t: Thresholds): RaisedFlag[] {
  if (e.status === 'replaced') return [];
  const flags: RaisedFlag[] = [];
  const pct = e.wear?.used_pct ?? null;
  if (e.wear && pct !== null && pct >= t.warnPct) {
    const critical = pct >= t.criticalPct;
    flags.push({
      flag: e.wear.metric === 'tbw' ? 'near_tbw' : 'near_pe',
      level: critical ? 'critical' : 'warn',
      value: pct,
      threshold: critical ? t.criticalPct : t.warnPct,
    });
  }
  const endExclusive = e.coverage.end === null ? null : Date.parse(e.coverage.end) + 86_400_000;
  const projected = e.wear?.projected_wearout ? Date.parse(e.wear.projected_wearout) : null;
  if (e.status === 'active' && projected !== null && endExclusive !== null && projected < endExclusive) {
    flags.push({ flag: 'wearout_before_coverage_end', level: 'warn', value: Math.round((endExclusive - projected) / 86_400_000), threshold: 0 });
  }
  if (e.status === 'active' && e.coverage.days_left !== null && e.coverage.days_left <= t.endingDays) {
    flags.push({ flag: 'warranty_ending', level: 'info', value: e.coverage.days_left, threshold: t.endingDays });
  }
  const temp = e.temperature;
  if (temp.out_of_range) {
    const hot = temp.observed_max! > temp.rated_max!;
    flags.push({
      flag: 'temperature_out_of_range',
      level: 'review',
      value: hot ? temp.observed_max! : temp.observed_min!,
      threshold: hot ? temp.rated_max! : temp.rated_min!,
    });
  }
  return flags;
}

const describe: Record<AlertFlag, (f: Pick<RaisedFlag, 'value' | 'threshold'>) => string> = {
  near_tbw: (f) => `host writes at ${f.value.toFixed(1)} % of the TBW rating (threshold ${f.threshold} %)`,
  near_pe: (f) => `average P/E cycles at ${f.value.toFixed(1)} % of the rating (threshold ${f.threshold} %)`,
  wearout_before_coverage_end: (f) => `projected to reach its wear limit ${f.value} day(s) before coverage ends`,
  warranty_ending: (f) => `coverage ends in ${f.value} day(s)`,
  temperature_out_of_range: (f) => `temperature ${f.value} °C outside the rated range (limit ${f.threshold} °C): review`,
};

/** Human text of an alert, built from its figures so the outbox stores only numbers. */
export function flagMessage(flag: AlertFlag, action: 'raised' | 'cleared', figures: { value: number | null; threshold: number | null }): string {
  if (action === 'cleared' || figures.value === null || figures.threshold === null) return `${flag.replaceAll('_', ' ')} cleared`;
  return describe[flag]({ value: figures.value, threshold: figures.threshold });
}
