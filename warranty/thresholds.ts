import type { Config } from '../core/config.ts';

/** Near-limit flag thresholds: warn / critical at % of the TBW or P/E rating, "warranty ending" this many days ahead. */
export interface Thresholds {
  warnPct: number;
  criticalPct: number;
  endingDays: number;
}

/** A fleet's own thresholds, for all its drives (model null) or for one model of it. */
export interface ThresholdOverride extends Thresholds {
  fleetId: string;
  model: string | null;
}

/** The thresholds one evaluation run applies: the configured defaults and every fleet's overrides. */
export interface ThresholdSet {
  defaults: Thresholds;
  overrides: ThresholdOverride[];
}

export const thresholdsFrom = (config: Pick<Config, 'WEARWATCH_WARN_PCT' | 'WEARWATCH_CRITICAL_PCT' | 'WEARWATCH_ENDING_DAYS'>): Thresholds => ({
  warnPct: config.WEARWATCH_WARN_PCT,
  criticalPct: config.WEARWATCH_CRITICAL_PCT,
  endingDays: config.WEARWATCH_ENDING_DAYS,
});

/** A set with no fleet overrides: every fleet gets the defaults. */
export const uniformThresholds = (defaults: Thresholds): ThresholdSet => ({ defaults, overrides: [] });

/** The thresholds of one drive: its fleet's entry for its model, else its fleet's entry for all models, else the defaults. */
export function thresholdsFor(set: ThresholdSet, fleetId: string, model: string): Thresholds {
  const own = set.overrides.filter((o) => o.fleetId === fleetId);
  const chosen = own.find((o) => o.model === model) ?? own.find((o) => o.model === null);
  return chosen ? { warnPct: chosen.warnPct, criticalPct: chosen.criticalPct, endingDays: chosen.endingDays } : set.defaults;
}
