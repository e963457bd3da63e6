import { EXCURSION_HAZARD_DAYS, hazardModel } from './profiles.ts';

export interface HazardInput {
  kind: 'ssd' | 'tf';
  /** Days in service. */
  age_days: number;
  /** Fraction of the TBW (SSD) or P/E (TF) rating used; 1 = at the rating. */
  wear: number;
  /** Firmware and manufacturing-batch multipliers (1 = normal). */
  multiplier: number;
  excursion: boolean;
}

/**
 * Probability a unit fails on one day: the bathtub curve. Early-life failures fade over the first weeks, random
 * failures stay constant (scaled by bad firmware or batch), and wear-out grows steeply with the share of the rating used.
 */
export function dailyFailureProbability(input: HazardInput): number {
  const model = hazardModel[input.kind];
  const infant = 1 + model.infant_factor * Math.exp(-input.age_days / model.infant_days);
  const afr = model.base_afr * infant * input.multiplier + model.wear_afr * Math.max(0, input.wear) ** model.wear_exponent;
  const daily = afr / 365;
  return Math.min(1, input.excursion ? daily * EXCURSION_HAZARD_DAYS : daily);
}
