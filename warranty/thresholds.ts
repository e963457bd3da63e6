import type { Config } from '../core/config.ts';

/** Near-limit flag thresholds: warn / critical at % of the TBW or P/E rating, "warranty ending" this many days ahead. */
export interface Thresholds {
  warnPct: number;
  criticalPct: number;
  endingDays: number;
}

export const thresholdsFrom = (config: Pick<Config, 'WEARWATCH_WARN_PCT' | 'WEARWATCH_CRITICAL_PCT' | 'WEARWATCH_ENDING_DAYS'>): Thresholds => ({
  warnPct: config.WEARWATCH_WARN_PCT,
  criticalPct: config.WEARWATCH_CRITICAL_PCT,
  endingDays: config.WEARWATCH_ENDING_DAYS,
});
